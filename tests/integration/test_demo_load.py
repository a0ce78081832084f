"""Loading the demo data into a database, twice."""

from __future__ import annotations

from typing import Any

from sqlmodel import select

from bot.bootstrap import App
from storage.demo.loader import load_demo
from storage.models import Community, CommunityBase, TeamMember


async def _snapshot(app: App) -> tuple[list[Any], list[Any], list[Any]]:
    async with app.deps.uow() as uow:
        communities = (await uow.session.exec(select(Community))).all()
        members = (await uow.session.exec(select(TeamMember))).all()
        bases = (await uow.session.exec(select(CommunityBase))).all()
        return (
            sorted((c.model_dump() for c in communities), key=lambda c: c["id"]),
            sorted((m.model_dump() for m in members), key=lambda m: m["id"]),
            sorted((b.model_dump() for b in bases), key=lambda b: b["id"]),
        )


async def test_loading_the_demo_twice_changes_nothing(app: App) -> None:
    before = await _snapshot(app)  # the test database already holds the demo data
    assert len(before[0]) == 122 and len(before[1]) == 2 * 122 + 2 * 8 and len(before[2]) == 122
    async with app.deps.uow() as uow:
        assert await load_demo(uow) == 122
        await uow.commit()
    assert await _snapshot(app) == before
