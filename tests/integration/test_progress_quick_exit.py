"""What a broadcast's progress reports send is recorded for the sender's quick exit.

The delivery engine's ``progress`` hooks edit the staff member's status message as
the rows go out and, at the end, send them a summary (``handlers.broadcasts.delivery``).
A staff member may be a resident too, and use the quick exit: the summary is in
``chat_messages`` with the rest of their chat, and the status message, recorded
once when it was sent, is not recorded again on each edit.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

import pytest
from sqlmodel import col, select

from bot.bootstrap import App
from bot.dispatcher import Dispatcher
from bot.transports.render import Origin, deliver
from handlers.outbound import DeleteMessages, Edit, OutboundReply, Text
from handlers.safety.chat_log import SentReplies, remember_sent, write_sent
from storage.models import ChatMessage, User
from storage.uow import UnitOfWork
from tests.integration.test_broadcasts import (
    FAST,
    PCSO_ID,
    Clock,
    add_followers,
    clock,
    dispatcher,
    staff,
    write,
)
from tests.integration.test_long_deliveries import LONG
from tests.support.recording_port import Call, RecordingPort

__all__ = ["clock"]  # the fixture, shared with test_broadcasts

STATUS = 1  # the preview the sender pressed "Send now" on (tests.support.resident)


def message_id(port: RecordingPort, call: Call) -> int:
    """RecordingPort numbers every call in turn, from 101."""
    return 101 + port.calls.index(call)


async def bot_rows(app: App, chat_id: int) -> list[int]:
    async with app.deps.uow() as uow:
        found = await uow.session.exec(
            select(ChatMessage.message_id).where(
                col(ChatMessage.chat_id) == chat_id, col(ChatMessage.from_bot)
            )
        )
        return sorted(found.all())


async def test_the_summary_is_recorded_and_the_senders_quick_exit_deletes_it(
    app: App, clock: Clock
) -> None:
    await add_followers(app, "Tarvin", 4)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Bins go out on Tuesday this week.")
    await pcso.press("Send now")
    # The status message is the preview, which the transport recorded when it sent it.
    await remember_sent(app.deps, [(PCSO_ID, STATUS)])

    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()

    edits = port.to(PCSO_ID, "editMessageText")
    assert len(edits) >= 2 and {e.extra["message_id"] for e in edits} == {STATUS}
    [summary] = port.to(PCSO_ID, "sendMessage")
    assert "Sent: 4 of 4" in summary.text
    summary_id = message_id(port, summary)
    # The summary is recorded; the status message, edited many times, once.
    assert await bot_rows(app, PCSO_ID) == [STATUS, summary_id]

    replies = await pcso.send("/exit")
    assert isinstance(replies[0], DeleteMessages)
    await deliver(port, replies, Origin(PCSO_ID))  # type: ignore[arg-type]
    [deleted] = port.to(PCSO_ID, "deleteMessages")
    assert {STATUS, summary_id} <= set(deleted.extra["message_ids"])
    assert await bot_rows(app, PCSO_ID) == []  # forgotten with the rest of the chat


async def test_every_part_of_a_long_report_is_recorded_in_one_transaction(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A report's replies, whatever the hooks say: a text too long for one message
    (each part recorded, the earlier with ``page_end``), two more messages and an
    edit of a recorded one; one write for them all, and the edited message once."""
    async with app.deps.uow() as uow:
        await uow.users.add(User(telegram_id=PCSO_ID, chat_id=PCSO_ID, first_name="Sam"))
        await uow.commit()
    await remember_sent(app.deps, [(PCSO_ID, STATUS)])

    async def report(*args: object, **kwargs: object) -> list[OutboundReply]:
        return [
            Edit(chat_id=PCSO_ID, message_id=STATUS, text="Done"),
            Text(chat_id=PCSO_ID, text=LONG),
            Text(chat_id=PCSO_ID, text="One"),
            Text(chat_id=-100_123, text="A group: not recorded"),
        ]

    writes: list[int] = []

    async def counted(uow: UnitOfWork, batch: Sequence[SentReplies], at: datetime) -> None:
        writes.append(len(batch))
        await write_sent(uow, batch, at)

    monkeypatch.setattr("bot.dispatcher.progress_replies", report)
    monkeypatch.setattr("bot.dispatcher.write_sent", counted)
    port = RecordingPort()
    await dispatcher(app, port, clock).run_due()  # nothing due: the final report only

    assert writes == [1]
    first, last, one = (message_id(port, c) for c in port.to(PCSO_ID, "sendMessage"))
    async with app.deps.uow() as uow:
        found = await uow.session.exec(
            select(ChatMessage.message_id, ChatMessage.page_end).where(
                col(ChatMessage.chat_id) == PCSO_ID
            )
        )
        rows = sorted(found.all())
        assert await uow.chat_messages.page_parts(PCSO_ID, last) == (first,)
    assert rows == [(STATUS, None), (first, last), (last, None), (one, None)]
    assert await bot_rows(app, -100_123) == []


async def test_a_failed_record_is_logged_and_the_run_goes_on(
    app: App, clock: Clock, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await add_followers(app, "Tarvin", 2)
    pcso = await staff(app, PCSO_ID, "pcso", community="Tarvin")
    await write(pcso, "Road closed on Friday.")
    await pcso.press("Send now")

    async def broken(uow: UnitOfWork, batch: Sequence[SentReplies], at: datetime) -> None:
        if any(c == PCSO_ID for item in batch for c, _ in item.messages):
            raise RuntimeError("database went away")
        await write_sent(uow, batch, at)  # the followers' rows are recorded as before

    monkeypatch.setattr("bot.dispatcher.write_sent", broken)
    port = RecordingPort()
    with caplog.at_level(logging.WARNING, "chinwag.deliveries"):
        assert await Dispatcher(app, port, "test-worker", clock, FAST).run_due() == 2
    assert port.to(PCSO_ID, "sendMessage")  # the summary went out all the same
    [failure] = [r for r in caplog.records if getattr(r, "progress", False)]
    assert failure.getMessage() == "sent message ids not recorded" and failure.exc_info
    assert await bot_rows(app, PCSO_ID) == []
