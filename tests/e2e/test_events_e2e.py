"""Events over real HTTP, on both transports and both modes, with a controlled clock.

A resident lists events, opens one (venue), says they are going, downloads the
calendar file, and gets both reminders at the right local times across the March
clock change. An organiser then polls the people going, and the answer arrives.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import icalendar
from sqlmodel import select

from bot.dispatcher import DispatchConfig, Dispatcher
from storage.models import Community, Delivery, Event, User
from tests.e2e.conftest import RunningBot
from tests.e2e.test_long_pages_e2e import to_the_events
from tests.fakes.bot_api import FakeBotApi

LONDON = ZoneInfo("Europe/London")
# The clocks go forward on Sunday 28 March 2027; the meeting is the next evening.
STARTS = datetime(2027, 3, 29, 18, 0, tzinfo=LONDON)
NOW = datetime(2027, 3, 26, 12, 0, tzinfo=UTC)


async def test_a_resident_rsvps_gets_a_calendar_file_and_both_reminders(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    now = [NOW]
    app = running_bot.app
    app.deps = dataclasses.replace(app.deps, clock=lambda: now[0])
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        event = Event(
            kind="surgery",
            title="Police surgery",
            community_id=tarvin.id,
            lpu_id=tarvin.lpu_id,
            starts_at=STARTS.astimezone(UTC),
            venue="Tarvin Library",
            address="High Street, Tarvin",
            latitude=53.196,
            longitude=-2.763,
            capacity=12,
        )
        uow.session.add(event)
        await uow.commit()
    user = bot_api.user(5_600_000_001, "Rae")
    await to_the_events(user)
    await user.press("Police surgery")
    page = await user.wait_for(contains="Are you coming?")
    assert "Mon 29 Mar, 18:00" in page["text"] and "12 places left" in page["text"]
    assert any(m.get("kind") == "venue" for m in user.messages)
    await user.press("Going")
    await user.wait_for(
        lambda m: (
            m["message_id"] == page["message_id"] and "You said you are going" in m.get("text", "")
        )
    )
    await user.press("Add to calendar")
    ics = await user.wait_for(lambda m: m.get("kind") == "document")
    calendar = icalendar.Calendar.from_ical(ics["content"])
    vevent = next(c for c in calendar.walk("VEVENT"))
    assert vevent.decoded("DTSTART").astimezone(UTC) == STARTS.astimezone(UTC)
    assert str(vevent["SUMMARY"]) == "Police surgery"

    async with app.deps.uow() as uow:
        due = sorted(
            d.due_at
            for d in (
                await uow.session.exec(select(Delivery).where(Delivery.kind == "reminder"))
            ).all()
        )
    # A day before (the clocks went forward that morning) and an hour before, in London time.
    assert [d.astimezone(LONDON).strftime("%a %H:%M %Z") for d in due] == [
        "Sun 18:00 BST",
        "Mon 17:00 BST",
    ]

    dispatcher = Dispatcher(
        app, running_bot.transport.port, "e2e", lambda: now[0], DispatchConfig()
    )
    now[0] = datetime(2027, 3, 28, 10, 0, tzinfo=UTC)
    assert await dispatcher.run_due() == 0  # nothing is due yet
    now[0] = due[0]
    assert await dispatcher.run_due() == 1
    first = await user.wait_for(contains="Reminder: tomorrow")
    assert "Mon 29 Mar, 18:00" in first["text"]
    now[0] = due[1]
    assert await dispatcher.run_due() == 1
    await user.wait_for(contains="Starting soon")
    assert await dispatcher.run_due() == 0  # each reminder once

    # An organiser polls the people going; the resident answers the native poll.
    async with app.deps.uow() as uow:
        organiser = User(
            telegram_id=5_600_000_099,
            chat_id=5_600_000_099,
            first_name="Ola",
            role="organiser",
            role_lpu_id=tarvin.lpu_id,
        )
        uow.session.add(organiser)
        await uow.commit()
    boss = bot_api.user(5_600_000_099, "Ola")
    await boss.send("/poll")
    await boss.wait_for(contains="Who is the poll for?")
    await boss.press("Police surgery")
    await boss.wait_for(contains="Send the question")
    await boss.send("Which topic first?\nSpeeding\nParking")
    await boss.wait_for(contains="It will go to 1 person.")
    await boss.press("Send the poll")
    await boss.wait_for(contains="Sending to 1 person.")
    assert await dispatcher.run_due() == 1
    poll_message = await user.wait_for(lambda m: m.get("kind") == "poll")
    await user.answer_poll(poll_message["poll"]["id"], [1])
    await user.wait_idle()
    await boss.press("Refresh results")
    await boss.wait_for(contains="Parking: 1 (100%)")
    await boss.press("Close the poll")
    await boss.wait_for(contains="This poll is closed.")
    assert await dispatcher.run_due() == 1
    stops = bot_api.calls("stopPoll")
    assert [int(s["message_id"]) for s in stops] == [poll_message["message_id"]]
