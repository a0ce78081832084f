"""Broadcasts from the chat to the followers, through the delivery engine, on a real database."""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.bootstrap import App, build_app
from bot.broadcasts_command import audit_rows
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.settings import Settings
from bot.staff_command import grant_role
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton, MuteAction, MuteButton
from handlers.inbound import LocationShared, PhotoShared
from handlers.outbound import Edit, Notice, OutboundReply, Photo, Text, Venue
from handlers.payloads import encode
from storage.demo.loader import load_demo
from storage.models import Broadcast, Community, Delivery, Follow, User
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

NOON = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # a Saturday, outside quiet hours
FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0, progress_interval=0.0)
PCSO_ID = 7_100_000_001
SERGEANT_ID = 7_100_000_002
FOLLOWER_BASE = 8_000_000_000


def text_of(reply: OutboundReply) -> str:
    """The text of a reply that has one (a Text, an Edit or a Notice)."""
    assert isinstance(reply, Text | Edit | Notice), reply
    return reply.text


class Clock:
    def __init__(self, now: datetime = NOON) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock(app: App) -> Clock:
    clock = Clock()
    app.deps = dataclasses.replace(app.deps, clock=clock)
    return clock


async def _community(app: App, name: str) -> Community:
    async with app.deps.uow() as uow:
        found = (await uow.session.exec(select(Community).where(Community.name == name))).one()
        return found


async def add_followers(app: App, community: str, n: int, start: int = 0) -> list[int]:
    """``n`` residents following ``community``; returns their chat ids."""
    target = await _community(app, community)
    chats: list[int] = []
    async with app.deps.uow() as uow:
        for i in range(start, start + n):
            chat = FOLLOWER_BASE + i
            user = await uow.users.by_telegram_id(chat) or await uow.users.add(
                User(telegram_id=chat, chat_id=chat, first_name=f"Follower {i}")
            )
            assert user.id is not None and target.id is not None
            await uow.follows.follow(user.id, target.id)
            chats.append(chat)
        await uow.commit()
    return chats


async def staff(app: App, telegram_id: int, role: str, **scope: str) -> Resident:
    async with app.deps.uow() as uow:
        await grant_role(uow, telegram_id=telegram_id, role=role, **scope)
        await uow.commit()
    return Resident(app.deps, telegram_id=telegram_id, name="Sam")


def dispatcher(app: App, port: RecordingPort, clock: Clock) -> Dispatcher:
    return Dispatcher(app, port, "test-worker", clock, FAST)


async def write(sender: Resident, text: str) -> None:
    await sender.send("/broadcast")
    assert "Write your message" in sender.text
    await sender.send(text)
    assert "This is how your message will look" in sender.text


async def schedule_for_tomorrow_ten(sender: Resident, text: str) -> None:
    """Write ``text`` and schedule it for 10:00 the next day (Sunday 15 March)."""
    await write(sender, text)
    await sender.press("Send later")
    await sender.send("tomorrow 10:00")
    assert "Sunday 15 March 2026 at 10:00" in sender.text
    await sender.press("Yes, send it then")
    assert "will go at" in sender.text


async def broadcasts(app: App) -> list[Broadcast]:
    async with app.deps.uow() as uow:
        return list((await uow.session.exec(select(Broadcast))).all())


async def test_a_pcso_broadcasts_to_every_follower_once(app: App, clock: Clock) -> None:
    followers = await add_followers(app, "Tarvin", 5)
    await add_followers(app, "Kelsall", 2, start=100)  # another community: not reached
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Speed checks on <High Street> this week & next.")
    assert "This goes to 5 people who follow Tarvin" in pcso.text
    await pcso.press("Send now")
    edit = next(r for r in pcso.replies if isinstance(r, Edit))
    assert "Sending to 5 people" in edit.text
    assert [b.label for row in edit.buttons for b in row] == ["⏹ Stop sending"]

    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()

    for chat in followers:
        [message] = port.to(chat)
        assert "&lt;High Street&gt;" in message.text and "&amp; next" in message.text
        assert "Tarvin neighbourhood team" in message.text
        assert [b.label for row in message.buttons for b in row] == ["🔕 Stop these messages"]
    assert not port.to(FOLLOWER_BASE + 100)
    summary = port.to(PCSO_ID, "sendMessage")[-1].text
    assert "Sent: your message to Tarvin" in summary and "Sent: 5 of 5" in summary
    [record] = await broadcasts(app)
    assert (record.status, record.total, record.sent_count, record.blocked_count) == (
        "sent",
        5,
        5,
        0,
    )
    assert record.sender_role == "pcso"


