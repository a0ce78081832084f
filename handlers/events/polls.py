"""Attendee polls: sent as native Telegram polls, one copy per recipient, tallied here.

Telegram tells a bot who voted only in polls that are not anonymous (a
``poll_answer``); for anonymous ones it sends the copy's counts (a ``poll`` update).
Either way the tally is kept per poll across every recipient's copy.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime

from handlers import spreadsheet
from handlers.context import Context, Deps
from handlers.deliveries import SentMessage, after_sent, composer
from handlers.i18n import _, _n
from handlers.inbound import PollAnswer, PollState
from handlers.markup import escape, fmt, utf16_len
from handlers.outbound import Document, OutboundReply, StopPoll, Text
from handlers.outbound import Poll as PollReply
from storage.models import Delivery, Poll, User
from storage.uow import UnitOfWork

MAX_OPTIONS = 10
# sendPoll's limits, which Telegram counts in UTF-16 code units, as it counts every
# text: an emoji outside the Basic Multilingual Plane counts 2 (``utf16_len``).
MAX_QUESTION = 300
MAX_OPTION = 100


class PollError(ValueError):
    """A poll that Telegram would refuse (too many options, too long)."""


def options_of(poll: Poll) -> list[str]:
    return list(json.loads(poll.options))


def validate(question: str, options: Sequence[str]) -> None:
    if not question.strip() or utf16_len(question) > MAX_QUESTION:
        raise PollError(
            _("The question must be between 1 and 300 characters (an emoji counts as 2).")
        )
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise PollError(_("A poll needs between 2 and 10 options."))
    if any(not o.strip() or utf16_len(o) > MAX_OPTION for o in options):
        raise PollError(
            _("Each option must be between 1 and 100 characters (an emoji counts as 2).")
        )


async def send_poll(uow: UnitOfWork, poll: Poll, recipients: Sequence[User], now: datetime) -> int:
    """Schedule one delivery per recipient; the dispatcher sends them within the rate limits."""
    assert poll.id is not None
    count = 0
    for user in recipients:
        assert user.id is not None
        await uow.deliveries.schedule(
            key=f"poll:{poll.id}:{user.id}",
            kind="poll",
            chat_id=user.chat_id,
            user_id=user.id,
            due_at=now,
            payload=json.dumps({"poll_id": poll.id}),
            urgent=True,
        )
        count += 1
    return count


@composer("poll")
async def compose_poll(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    poll = await uow.polls.get(int(json.loads(delivery.payload)["poll_id"]))
    if poll is None or poll.status != "open":
        return None
    return [
        PollReply(
            question=poll.question,
            options=tuple(options_of(poll)),
            allows_multiple=poll.allows_multiple,
            anonymous=poll.anonymous,
        )
    ]


@after_sent("poll")
async def remember_copy(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, sent: tuple[SentMessage, ...]
) -> None:
    poll_id = int(json.loads(delivery.payload)["poll_id"])
    for message in sent:
        if message.poll_id:
            await uow.polls.record_copy(
                poll_id, delivery.user_id, delivery.chat_id, message.message_id, message.poll_id
            )


async def close(uow: UnitOfWork, poll: Poll, now: datetime) -> int:
    """Close the poll, and stop every recipient's native copy (through the dispatcher)."""
    assert poll.id is not None
    poll.status, poll.closed_at = "closed", now
    uow.session.add(poll)
    stopped = 0
    for copy in await uow.polls.copies(poll.id):
        if copy.message_id is None:
            continue
        await uow.deliveries.schedule(
            key=f"poll-stop:{copy.id}",
            kind="poll_stop",
            chat_id=copy.chat_id,
            user_id=copy.user_id,
            due_at=now,
            payload=json.dumps({"message_id": copy.message_id}),
            urgent=True,
        )
        stopped += 1
    return stopped


@composer("poll_stop")
async def compose_stop(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    return [StopPoll(message_id=int(json.loads(delivery.payload)["message_id"]))]


async def record_answer(ctx: Context, answer: PollAnswer) -> list[OutboundReply]:
    copy = await ctx.uow.polls.copy_by_telegram_id(answer.poll_id)
    if copy is None:
        return []
    poll = await ctx.uow.polls.get(copy.poll_id)
    if poll is None or poll.status != "open":
        return []
    options = len(options_of(poll))
    chosen = [i for i in answer.option_ids if 0 <= i < options]
    if not poll.allows_multiple:
        chosen = chosen[:1]
    await ctx.uow.polls.vote(copy.poll_id, ctx.user_id, chosen)
    return []


async def record_state(uow: UnitOfWork, state: PollState) -> None:
    copy = await uow.polls.copy_by_telegram_id(state.poll_id)
    if copy is not None:
        await uow.polls.set_counts(copy, state.counts)


async def tally(uow: UnitOfWork, poll: Poll) -> list[int]:
    assert poll.id is not None
    counts = [0] * len(options_of(poll))
    if poll.anonymous:
        for copy in await uow.polls.copies(poll.id):
            for i, n in enumerate(json.loads(copy.counts) if copy.counts else []):
                if i < len(counts):
                    counts[i] += int(n)
        return counts
    for vote, _user in await uow.polls.votes(poll.id):
        for part in vote.option_ids.split(","):
            if part.isdigit() and int(part) < len(counts):
                counts[int(part)] += 1
    return counts


async def results(uow: UnitOfWork, poll: Poll) -> Text:
    counts = await tally(uow, poll)
    total = sum(counts)
    lines = [fmt(_("📊 <b>{question}</b>"), question=poll.question)]
    for option, n in zip(options_of(poll), counts, strict=True):
        share = round(100 * n / total) if total else 0
        lines.append(f"{escape(option)}: {n} ({share}%)")
    lines.append(_n("{n} answer so far", "{n} answers so far", total).format(n=total))
    if poll.status == "closed":
        lines.append(_("This poll is closed."))
    return Text(text="\n".join(lines))


async def export_csv(uow: UnitOfWork, poll: Poll) -> Document:
    """Per option counts, and for named polls who chose what (first names only)."""
    assert poll.id is not None
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    options = options_of(poll)
    writer.writerow(["option", "votes"])
    for option, n in zip(options, await tally(uow, poll), strict=True):
        writer.writerow(spreadsheet.row([option, n]))
    if not poll.anonymous:
        writer.writerow([])
        writer.writerow(["voter", "choices"])
        for vote, user in await uow.polls.votes(poll.id):
            chosen = [
                options[int(i)]
                for i in vote.option_ids.split(",")
                if i.isdigit() and int(i) < len(options)
            ]
            writer.writerow(spreadsheet.row([user.first_name, "; ".join(chosen)]))
    return Document(
        filename=f"chinwag-poll-{poll.id}.csv",
        content=buffer.getvalue().encode(),
        mime_type="text/csv",
        caption=_("Poll results"),
    )
