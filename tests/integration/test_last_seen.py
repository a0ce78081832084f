"""An update does not rewrite its sender's row when nothing about them changed; when
they were last seen moves on at most every ten minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlmodel import col, select

from handlers.context import Deps
from storage.models import User
from storage.repositories.users import LAST_SEEN_STEP
from tests.support.resident import Resident

TELEGRAM_ID = 5_000_000_777


async def last_seen(deps: Deps) -> datetime:
    async with deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == TELEGRAM_ID))).one()
        return user.last_seen_at


async def set_last_seen(deps: Deps, when: datetime) -> None:
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User).where(col(User.telegram_id) == TELEGRAM_ID).values(last_seen_at=when)
        )
        await uow.commit()


async def test_last_seen_moves_at_most_every_ten_minutes(deps: Deps) -> None:
    r = Resident(deps, TELEGRAM_ID)
    await r.send("/start")
    recently = datetime.now(UTC) - LAST_SEEN_STEP + timedelta(minutes=1)
    await set_last_seen(deps, recently)
    await r.send("/start")
    assert await last_seen(deps) == recently  # seen a moment ago: left alone

    long_ago = datetime.now(UTC) - LAST_SEEN_STEP - timedelta(minutes=1)
    await set_last_seen(deps, long_ago)
    await r.send("/start")
    moved = await last_seen(deps)
    assert moved > long_ago + LAST_SEEN_STEP


async def test_a_last_seen_in_the_future_is_brought_back(deps: Deps) -> None:
    r = Resident(deps, TELEGRAM_ID)
    await r.send("/start")
    await set_last_seen(deps, datetime.now(UTC) + timedelta(days=1))  # a clock set wrong once
    await r.send("/start")
    assert await last_seen(deps) <= datetime.now(UTC)


async def test_a_new_name_is_written_at_once(deps: Deps) -> None:
    r = Resident(deps, TELEGRAM_ID, name="Alex")
    await r.send("/start")
    renamed = Resident(deps, TELEGRAM_ID, name="Alexandra")
    await renamed.send("/start")
    async with deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == TELEGRAM_ID))).one()
    assert user.first_name == "Alexandra"