async def test_a_resident_cannot_broadcast_even_with_forged_buttons(
    app: App, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    await add_followers(app, "Tarvin", 3)
    tarvin = await _community(app, "Tarvin")
    resident = Resident(app.deps, telegram_id=7_200_000_001)
    await resident.send("/broadcast")
    assert "Only neighbourhood policing teams and organisers" in resident.text

    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Draft by the PCSO")
    [draft] = await broadcasts(app)
    assert draft.id is not None and tarvin.id is not None
    forged = [
        BroadcastButton(BroadcastAction.COMMUNITY, 0, tarvin.id),
        BroadcastButton(BroadcastAction.SEND, draft.id, 0, draft.version),
        BroadcastButton(BroadcastAction.URGENT, draft.id, 0, draft.version),
        BroadcastButton(BroadcastAction.STOP, draft.id),
    ]
    caplog.set_level(logging.WARNING, logger="chinwag.security")
    caplog.clear()  # the resident's /broadcast above was refused and logged too
    for payload in forged:
        await resident.press_data(encode(payload))
        assert "You cannot do that" in text_of(resident.replies[0])
    refusals = [r for r in caplog.records if r.getMessage() == "staff action refused"]
    assert len(refusals) == len(forged)
    assert all(getattr(r, "payload", "") == "bc" for r in refusals)
    async with app.deps.uow() as uow:
        assert (await uow.broadcasts.get(draft.id)).status == "draft"  # type: ignore[union-attr]
        assert await uow.deliveries.count("pending") == 0


async def test_a_send_pressed_twice_or_an_old_preview_queues_nothing_more(
    app: App, clock: Clock
) -> None:
    await add_followers(app, "Tarvin", 3)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "First words")
    old_send = pcso.find("Send now").payload
    await pcso.send("Better words")  # a new text while the preview shows replaces it
    await pcso.press("Send now")
    await pcso.press_data(old_send)
    assert "out of date" in text_of(pcso.replies[0])
    async with app.deps.uow() as uow:
        rows = (await uow.session.exec(select(Delivery))).all()
    assert len(rows) == 3


async def test_a_blocked_follower_is_marked_inactive_and_counted(app: App, clock: Clock) -> None:
    followers = await add_followers(app, "Tarvin", 3)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Hello")
    await pcso.press("Send now")
    port = RecordingPort()
    port.blocked.add(followers[0])
    await dispatcher(app, port, clock).run_due()
    [record] = await broadcasts(app)
    assert (record.sent_count, record.blocked_count, record.failed_count) == (2, 1, 0)
    async with app.deps.uow() as uow:
        blocked = await uow.users.by_telegram_id(followers[0])
        assert blocked is not None
        follow = (await uow.session.exec(select(Follow).where(Follow.user_id == blocked.id))).one()
        assert follow.active is False
    assert "Blocked the bot: 1" in port.to(PCSO_ID, "sendMessage")[-1].text


async def test_stopping_mid_way_sends_nothing_more(app: App, clock: Clock) -> None:
    followers = await add_followers(app, "Tarvin", 4)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Oops")
    await pcso.press("Send now")
    await pcso.press("Stop sending")
    assert "Stopping" in pcso.text
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    assert not any(port.to(chat) for chat in followers)
    [record] = await broadcasts(app)
    assert record.status == "cancelled" and record.finished_at is not None
    assert "Stopped: your message to Tarvin" in port.to(PCSO_ID, "sendMessage")[-1].text


async def test_a_scheduled_broadcast_goes_at_its_time(app: App, clock: Clock) -> None:
    followers = await add_followers(app, "Tarvin", 2)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await schedule_for_tomorrow_ten(pcso, "Surgery moved to the library")
    port = RecordingPort()
    engine = dispatcher(app, port, clock)
    await engine.run_due()
    assert not any(port.to(chat) for chat in followers)
    clock.now = datetime(2026, 3, 15, 10, 0, 30, tzinfo=UTC)  # 10:00 GMT
    await engine.run_due()
    assert all(len(port.to(chat)) == 1 for chat in followers)
    [record] = await broadcasts(app)
    assert record.status == "sent" and record.scheduled_for == datetime(
        2026, 3, 15, 10, 0, tzinfo=UTC
    )


async def test_a_scheduled_broadcast_can_be_cancelled(app: App, clock: Clock) -> None:
    followers = await add_followers(app, "Tarvin", 2)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await schedule_for_tomorrow_ten(pcso, "Never mind")
    await pcso.press("Cancel it")
    assert "Nothing was sent" in pcso.text
    clock.now += timedelta(days=2)
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    assert not any(port.to(chat) for chat in followers)


