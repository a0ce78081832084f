"""What the delivery engine sends as several messages is recorded part by part.

A broadcast, reminder or notice over Telegram's 4096 UTF-16 units goes out as
several messages, the buttons on the last (``bot.transports.render``). Every one of
them is in ``chat_messages``, written in the transaction that marks the delivery
sent, the earlier parts with ``page_end``: so the quick exit deletes them all (it
used to know only the last, from ``deliveries.message_id``, and left the rest of a
long broadcast in the resident's chat), and a press on the buttons redoes the whole
page (over HTTP: tests/e2e/test_long_deliveries_e2e.py). /mydata shows the rows and
/forget erases them with the rest of the chat's.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
from sqlmodel import col, select

from bot.bootstrap import App
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.staff_command import grant_role
from handlers.deliveries import message_payload
from handlers.markup import utf16_len
from handlers.outbound import DeleteMessages, Document
from storage.models import ChatMessage, Community, Delivery, User
from storage.uow import UnitOfWork
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

NOON = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)  # a Saturday, outside quiet hours
FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0, progress_interval=0.0)
PCSO_ID = 7_200_000_001
FOLLOWER = 8_200_000_001
# 3400 characters, within what a sender may write (3500), but 5100 UTF-16 units:
# an emoji counts 2, so the broadcast goes as two messages.
LONG = "🚲 " * 1700


@pytest.fixture(autouse=True)
def noon(app: App) -> None:
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOON)


async def follower(app: App) -> Resident:
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        user = await uow.users.add(User(telegram_id=FOLLOWER, chat_id=FOLLOWER, first_name="Fay"))
        assert user.id is not None and tarvin.id is not None
        await uow.follows.follow(user.id, tarvin.id)
        await grant_role(uow, telegram_id=PCSO_ID, role="pcso", community="Tarvin")
        await uow.commit()
    return Resident(app.deps, FOLLOWER, "Fay")


async def broadcast_long(app: App, port: RecordingPort) -> list[int]:
    """The PCSO sends ``LONG`` to Tarvin's followers; the follower's message ids."""
    pcso = Resident(app.deps, PCSO_ID, "Pat")
    await pcso.send("/broadcast")
    await pcso.send(LONG)
    assert "This is how your message will look" in pcso.text
    await pcso.press("Send now")
    before = len(port.calls)
    await Dispatcher(app, port, "test-worker", lambda: NOON, FAST).run_due()
    calls = port.to(FOLLOWER, "sendMessage")
    assert len(calls) == 2 and utf16_len(calls[0].text + calls[1].text) > 4096
    assert not calls[0].buttons and calls[1].buttons  # the mute button, on the last part
    # RecordingPort numbers every call in turn: the follower's two messages' ids.
    return [101 + i for i, c in enumerate(port.calls) if i >= before and c.chat_id == FOLLOWER]


async def schedule_long(uow: UnitOfWork, chat_id: int, key: str) -> None:
    """``LONG`` as a message delivery to ``chat_id``, due at noon."""
    await uow.deliveries.schedule(
        key=key, kind="message", chat_id=chat_id, due_at=NOON, payload=message_payload(LONG)
    )


async def rows(app: App, chat_id: int = FOLLOWER) -> dict[int, int | None]:
    async with app.deps.uow() as uow:
        found = await uow.session.exec(
            select(ChatMessage.message_id, ChatMessage.page_end).where(
                col(ChatMessage.chat_id) == chat_id, col(ChatMessage.from_bot)
            )
        )
        return dict(found.all())


async def test_every_part_of_a_long_broadcast_is_recorded_and_the_quick_exit_deletes_them(
    app: App,
) -> None:
    resident = await follower(app)
    port = RecordingPort()
    first, last = await broadcast_long(app, port)
    assert await rows(app) == {first: last, last: None}
    async with app.deps.uow() as uow:
        assert await uow.chat_messages.page_parts(FOLLOWER, last) == (first,)
        [row] = (await uow.session.exec(select(Delivery).where(Delivery.chat_id == FOLLOWER))).all()
        assert (row.status, row.message_id) == ("sent", last)

    await resident.send("/exit")
    deleted = resident.replies[0]
    assert isinstance(deleted, DeleteMessages)
    assert {first, last} <= set(deleted.message_ids)  # both parts, not only the last


async def test_mydata_shows_the_parts_and_forget_erases_them(app: App) -> None:
    resident = await follower(app)
    first, last = await broadcast_long(app, RecordingPort())
    await resident.send("/mydata")
    data = json.loads(next(r for r in resident.replies if isinstance(r, Document)).content)
    shown = {m["message_id"]: m["page_ends_at"] for m in data["recent_chat_messages"]}
    assert shown[first] == last and last in shown

    await resident.send("/forget")
    await resident.press("Yes, delete it")
    assert "deleted what we held" in resident.text
    assert await rows(app) == {}


async def test_a_group_or_an_unknown_chat_is_not_recorded(app: App) -> None:
    """As for the replies to updates: only the private chats of people we know."""
    group, stranger = -1_001_234_567_890, 8_200_000_099
    async with app.deps.uow() as uow:
        for key, chat_id in (("g", group), ("s", stranger)):
            await schedule_long(uow, chat_id, f"long-{key}")
        await uow.commit()
    port = RecordingPort()
    assert await Dispatcher(app, port, "test-worker", lambda: NOON, FAST).run_due() == 2
    assert len(port.to(group)) == 2 and len(port.to(stranger)) == 2
    assert await rows(app, group) == {} and await rows(app, stranger) == {}


async def test_a_failing_after_sent_hook_keeps_the_record(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The hook's work is rolled back (the row is sent all the same): so is the record
    written before it in that transaction, which is written again."""
    await follower(app)

    async def broken(*args: object) -> None:
        raise RuntimeError("hook broke")

    monkeypatch.setattr("bot.dispatcher.record_sent", broken)
    first, last = await broadcast_long(app, RecordingPort())
    assert await rows(app) == {first: last, last: None}


async def test_the_record_costs_no_transaction_of_its_own(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dispatcher sends many rows: each row's record goes in the transaction that
    marks it sent, so a run opens as many transactions with it as without it."""
    async with app.deps.uow() as uow:
        for i in range(6):
            chat = FOLLOWER + i
            await uow.users.add(User(telegram_id=chat, chat_id=chat, first_name="F"))
            await schedule_long(uow, chat, f"long-{i}")
        await uow.commit()
    opened = 0
    enter = UnitOfWork.__aenter__

    async def counting(self: UnitOfWork) -> UnitOfWork:
        nonlocal opened
        opened += 1
        return await enter(self)

    monkeypatch.setattr(UnitOfWork, "__aenter__", counting)
    dispatcher = Dispatcher(app, RecordingPort(), "test-worker", lambda: NOON, FAST)
    assert await dispatcher.run_due() == 6
    with_record = opened
    assert len(await rows(app, FOLLOWER + 5)) == 2

    async with app.deps.uow() as uow:  # the same rows again, without the record
        for i in range(6):
            row = await uow.deliveries.by_key(f"long-{i}")
            assert row is not None
            row.status, row.key = "pending", f"again-{i}"
            uow.session.add(row)
        await uow.commit()

    async def nothing(*args: object) -> None:
        return None

    monkeypatch.setattr("bot.dispatcher.write_sent", nothing)
    opened = 0
    assert await dispatcher.run_due() == 6
    assert opened == with_record
