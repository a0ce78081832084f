"""The quick exit, emergency advice first, and the retention rule, through the core."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from itertools import count

from sqlmodel import select

from bot.transports.render import Origin, deliver
from handlers.context import Deps
from handlers.dispatch import handle
from handlers.flood import FloodGate
from handlers.inbound import ButtonPress, Command, InboundEvent, Sender, TextMessage
from handlers.menu import emergency_advice
from handlers.outbound import DeleteMessages, OutboundReply, Text
from handlers.retention import apply_retention, months_before
from handlers.safety.chat_log import remember_sent
from storage.models import Answer, ChatMessage, Conversation
from tests.integration.test_resident_conversation import walk_to_exists
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

TELEGRAM_ID = 7_200_000_001
START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Chat:
    """A private chat: numbered messages both ways, as Telegram numbers them."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.sender = Sender(TELEGRAM_ID, TELEGRAM_ID, "Robin", None, "en")
        self.ids = count(1)
        self.updates = count(50_000)
        self.bot_ids: list[int] = []
        self.user_ids: list[int] = []
        self.replies: list[OutboundReply] = []

    async def _handle(self, event: InboundEvent) -> list[OutboundReply]:
        self.replies = await handle(self.deps, event)
        sent = []
        for reply in self.replies:
            if isinstance(reply, Text):
                message_id = next(self.ids)
                self.bot_ids.append(message_id)
                sent.append((TELEGRAM_ID, message_id))
        await remember_sent(self.deps, sent)
        return self.replies

    async def send(self, text: str) -> list[OutboundReply]:
        message_id = next(self.ids)
        self.user_ids.append(message_id)
        update_id = next(self.updates)
        if text.startswith("/"):
            return await self._handle(
                Command(
                    name=text[1:], sender=self.sender, update_id=update_id, message_id=message_id
                )
            )
        return await self._handle(
            TextMessage(text=text, sender=self.sender, update_id=update_id, message_id=message_id)
        )

    async def press(self, data: str) -> list[OutboundReply]:
        return await self._handle(
            ButtonPress(
                sender=self.sender,
                update_id=next(self.updates),
                message_id=self.bot_ids[-1],
                data=data,
                callback_id="cb",
            )
        )

    def button(self, label: str) -> str:
        for reply in reversed(self.replies):
            if isinstance(reply, Text):
                for row in reply.buttons:
                    for b in row:
                        if label in b.label:
                            return b.payload
        raise AssertionError(f"no button {label!r}")


async def test_quick_exit_deletes_both_sides_and_leaves_a_neutral_message(deps: Deps) -> None:
    clock = Clock(START)
    chat = Chat(dataclasses.replace(deps, clock=clock))
    await chat.send("/start")
    await chat.send("/help")
    clock.now += timedelta(hours=1)
    await chat.press(chat.button("Quick exit"))
    deleted, neutral = chat.replies
    assert isinstance(deleted, DeleteMessages)
    assert sorted(deleted.message_ids) == sorted(chat.user_ids + chat.bot_ids[:-1])
    assert isinstance(neutral, Text) and neutral.text == "Have a good day!"
    assert not neutral.buttons
    async with deps.uow() as uow:
        left = (await uow.session.exec(select(ChatMessage))).all()
    assert [(m.message_id, m.from_bot) for m in left] == [(chat.bot_ids[-1], True)]


async def test_messages_older_than_48_hours_are_left_alone(deps: Deps) -> None:
    clock = Clock(START)
    chat = Chat(dataclasses.replace(deps, clock=clock))
    await chat.send("/start")
    old = [*chat.user_ids, *chat.bot_ids]
    clock.now += timedelta(hours=49)
    await chat.send("/help")
    await chat.send("/exit")
    deleted = chat.replies[0]
    assert isinstance(deleted, DeleteMessages)
    assert not set(old) & set(deleted.message_ids)
    assert set(deleted.message_ids) == {old[-1] + 1, old[-1] + 2, old[-1] + 3}