async def test_a_follower_stops_a_teams_broadcasts_with_one_tap(app: App, clock: Clock) -> None:
    [chat, other] = await add_followers(app, "Tarvin", 2)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "First news")
    await pcso.press("Send now")
    port = RecordingPort()
    engine = dispatcher(app, port, clock)
    await engine.run_due()
    [news] = port.to(chat)
    follower = Resident(app.deps, telegram_id=chat)
    await follower.press_data(news.buttons[0][0].payload)
    assert "You will not get messages from Tarvin" in follower.text
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(chat)
        assert user is not None
        follow = (await uow.session.exec(select(Follow).where(Follow.user_id == user.id))).one()
        assert follow.active and follow.muted  # still follows, for surgeries and events
    await write(pcso, "Second news")
    assert "This goes to 1 person who follows Tarvin" in pcso.text
    await pcso.press("Send now")
    await engine.run_due()
    assert len(port.to(chat)) == 1 and len(port.to(other)) == 2
    await follower.press("Undo")
    assert "again" in follower.text


async def test_a_muted_follower_is_skipped_even_when_already_queued(app: App, clock: Clock) -> None:
    [chat] = await add_followers(app, "Tarvin", 1)
    tarvin = await _community(app, "Tarvin")
    assert tarvin.id is not None
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "News")
    await pcso.press("Send now")
    follower = Resident(app.deps, telegram_id=chat)
    await follower.press_data(encode(MuteButton(MuteAction.MUTE, tarvin.id, 0)))
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    assert port.to(chat) == [] or all(c.method == "sendMessage" for c in port.to(chat))
    assert not [c for c in port.to(chat) if "News" in c.text]


async def test_a_photo_and_a_location_go_with_the_text(app: App, clock: Clock) -> None:
    [chat] = await add_followers(app, "Tarvin", 1)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await pcso.send("/broadcast")
    await pcso._do(PhotoShared(sender=pcso.sender, update_id=9001, file_id="AgACphoto", caption=""))
    assert "Now write the text" in pcso.text
    await pcso.send("Lost dog found near the green")
    assert any(isinstance(r, Photo) and "Lost dog" in r.caption for r in pcso.replies)
    await pcso._do(
        LocationShared(sender=pcso.sender, update_id=9002, latitude=53.196, longitude=-2.763)
    )
    assert any(isinstance(r, Venue) for r in pcso.replies)
    await pcso.press("Send now")
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    methods = [c.method for c in port.to(chat)]
    assert methods == ["sendPhoto", "sendVenue"]
    assert port.to(chat)[0].extra["photo"] == "AgACphoto"


async def test_a_long_text_with_a_photo_goes_as_photo_then_text(app: App, clock: Clock) -> None:
    [chat] = await add_followers(app, "Tarvin", 1)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await pcso.send("/broadcast")
    await pcso.send("word " * 400)
    await pcso._do(PhotoShared(sender=pcso.sender, update_id=9003, file_id="AgACbig"))
    await pcso.press("Send now")
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    assert [c.method for c in port.to(chat)] == ["sendPhoto", "sendMessage"]
    assert port.to(chat)[0].text == ""


async def test_a_sergeant_writes_to_the_whole_lpu_once_per_person(app: App, clock: Clock) -> None:
    tarvin_people = await add_followers(app, "Tarvin", 2)
    both = await add_followers(app, "Kelsall", 1, start=0)  # also follows Tarvin
    kelsall_only = await add_followers(app, "Kelsall", 1, start=50)
    sergeant = await staff(app, SERGEANT_ID, "sergeant", lpu="chester")
    await write(sergeant, "Chester-wide advice")
    assert "This goes to 3 people" in sergeant.text
    await sergeant.press("Urgent")
    assert "urgent" in sergeant.text.lower()
    await sergeant.press("Send now")
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    for chat in {*tarvin_people, *both, *kelsall_only}:
        [message] = port.to(chat)
        assert "Urgent" in message.text and "Chester neighbourhood policing" in message.text
    async with app.deps.uow() as uow:
        rows = (await uow.session.exec(select(Delivery))).all()
    assert all(r.urgent and not r.quiet for r in rows)


async def test_only_a_sergeant_or_above_may_mark_urgent(app: App, clock: Clock) -> None:
    await add_followers(app, "Tarvin", 1)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Not urgent")
    assert all("Urgent" not in b.label for b in pcso.buttons())
    [draft] = await broadcasts(app)
    assert draft.id is not None
    await pcso.press_data(
        encode(BroadcastButton(BroadcastAction.URGENT, draft.id, 0, draft.version))
    )
    assert "You cannot do that" in text_of(pcso.replies[0])
    [draft] = await broadcasts(app)
    assert draft.urgent is False


