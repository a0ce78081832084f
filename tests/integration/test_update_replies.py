"""The replies of an update are committed with it, so a re-delivery after a crash sends
them instead of losing them; they are handed out again until confirmed sent, and kept an hour at most."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import col, select

from handlers import reply_codec
from handlers.context import Deps
from handlers.dispatch import UpdateInFlight, handle
from handlers.inbound import Command, Sender, TextMessage
from handlers.outbound import (
    Button,
    DeleteMessages,
    Document,
    Edit,
    Notice,
    OutboundReply,
    Photo,
    Poll,
    StopPoll,
    Text,
    Venue,
    keyboard,
)
from handlers.retention import prune_update_log
from handlers.safety.chat_log import SentLog, remember_sent
from storage.models import ChatMessage, ProcessedUpdate
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.support.resident import Resident

EVERY_KIND: list[OutboundReply] = [
    Text(
        text="<b>Hello</b> & welcome",
        buttons=keyboard([Button("Yes", "q:1"), Button("Map", url="https://example.org")]),
        reply_keyboard=(("📍 Share",),),
        request_location="📍 Share",
        remove_reply_keyboard=True,
    ),
    Edit(text="changed", buttons=keyboard([Button("Back", "m:0")]), message_id=7),
    Notice(text="Saved", alert=True),
    Poll(question="Which?", options=("a", "b"), allows_multiple=True, anonymous=False),
    Document(filename="event.ics", content=b"\x00\xffBEGIN:VCALENDAR", mime_type="text/calendar"),
    Venue(latitude=53.19, longitude=-2.89, title="Hall", address="1 High St", chat_id=42),
    Photo(file_id="AgAD", caption="cap"),
    DeleteMessages(message_ids=(1, 2, 3)),
    StopPoll(message_id=9, chat_id=5_000_000_001),
]


def test_every_kind_of_reply_reads_back_as_it_was_written() -> None:
    assert reply_codec.loads(reply_codec.dumps(EVERY_KIND)) == EVERY_KIND


@given(st.text(max_size=300), st.binary(max_size=300), st.lists(st.text(max_size=20), max_size=4))
def test_any_text_and_bytes_survive(text: str, content: bytes, options: list[str]) -> None:
    replies: list[OutboundReply] = [
        Text(text=text, buttons=keyboard([Button(text[:10], "x")])),
        Document(filename=text or "f", content=content, caption=text),
        Poll(question=text, options=tuple(options)),
    ]
    assert reply_codec.loads(reply_codec.dumps(replies)) == replies


@given(st.text(max_size=200))
def test_anything_else_is_refused_with_value_error(text: str) -> None:
    try:
        replies = reply_codec.loads(text)
    except ValueError:
        return
    assert all(type(reply) in reply_codec.KINDS.values() for reply in replies)


def resident_sender(telegram_id: int = 5_000_000_321) -> Sender:
    return Sender(telegram_id, telegram_id, "Robin", None, "en")


async def test_a_redelivered_update_gets_its_replies_until_they_are_confirmed_sent(
    deps: Deps,
) -> None:
    event = Command(sender=resident_sender(), update_id=77_001, name="start", payload="")
    first = await handle(deps, event)
    assert first and isinstance(first[0], Text)

    # Moments later the first worker may still be sending them: try again later.
    with pytest.raises(UpdateInFlight):
        await handle(deps, event)

    # Later still, they were never confirmed sent (the worker died): sent now.
    later = dataclasses.replace(deps, clock=lambda: datetime.now(UTC) + timedelta(seconds=4))
    assert await handle(later, event) == first
    # While that worker sends them, a further re-delivery waits for it ...
    with pytest.raises(UpdateInFlight):
        await handle(later, event)
    # ... and if it died too, a re-delivery after that gets them again: none is lost.
    much_later = dataclasses.replace(deps, clock=lambda: datetime.now(UTC) + timedelta(seconds=8))
    assert await handle(much_later, event) == first
    # Once confirmed sent, they are gone.
    await remember_sent(deps, [(5_000_000_321, 601)], update_id=77_001)
    even_later = dataclasses.replace(deps, clock=lambda: datetime.now(UTC) + timedelta(seconds=12))
    assert await handle(even_later, event) == []

    async with deps.uow() as uow:
        row = await uow.session.get(ProcessedUpdate, 77_001)
        assert row is not None and row.replies is None


async def test_replies_confirmed_sent_are_not_sent_again(deps: Deps) -> None:
    event = Command(
        sender=resident_sender(5_000_000_324), update_id=77_002, name="start", payload=""
    )
    assert await handle(deps, event)
    await remember_sent(deps, [(5_000_000_324, 501)], update_id=77_002)  # the transport did

    later = dataclasses.replace(deps, clock=lambda: datetime.now(UTC) + timedelta(seconds=4))
    assert await handle(deps, event) == []  # nothing in flight any more
    assert await handle(later, event) == []


async def test_updates_finishing_together_are_recorded_in_one_write(deps: Deps) -> None:
    """The transport's SentLog: 30 updates done sending at once, fewer writes, none lost."""
    senders = [resident_sender(5_000_000_400 + i) for i in range(30)]
    for i, sender in enumerate(senders):
        event = Command(sender=sender, update_id=78_000 + i, name="start", payload="")
        assert await handle(deps, event)
    log = SentLog()
    await asyncio.gather(
        *(
            log.remember(deps, [(s.chat_id, 900 + i), (-100123, 5)], update_id=78_000 + i)
            for i, s in enumerate(senders)
        )
    )
    assert 1 <= log.writes < 30
    async with deps.uow() as uow:
        kept = (
            await uow.session.exec(
                select(ProcessedUpdate).where(col(ProcessedUpdate.update_id) >= 78_000)
            )
        ).all()
        logged = (await uow.session.exec(select(ChatMessage).where(ChatMessage.from_bot))).all()
    assert len(kept) == 30 and all(row.replies is None for row in kept)
    assert sorted((m.chat_id, m.message_id) for m in logged) == sorted(
        (s.chat_id, 900 + i) for i, s in enumerate(senders)
    )  # the group chat's message is not a private chat's: not logged