async def test_quick_exit_works_half_way_through_a_conversation(deps: Deps) -> None:
    resident = Resident(deps, TELEGRAM_ID, "Robin")
    await walk_to_exists(resident)
    await resident.press("Quick exit")
    assert resident.text == "Have a good day!"
    await resident.send("/start")  # nothing was lost: it can be picked up again
    assert "You have not finished" in resident.text


async def test_an_emergency_gets_the_advice_first_and_the_answer_is_still_saved(
    deps: Deps,
) -> None:
    resident = Resident(deps, TELEGRAM_ID, "Robin")
    await walk_to_exists(resident)
    replies = await resident.send("A man with a knife hangs around the park")
    first = replies[0]
    assert isinstance(first, Text) and first.text == emergency_advice()
    assert "What is missing" in resident.text
    async with deps.uow() as uow:
        answer = (await uow.session.exec(select(Answer).where(Answer.question == "exists"))).one()
    assert answer.text == "A man with a knife hangs around the park"


async def test_an_ordinary_message_gets_no_advice(deps: Deps) -> None:
    resident = Resident(deps, TELEGRAM_ID, "Robin")
    await walk_to_exists(resident)
    await resident.send("A village hall")
    assert "999" not in resident.text


async def test_help_always_carries_the_emergency_advice(deps: Deps) -> None:
    resident = Resident(deps, TELEGRAM_ID, "Robin", language="pl")
    await resident.send("/help")
    assert "999" in resident.text and "101" in resident.text and "55" in resident.text


def test_months_before_clamps_the_day() -> None:
    assert months_before(datetime(2026, 3, 31, tzinfo=UTC), 1) == datetime(2026, 2, 28, tzinfo=UTC)
    assert months_before(datetime(2026, 1, 15, tzinfo=UTC), 24) == datetime(2024, 1, 15, tzinfo=UTC)


async def test_retention_anonymises_old_answers_once(deps: Deps) -> None:
    resident = Resident(deps, TELEGRAM_ID, "Robin")
    await walk_to_exists(resident)
    await resident.send("A village hall")  # unfinished: deleted when old
    later = datetime.now(UTC) + timedelta(days=31 * 25)
    async with deps.uow() as uow:
        sent = Conversation(user_id=None, questionnaire="resident", step="done")
        user = await uow.users.by_telegram_id(TELEGRAM_ID)
        assert user is not None
        sent.user_id = user.id
        sent.status = "submitted"
        uow.session.add(sent)
        await uow.commit()
    assert await apply_retention(deps, datetime.now(UTC)) == 0  # nothing old yet
    assert await apply_retention(deps, later) == 2
    assert await apply_retention(deps, later) == 0  # idempotent
    async with deps.uow() as uow:
        conversations = (await uow.session.exec(select(Conversation))).all()
        answers = (await uow.session.exec(select(Answer))).all()
    assert [(c.status, c.user_id) for c in conversations] == [("submitted", None)]
    assert answers == []


async def test_retention_of_zero_keeps_everything(deps: Deps) -> None:
    resident = Resident(deps, TELEGRAM_ID, "Robin")
    await walk_to_exists(resident)
    keep = dataclasses.replace(deps, retention_months=0)
    assert await apply_retention(keep, datetime.now(UTC) + timedelta(days=3650)) == 0


async def test_every_part_of_a_long_reply_is_reported_for_the_quick_exit() -> None:
    port = RecordingPort()
    sent = await deliver(
        port,  # type: ignore[arg-type]
        [Text(text="word " * 2000), Text(text="short", chat_id=-100)],
        Origin(TELEGRAM_ID),
    )
    assert sent == [(TELEGRAM_ID, 101), (TELEGRAM_ID, 102), (TELEGRAM_ID, 103), (-100, 104)]


async def test_an_emergency_sent_in_a_flood_still_gets_the_advice(deps: Deps) -> None:
    gated = dataclasses.replace(deps, flood=FloodGate(1, 10), monotonic=lambda: 0.0)
    resident = Resident(gated, TELEGRAM_ID, "Robin")
    await resident.send("/start")
    replies = await resident.send("Help me!")
    assert isinstance(replies[0], Text) and replies[0].text == emergency_advice()
    assert "slow down" in resident.text
