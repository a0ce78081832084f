"""Quiet hours through the core and the delivery engine, over a real database.

A quiet row due at night waits for the end of the recipient's window (21:00 to 08:00
London time by default) and goes then, once; an urgent one does not wait; a resident
changes their window (presets, their own times, off) with /quiet or from /reminders,
and what was held is looked at again at once.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from bot.bootstrap import App
from bot.dispatcher import DispatchConfig, Dispatcher
from handlers.callbacks import EventAction, EventButton
from handlers.context import Deps
from handlers.deliveries import message_payload
from handlers.markup import to_plain
from handlers.outbound import Document, Edit
from handlers.payloads import encode
from storage.models import Community, Delivery, Event, User
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

LONDON = ZoneInfo("Europe/London")
NIGHT = datetime(2026, 1, 14, 22, 30, tzinfo=UTC)  # 22:30 in London (GMT)
MORNING = datetime(2026, 1, 15, 8, 0, tzinfo=UTC)
FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0, progress_interval=0.0)
RESIDENT = 7_200_000_001


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NIGHT)


@pytest.fixture
def deps(app: App, clock: Clock) -> Deps:
    app.deps = dataclasses.replace(app.deps, clock=clock)
    return app.deps


@pytest.fixture
def port() -> RecordingPort:
    return RecordingPort()


@pytest.fixture
def dispatcher(app: App, deps: Deps, port: RecordingPort, clock: Clock) -> Dispatcher:
    return Dispatcher(app, port, "test", clock, FAST)


@pytest.fixture
async def resident(deps: Deps) -> Resident:
    r = Resident(deps, RESIDENT, name="Rae")
    await r.send("/start")
    return r


async def user(deps: Deps) -> User:
    async with deps.uow() as uow:
        found = await uow.users.by_telegram_id(RESIDENT)
        assert found is not None
        return found


async def queue(deps: Deps, key: str, *, quiet: bool = True, urgent: bool = False) -> int:
    who = await user(deps)
    async with deps.uow() as uow:
        row = await uow.deliveries.schedule(
            key=key,
            kind="message",
            chat_id=who.chat_id,
            user_id=who.id,
            due_at=deps.clock(),
            payload=message_payload(f"<b>{key}</b>"),
            quiet=quiet,
            urgent=urgent,
        )
        await uow.commit()
        assert row.id is not None
        return row.id


async def load(deps: Deps, delivery_id: int) -> Delivery:
    async with deps.uow() as uow:
        row = await uow.deliveries.get(delivery_id)
        assert row is not None
        return row


def sent(port: RecordingPort) -> list[str]:
    return [to_plain(c.text) for c in port.to(RESIDENT, "sendMessage")]


def labels(r: Resident) -> list[str]:
    return [b.label for b in r.buttons()]


async def test_a_quiet_row_at_night_waits_until_eight_and_goes_once(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    row_id = await queue(deps, "news")
    assert await dispatcher.run_due() == 0
    assert sent(port) == []
    held = await load(deps, row_id)
    assert (held.status, held.due_at, held.attempts) == ("pending", MORNING, 0)

    clock.now = MORNING - timedelta(minutes=1)
    assert await dispatcher.run_due() == 0
    clock.now = MORNING
    assert await dispatcher.run_due() == 1
    assert sent(port) == ["news"]
    assert (await load(deps, row_id)).status == "sent"
    assert await dispatcher.run_due() == 0


async def test_a_quiet_row_due_while_no_worker_ran_still_waits_for_the_morning(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    row_id = await queue(deps, "news")  # due at 22:30, in the quiet hours
    clock.now = NIGHT + timedelta(hours=3)  # the workers were down until 01:30
    assert await dispatcher.run_due() == 0
    held = await load(deps, row_id)
    assert (held.status, held.due_at) == ("pending", MORNING)  # not missed: it was to wait
    clock.now = MORNING
    assert await dispatcher.run_due() == 1
    assert sent(port) == ["news"]


async def test_a_row_held_until_the_morning_is_missed_if_the_morning_is_long_gone(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    row_id = await queue(deps, "news")
    clock.now = MORNING + timedelta(hours=2)  # down all night and until 10:00
    assert await dispatcher.run_due() == 1
    assert sent(port) == []
    assert (await load(deps, row_id)).status == "missed"


async def test_a_row_due_before_the_quiet_hours_is_missed_after_an_outage(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    clock.now = NIGHT - timedelta(hours=2)  # 20:30: it would have gone at once
    row_id = await queue(deps, "news")
    clock.now = NIGHT  # found at 22:30, two hours late and in the quiet hours
    assert await dispatcher.run_due() == 1
    assert sent(port) == []
    assert (await load(deps, row_id)).status == "missed"


async def test_urgent_and_ordinary_rows_do_not_wait(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher
) -> None:
    await queue(deps, "urgent", urgent=True)
    await queue(deps, "not quiet", quiet=False)
    assert await dispatcher.run_due() == 2
    assert sorted(sent(port)) == ["not quiet", "urgent"]


async def test_the_summer_night_ends_at_eight_local_time(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    clock.now = datetime(2026, 7, 1, 21, 30, tzinfo=UTC)  # 22:30 BST
    row_id = await queue(deps, "summer")
    await dispatcher.run_due()
    assert (await load(deps, row_id)).due_at == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)


async def test_a_resident_picks_a_window_and_turns_it_off(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    await resident.send("/quiet")
    assert "Quiet hours" in resident.text and "Now: quiet from 21:00 to 08:00" in resident.text
    assert labels(resident) == [
        "✔️ 🌙 21:00–08:00 (usual)",
        "🌙 22:00–07:00",
        "🌙 20:00–09:00",
        "🌙 23:00–07:00",
        "🔔 Off: send at any time",
        "✏️ My own times",
        "◀️ Reminders",
    ]
    held_id = await queue(deps, "held")
    await dispatcher.run_due()
    assert sent(port) == []

    # 23:00 to 07:00: at 22:30 it is not quiet yet, so what was held goes now.
    await resident.press("23:00–07:00")
    assert isinstance(resident.replies[-1], Edit)
    assert "✔️ 🌙 23:00–07:00" in labels(resident)
    assert "Now: quiet from 23:00 to 07:00" in resident.text
    assert (await user(deps)).quiet_hours == "23:00-07:00"
    assert await dispatcher.run_due() == 1
    assert sent(port) == ["held"]
    assert (await load(deps, held_id)).status == "sent"

    # Off: nothing waits, even at 03:00.
    clock.now = datetime(2026, 1, 15, 3, 0, tzinfo=UTC)
    await resident.press("Off")
    assert "Now: off" in resident.text and "✔️ 🔔 Off: send at any time" in labels(resident)
    assert (await user(deps)).quiet_hours == ""
    await queue(deps, "at three")
    assert await dispatcher.run_due() == 1
    assert sent(port)[-1] == "at three"


async def test_a_resident_types_their_own_times(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    await resident.send("/reminders")
    await resident.press("Quiet hours")
    assert isinstance(resident.replies[-1], Edit) and "Quiet hours" in resident.text
    await resident.press("My own times")
    assert "for example 22:30-06:30" in resident.text
    await resident.send("late, please")
    assert "could not read that" in resident.text
    await resident.send("23:15 - 6:45")
    assert "Saved" in resident.text and "Now: quiet from 23:15 to 06:45" in resident.text
    assert "✔️ ✏️ My own times: 23:15–06:45" in labels(resident)
    assert (await user(deps)).quiet_hours == "23:15-06:45"
    await resident.press("◀️ Reminders")
    assert "When should I remind you" in resident.text
    await resident.send("hello")  # no longer waiting for times: the main menu
    assert "What would you like to do?" in resident.text

    clock.now = datetime(2026, 1, 14, 23, 30, tzinfo=UTC)
    row_id = await queue(deps, "late")
    await dispatcher.run_due()
    assert (await load(deps, row_id)).due_at == datetime(2026, 1, 15, 6, 45, tzinfo=UTC)


async def test_mydata_shows_the_quiet_hours(resident: Resident, deps: Deps) -> None:
    await resident.send("/quiet")
    await resident.press("22:00–07:00")
    replies = await resident.send("/mydata")
    document = next(r for r in replies if isinstance(r, Document))
    assert json.loads(document.content)["profile"]["quiet_hours"] == "22:00-07:00"


async def test_reminders_for_tomorrow_are_quiet_the_hour_before_is_not(
    resident: Resident, deps: Deps, port: RecordingPort, dispatcher: Dispatcher, clock: Clock
) -> None:
    # A surgery at 22:30: its day-before reminder (22:30 the evening before) is held
    # until 08:00 and then says "today"; the hour-before one (21:30) is not held.
    clock.now = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)
    starts = datetime(2026, 1, 14, 22, 30, tzinfo=UTC)
    async with deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        event = await uow.events.add(
            Event(kind="surgery", title="Late surgery", community_id=tarvin.id, starts_at=starts)
        )
        await uow.commit()
    assert event.id is not None
    await resident.press_data(encode(EventButton(EventAction.GOING, event.id)))
    async with deps.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.kind == "reminder"))).all()
    quiet = {r.due_at: r.quiet for r in rows}
    assert quiet == {starts - timedelta(days=1): True, starts - timedelta(hours=1): False}

    clock.now = starts - timedelta(days=1)
    assert await dispatcher.run_due() == 0  # held
    clock.now = datetime(2026, 1, 14, 8, 0, tzinfo=UTC)
    assert await dispatcher.run_due() == 1
    assert "Reminder: today" in sent(port)[-1] and "Late surgery" in sent(port)[-1]
    clock.now = starts - timedelta(hours=1)  # 21:30: quiet hours, but it cannot wait
    assert await dispatcher.run_due() == 1
    assert "Starting soon" in sent(port)[-1]
