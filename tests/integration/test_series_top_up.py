"""Repeating events keep their next dates, made once however many workers run."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import select

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.events.organise.create import create_events
from handlers.events.series import AHEAD, top_up
from storage.demo.loader import load_demo
from storage.models import Community, Event

LONDON = ZoneInfo("Europe/London")
FIRST = datetime(2026, 10, 6, 18, 0, tzinfo=LONDON)  # a Tuesday, before the clocks go back


async def weekly_surgery(app: App, ends: datetime | None = None) -> int:
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        fields = {
            "kind": "surgery",
            "title": "Weekly surgery",
            "community_id": tarvin.id,
            "lpu_id": tarvin.lpu_id,
            "timezone": "Europe/London",
        }
        created = await create_events(
            uow, fields, FIRST.astimezone(UTC), "weekly", LONDON, ends=ends
        )
        await uow.commit()
        assert created[0].series_id is not None
        return created[0].series_id


async def dates(app: App, series_id: int) -> list[Event]:
    async with app.deps.uow() as uow:
        rows = (await uow.session.exec(select(Event).where(Event.series_id == series_id))).all()
        return sorted(rows, key=lambda e: e.starts_at)


async def test_a_weekly_series_always_has_its_next_dates(app: App) -> None:
    series_id = await weekly_surgery(app)
    assert len(await dates(app, series_id)) == AHEAD
    three_weeks_on = FIRST.astimezone(UTC) + timedelta(weeks=3, hours=1)
    assert await top_up(app.deps.uow, three_weeks_on) == 3
    assert await top_up(app.deps.uow, three_weeks_on) == 0  # nothing twice
    rows = await dates(app, series_id)
    assert len(rows) == AHEAD + 3
    assert {r.starts_at.astimezone(LONDON).time() for r in rows} == {
        time(18, 0)
    }  # across the change
    assert len({r.occurrence_of for r in rows}) == len(rows)


async def test_dates_added_later_last_as_long_as_the_first(app: App) -> None:
    series_id = await weekly_surgery(app, ends=(FIRST + timedelta(hours=1, minutes=30)))
    three_weeks_on = FIRST.astimezone(UTC) + timedelta(weeks=3, hours=1)
    assert await top_up(app.deps.uow, three_weeks_on) == 3
    rows = await dates(app, series_id)
    assert len(rows) == AHEAD + 3
    for row in rows:  # 18:00 to 19:30 on both sides of the clock change
        assert row.ends_at is not None
        assert row.ends_at - row.starts_at == timedelta(hours=1, minutes=30)
        assert row.ends_at.astimezone(LONDON).time() == time(19, 30)


async def test_a_series_without_an_end_time_adds_dates_without_one(app: App) -> None:
    series_id = await weekly_surgery(app)
    await top_up(app.deps.uow, FIRST.astimezone(UTC) + timedelta(weeks=3, hours=1))
    assert {r.ends_at for r in await dates(app, series_id)} == {None}


async def test_a_cancelled_date_is_not_made_again(app: App) -> None:
    series_id = await weekly_surgery(app)
    async with app.deps.uow() as uow:
        last = (await dates(app, series_id))[-1]
        stored = await uow.events.get(last.id or 0)
        assert stored is not None
        stored.status = "cancelled"
        uow.session.add(stored)
        await uow.commit()
    later = FIRST.astimezone(UTC) + timedelta(hours=1)  # the first date has passed
    assert await top_up(app.deps.uow, later) == 2  # for it, and for the cancelled one
    rows = await dates(app, series_id)
    assert [r.status for r in rows].count("cancelled") == 1
    assert rows[-1].starts_at > last.starts_at


async def test_a_cancelled_date_is_not_counted_as_one_to_come(app: App) -> None:
    """A series keeps ``AHEAD`` dates that will happen: a cancelled one is made up for."""
    series_id = await weekly_surgery(app)
    async with app.deps.uow() as uow:
        third = (await dates(app, series_id))[2]
        stored = await uow.events.get(third.id or 0)
        assert stored is not None
        stored.status = "cancelled"
        uow.session.add(stored)
        await uow.commit()
    before_the_first = FIRST.astimezone(UTC) - timedelta(hours=1)
    assert await top_up(app.deps.uow, before_the_first) == 1
    assert await top_up(app.deps.uow, before_the_first) == 0
    rows = await dates(app, series_id)
    assert [r.status for r in rows].count("scheduled") == AHEAD
    assert [r.status for r in rows].count("cancelled") == 1


async def test_two_workers_topping_up_at_once_make_each_date_once(postgres_url: str) -> None:
    first = await build_app(Settings(database_url=postgres_url))
    second = await build_app(Settings(database_url=postgres_url), apply_migrations=False)
    try:
        async with first.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        series_id = await weekly_surgery(first)
        later = FIRST.astimezone(UTC) + timedelta(weeks=4, hours=1)
        added = await asyncio.gather(top_up(first.deps.uow, later), top_up(second.deps.uow, later))
        assert sum(added) == 4
        rows = await dates(first, series_id)
        assert len(rows) == AHEAD + 4 and len({r.occurrence_of for r in rows}) == len(rows)
    finally:
        await first.close()
        await second.close()
