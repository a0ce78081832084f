"""RSVPs with a capacity: a full event waitlists, and a freed place goes to the first in line."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.bootstrap import App
from handlers.callbacks import EventAction, EventButton
from handlers.events.service import event_changed
from handlers.payloads import encode
from storage.models import Community, Delivery, Event
from tests.support.resident import Resident

# A week with no clock change in it: moving an event a day moves its reminders a day.
JANUARY = datetime(2027, 1, 11, 12, 0, tzinfo=UTC)


async def small_event(app: App, capacity: int = 1, starts_at: datetime | None = None) -> Event:
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        event = Event(
            kind="other",
            title="Litter pick",
            community_id=tarvin.id,
            capacity=capacity,
            starts_at=starts_at or datetime.now(UTC) + timedelta(days=5),
        )
        uow.session.add(event)
        await uow.commit()
    return event


async def rows(app: App, kind: str) -> list[Delivery]:
    async with app.deps.uow() as uow:
        return list((await uow.session.exec(select(Delivery).where(Delivery.kind == kind))).all())


async def test_a_full_event_waitlists_and_promotes_when_a_place_frees_up(app: App) -> None:
    event = await small_event(app)
    ann, bob, cat = (
        Resident(app.deps, 8_800_000_000 + i, name) for i, name in enumerate(["Ann", "Bob", "Cat"])
    )
    going = encode(EventButton(EventAction.GOING, event.id or 0))
    await ann.press_data(going)
    assert "0 places left" in ann.text
    await bob.press_data(going)
    assert "number 1 on the waiting list" in bob.text
    await cat.press_data(going)
    assert "number 2 on the waiting list" in cat.text
    assert {d.user_id for d in await rows(app, "reminder")} == {
        await user_id(app, ann)
    }  # only the one going

    await ann.press_data(encode(EventButton(EventAction.NO, event.id or 0)))
    notices = await rows(app, "event_notice")
    assert [json.loads(n.payload)["change"] for n in notices] == ["promoted"]
    assert notices[0].user_id == await user_id(app, bob)
    pending = {d.user_id for d in await rows(app, "reminder") if d.status == "pending"}
    assert pending == {await user_id(app, bob)}  # Ann's were cancelled, Bob's scheduled
    await cat.press_data(encode(EventButton(EventAction.OPEN, event.id or 0)))
    assert "number 1 on the waiting list" in cat.text


async def test_moving_an_event_moves_reminders_and_tells_people(app: App) -> None:
    app.deps = dataclasses.replace(app.deps, clock=lambda: JANUARY)
    event = await small_event(app, capacity=10, starts_at=JANUARY + timedelta(days=5))
    ann = Resident(app.deps, 8_800_000_010, "Ann")
    await ann.press_data(encode(EventButton(EventAction.GOING, event.id or 0)))
    before = sorted(d.due_at for d in await rows(app, "reminder"))
    assert before, "going to an event five days away schedules its reminders"
    async with app.deps.uow() as uow:
        stored = await uow.events.get(event.id or 0)
        assert stored is not None
        stored.starts_at += timedelta(days=1)
        assert await event_changed(uow, stored, "moved", JANUARY) == 1
        await uow.commit()
    after = sorted(d.due_at for d in await rows(app, "reminder") if d.status == "pending")
    assert after == [d + timedelta(days=1) for d in before]
    assert [json.loads(n.payload)["change"] for n in await rows(app, "event_notice")] == ["moved"]


async def user_id(app: App, resident: Resident) -> int:
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(resident.sender.telegram_id)
        assert user is not None and user.id is not None
        return user.id
