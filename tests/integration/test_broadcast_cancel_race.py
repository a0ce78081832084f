"""Cancelling a scheduled broadcast just as the scheduler starts it, on PostgreSQL
(on SQLite one writer at a time keeps the two apart): the sender's "Cancel it" must
stop what was started, not mark it cancelled and leave its messages queued."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.broadcasts import service
from storage.demo.loader import load_demo
from storage.models import Broadcast, Delivery
from storage.repositories.broadcasts import StaleBroadcast
from tests.integration.test_broadcasts import (
    PCSO_ID,
    Clock,
    add_followers,
    schedule_for_tomorrow_ten,
    staff,
)

DUE = datetime(2026, 3, 15, 10, 0, 30, tzinfo=UTC)  # 10:00 GMT on the Sunday


@pytest.fixture
async def pg_app(postgres_url: str) -> AsyncIterator[tuple[App, Clock]]:
    app = await build_app(Settings(database_url=postgres_url))
    async with app.deps.uow() as uow:
        await load_demo(uow)
        await uow.commit()
    clock = Clock()
    app.deps = dataclasses.replace(app.deps, clock=clock)
    yield app, clock
    await app.close()


async def test_cancel_it_pressed_as_the_scheduler_starts_it_stops_it(
    pg_app: tuple[App, Clock],
) -> None:
    app, clock = pg_app
    followers = await add_followers(app, "Tarvin", 2)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await schedule_for_tomorrow_ten(pcso, "Surgery moved to the library")
    clock.now = DUE

    async with app.deps.uow() as pressing:  # "Cancel it" has read the broadcast...
        [seen] = (await pressing.session.exec(select(Broadcast))).all()
        assert seen.status == "scheduled"
        async with app.deps.uow() as scheduler:  # ...when the scheduler starts it
            assert await service.start_due(scheduler, DUE) == len(followers)
            await scheduler.commit()
        with pytest.raises(StaleBroadcast):  # so the press is retried, not obeyed as read
            await service.stop(pressing, seen, DUE)

    await pcso.press("Cancel it")  # what the retry does: it stops a sending broadcast
    assert "Stopping" in pcso.text
    async with app.deps.uow() as uow:
        [record] = (await uow.session.exec(select(Broadcast))).all()
        queued = (
            await uow.session.exec(
                select(Delivery.status).where(col(Delivery.broadcast_id) == record.id)
            )
        ).all()
    assert record.status == "cancelled"
    assert sorted(queued) == ["cancelled"] * len(followers)  # none left to be sent
