"""When event reminders are due: "the day before" is the same time on the day before,
on the event's clock, across the clock changes; "an hour before" is an hour of real time.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.bootstrap import App
from handlers.callbacks import EventAction, EventButton
from handlers.events.service import event_changed, reminder_due
from handlers.payloads import encode
from storage.models import Community, Delivery, Event
from tests.support.resident import Resident

HOUR = timedelta(hours=1)


async def _going(app: App, starts_at: datetime, zone: str, now: datetime) -> dict[int, datetime]:
    """A resident says Going to an event at ``starts_at``; their reminders, by offset."""
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        event = Event(
            kind="surgery",
            title="Tarvin police surgery",
            community_id=tarvin.id,
            starts_at=starts_at,
            timezone=zone,
        )
        uow.session.add(event)
        await uow.commit()
    deps = dataclasses.replace(app.deps, clock=lambda: now)
    await Resident(deps, 8_900_000_001, "Ann").press_data(
        encode(EventButton(EventAction.GOING, event.id or 0))
    )
    async with app.deps.uow() as uow:
        found = (await uow.session.exec(select(Delivery).where(Delivery.kind == "reminder"))).all()
    return {json.loads(d.payload)["offset"]: d.due_at for d in found}


@pytest.mark.parametrize(
    ("zone", "starts_at", "day_before"),
    [
        # Sunday 25 October 2026, 18:00 GMT (the clocks went back at 02:00 BST):
        # Saturday 18:00 BST, 25 hours before.
        (
            "Europe/London",
            datetime(2026, 10, 25, 18, tzinfo=UTC),
            datetime(2026, 10, 24, 17, tzinfo=UTC),
        ),
        # Sunday 29 March 2026, 18:00 BST: Saturday 18:00 GMT, 23 hours before.
        (
            "Europe/London",
            datetime(2026, 3, 29, 17, tzinfo=UTC),
            datetime(2026, 3, 28, 18, tzinfo=UTC),
        ),
        # Warsaw changes at the same instant: Sunday 18:00 CET, Saturday 18:00 CEST.
        (
            "Europe/Warsaw",
            datetime(2026, 10, 25, 17, tzinfo=UTC),
            datetime(2026, 10, 24, 16, tzinfo=UTC),
        ),
        # Monday 30 March 2026, 01:30 BST: 01:30 on Sunday does not happen; the
        # reminder is when the clocks jump past it (02:00 BST, 01:00 UTC).
        (
            "Europe/London",
            datetime(2026, 3, 30, 0, 30, tzinfo=UTC),
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),
        # No clock change: exactly a day.
        (
            "Europe/London",
            datetime(2026, 11, 10, 18, tzinfo=UTC),
            datetime(2026, 11, 9, 18, tzinfo=UTC),
        ),
    ],
)
async def test_the_day_before_is_the_same_wall_time_across_a_clock_change(
    app: App, zone: str, starts_at: datetime, day_before: datetime
) -> None:
    due = await _going(app, starts_at, zone, now=datetime(2026, 3, 1, 12, tzinfo=UTC))
    assert due[1440] == day_before
    assert starts_at - due[60] == HOUR


async def test_an_event_moved_after_its_reminder_was_sent_is_reminded_again(app: App) -> None:
    """The day-before reminder went out; then the surgery moved a week on. The new date
    gets its own day-before reminder (the one sent stays sent, once)."""
    starts_at = datetime(2026, 11, 10, 18, tzinfo=UTC)
    await _going(app, starts_at, "Europe/London", now=datetime(2026, 11, 1, 12, tzinfo=UTC))
    sent_at = datetime(2026, 11, 9, 18, 1, tzinfo=UTC)
    async with app.deps.uow() as uow:
        day_before = (
            await uow.session.exec(select(Delivery).where(Delivery.due_at < starts_at - HOUR))
        ).one()
        assert day_before.id is not None
        await uow.deliveries.finish(day_before.id, "sent", at=sent_at, message_id=1)
        event = (await uow.session.exec(select(Event))).one()
        event.starts_at = starts_at + timedelta(weeks=1)
        assert await event_changed(uow, event, "moved", sent_at) == 1
        await uow.commit()
    async with app.deps.uow() as uow:
        found = (await uow.session.exec(select(Delivery).where(Delivery.kind == "reminder"))).all()
    assert sorted((d.due_at, d.status) for d in found if d.status != "cancelled") == [
        (datetime(2026, 11, 9, 18, tzinfo=UTC), "sent"),
        (datetime(2026, 11, 16, 18, tzinfo=UTC), "pending"),
        (datetime(2026, 11, 17, 17, tzinfo=UTC), "pending"),
    ]


@pytest.mark.parametrize("zone", ["Nowhere/Land", "../etc/passwd", "", "A" * 300])
def test_an_unusable_zone_counts_the_day_before_in_real_time(zone: str) -> None:
    starts = datetime(2026, 10, 25, 18, 0, tzinfo=UTC)
    event = Event(title="Meeting", kind="other", starts_at=starts, timezone=zone)
    assert reminder_due(event, 24 * 60) == starts - timedelta(days=1)
    assert reminder_due(event, 60) == starts - timedelta(hours=1)