async def test_a_failed_group_write_is_logged_and_releases_every_caller(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_uow() -> Any:
        raise RuntimeError("database gone")

    broken = dataclasses.replace(deps, uow=broken_uow)
    log = SentLog()
    await asyncio.wait_for(
        asyncio.gather(
            *(log.remember(broken, [(5_000_000_500 + i, 1)], 79_000 + i) for i in range(5))
        ),
        timeout=5,
    )
    assert "sent message ids not recorded" in caplog.text


async def test_an_answer_is_stored_once_however_often_its_update_comes(deps: Deps) -> None:
    r = Resident(deps, 5_000_000_322)
    await walk_to_exists(r)
    event = TextMessage(sender=r.sender, update_id=77_100, text="Hello there")
    await handle(deps, event)
    for _ in range(2):
        with pytest.raises(UpdateInFlight):
            await handle(deps, event)
    later = dataclasses.replace(deps, clock=lambda: datetime.now(UTC) + timedelta(seconds=4))
    await handle(later, event)
    with pytest.raises(UpdateInFlight):  # its replies were handed out again just now
        await handle(later, event)
    async with deps.uow() as uow:
        rows = (
            await uow.session.exec(
                select(ProcessedUpdate).where(ProcessedUpdate.update_id == 77_100)
            )
        ).all()
    assert len(rows) == 1
    answers = await answers_of(deps, 5_000_000_322)
    assert answers["exists"].text == "Hello there"


async def test_kept_replies_go_after_an_hour_and_update_ids_after_two_days(deps: Deps) -> None:
    now = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    async with deps.uow() as uow:
        for update_id, age in (
            (1, timedelta(minutes=5)),
            (2, timedelta(hours=2)),
            (3, timedelta(days=3)),
        ):
            uow.session.add(
                ProcessedUpdate(
                    update_id=update_id, processed_at=now - age, chat_id=9, replies="[]"
                )
            )
        await uow.commit()

    assert await prune_update_log(deps, now) == 1

    async with deps.uow() as uow:
        rows = {
            row.update_id: row
            for row in (
                await uow.session.exec(
                    select(ProcessedUpdate).where(ProcessedUpdate.update_id.in_([1, 2, 3]))  # type: ignore[attr-defined]
                )
            ).all()
        }
    assert set(rows) == {1, 2}
    assert (rows[1].chat_id, rows[1].replies) == (9, "[]")
    assert (rows[2].chat_id, rows[2].replies) == (None, None)


async def test_forget_leaves_no_kept_replies_of_the_person(deps: Deps) -> None:
    r = Resident(deps, 5_000_000_323, "Philomena")
    await r.send("/start")
    await r.send("/forget")
    await r.press("🗑 Yes, delete it")
    async with deps.uow() as uow:
        kept = (
            await uow.session.exec(
                select(ProcessedUpdate).where(ProcessedUpdate.chat_id == 5_000_000_323)
            )
        ).all()
    assert kept == []