async def test_a_role_taken_away_mid_draft_stops_the_send(app: App, clock: Clock) -> None:
    await add_followers(app, "Tarvin", 1)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Hello")
    async with app.deps.uow() as uow:
        await grant_role(uow, telegram_id=PCSO_ID, role="resident")
        await uow.commit()
    await pcso.press("Send now")
    assert "You cannot do that" in text_of(pcso.replies[0])
    async with app.deps.uow() as uow:
        assert await uow.deliveries.count("pending") == 0


async def test_nobody_to_send_to_is_said_plainly(app: App, clock: Clock) -> None:
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Anyone there?")
    await pcso.press("Send now")
    assert "Nobody follows this area yet" in text_of(pcso.replies[0])


async def test_cancel_discards_the_draft(app: App, clock: Clock) -> None:
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await pcso.send("/broadcast")
    await pcso.send("/cancel")
    assert "discarded" in pcso.text
    assert await broadcasts(app) == []


async def test_text_over_the_limit_is_refused_with_the_count(app: App, clock: Clock) -> None:
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await pcso.send("/broadcast")
    await pcso.send("x" * 3600)
    assert "under 3,500 characters (it has 3,600)" in pcso.text


async def test_the_audit_trail_lists_who_sent_what_to_whom(app: App, clock: Clock) -> None:
    await add_followers(app, "Tarvin", 2)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Audit me please")
    await pcso.press("Send now")
    await dispatcher(app, RecordingPort(), clock).run_due()
    async with app.deps.uow() as uow:
        [row] = await audit_rows(uow, clock(), app.deps.timezone, 10)
    assert row["sender"] == "Sam" and row["role"] == "pcso" and row["audience"] == "Tarvin"
    assert (row["status"], row["recipients"], row["sent"], row["blocked"]) == (
        "sent",
        "2",
        "2",
        "0",
    )
    assert row["text"] == "Audit me please"


async def test_the_status_message_shows_progress_and_time_left(app: App, clock: Clock) -> None:
    """Progress edits name the counts; the final edit is the summary."""
    await add_followers(app, "Tarvin", 3)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Progress")
    await pcso.press("Send now")
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()
    edits = port.to(PCSO_ID, "editMessageText")
    assert edits, "the status message is edited"
    assert any("Sent:" in e.text and "of 3" in e.text for e in edits)
    assert "Sent: 3 of 3" in edits[-1].text
    assert all(e.extra["message_id"] == 1 for e in edits)  # the message the button was on


async def test_deliveries_are_streamed_not_loaded(app: App, clock: Clock) -> None:
    """The fan-out is one INSERT ... SELECT: the rows exist without passing through Python."""
    await add_followers(app, "Tarvin", 30)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Many")
    await pcso.press("Send now")
    async with app.deps.uow() as uow:
        keys = (
            await uow.session.exec(select(Delivery.key).where(col(Delivery.kind) == "broadcast"))
        ).all()
    assert len(keys) == len(set(keys)) == 30
    assert all(key.startswith("broadcast:") for key in keys)


def _texts(replies: list[object]) -> str:
    return " ".join(r.text for r in replies if isinstance(r, Text | Edit))


async def test_the_organiser_menu_opens_a_broadcast(app: App, clock: Clock) -> None:
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await pcso.send("/organise")
    await pcso.press("Message your followers")
    assert "Write your message to the people who follow Tarvin" in pcso.text


async def test_on_postgres_two_dispatchers_reach_everyone_once(postgres_url: str) -> None:
    """Two workers on one PostgreSQL: the scheduled start fans out once, the rows are
    shared out with SKIP LOCKED, and every follower gets the message exactly once."""
    settings = Settings(database_url=postgres_url, flood_limit=100_000)
    first = await build_app(settings)
    second = await build_app(settings, apply_migrations=False)
    try:
        async with first.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        clock = Clock()
        for worker in (first, second):
            worker.deps = dataclasses.replace(worker.deps, clock=clock)
        followers = await add_followers(first, "Tarvin", 40)
        pcso = await staff(first, PCSO_ID, "pcso", community="Tarvin")
        await schedule_for_tomorrow_ten(pcso, "On PostgreSQL")
        clock.now = datetime(2026, 3, 15, 10, 1, tzinfo=UTC)
        port = RecordingPort()
        await asyncio.gather(
            Dispatcher(first, port, "one", clock, FAST).run_due(),
            Dispatcher(second, port, "two", clock, FAST).run_due(),
        )
        for chat in followers:
            assert len(port.to(chat)) == 1, chat
        [record] = await broadcasts(first)
        assert (record.status, record.total, record.sent_count) == ("sent", 40, 40)
    finally:
        await first.close()
        await second.close()
