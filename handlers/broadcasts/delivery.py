"""Broadcasts in the delivery engine: each follower's message, scheduled starts, progress.

- the ``broadcast`` composer builds a follower's message when their row is sent,
  in their language; a row whose broadcast was stopped, or whose follower has since
  muted or unfollowed the team, is obsolete (``None``) and is not sent;
- a ``before_run`` hook fans out scheduled broadcasts whose time has come;
- a ``progress`` hook edits each sender's status message as rows go out (sent of
  total, blocked, failed, time left) and, once nothing is left to send, writes the
  counts on the broadcast (its audit record) and sends the summary.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime

from handlers.broadcasts.audience import Audience, audience_of
from handlers.broadcasts.render import (
    follower_replies,
    mute_button,
    progress_text,
    stop_button,
    summary_text,
)
from handlers.broadcasts.service import start_due
from handlers.context import Deps
from handlers.deliveries import before_run, composer, progress
from handlers.i18n import _, use_locale
from handlers.language import bidi
from handlers.outbound import Edit, OutboundReply, Text, keyboard
from storage.models import Broadcast, Delivery, User
from storage.repositories.broadcasts import Counts
from storage.uow import UnitOfWork

# The last status text shown per broadcast, so an unchanged status is not edited
# again on every run. Cosmetic only: losing it (a restart) costs one repeated edit.
_last_shown: OrderedDict[int, str] = OrderedDict()
_REMEMBER = 256


@composer("broadcast")
async def compose_broadcast(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    if delivery.broadcast_id is None:
        raise ValueError(f"delivery {delivery.id}: a broadcast row needs its broadcast")
    broadcast = await uow.broadcasts.get(delivery.broadcast_id)
    if broadcast is None or broadcast.status == "cancelled" or user is None or user.id is None:
        return None
    if not await uow.broadcasts.still_wanted(broadcast, user.id):
        return None  # muted or unfollowed since the broadcast was queued
    audience = await audience_of(uow, broadcast)
    if audience is None:
        return None
    buttons = keyboard([mute_button(audience)])
    return follower_replies(broadcast, audience, delivery.chat_id, buttons)


@before_run("broadcasts")
async def start_scheduled(deps: Deps, uow: UnitOfWork, now: datetime) -> int:
    return await start_due(uow, now)


def _seconds_left(broadcast: Broadcast, counts: Counts, now: datetime) -> float | None:
    """From the pace so far: what is still due, over messages done per second."""
    due = counts.pending - counts.held + counts.sending
    done = counts.sent + counts.blocked + counts.failed
    if broadcast.started_at is None or due <= 0 or done <= 0:
        return None
    elapsed = (now - broadcast.started_at).total_seconds()
    if elapsed <= 0:
        return None
    return due / (done / elapsed)


def _status_edit(broadcast: Broadcast, text: str, *, stoppable: bool) -> list[OutboundReply]:
    if broadcast.status_chat_id is None or broadcast.status_message_id is None:
        return []
    buttons = stop_button(broadcast, _("⏹ Stop sending")) if stoppable else ()
    return [
        Edit(
            chat_id=broadcast.status_chat_id,
            message_id=broadcast.status_message_id,
            text=text,
            buttons=buttons,
        )
    ]


def _changed(broadcast_id: int, text: str) -> bool:
    if _last_shown.get(broadcast_id) == text:
        return False
    _last_shown[broadcast_id] = text
    _last_shown.move_to_end(broadcast_id)
    while len(_last_shown) > _REMEMBER:
        _last_shown.popitem(last=False)
    return True


async def _report(
    deps: Deps, uow: UnitOfWork, broadcast: Broadcast, audience: Audience, now: datetime
) -> list[OutboundReply]:
    assert broadcast.id is not None
    counts = await uow.broadcasts.counts(broadcast.id, now)
    if counts.open == 0:
        await uow.broadcasts.finish(broadcast, counts, now)
        _last_shown.pop(broadcast.id, None)
        summary = summary_text(broadcast, audience, counts)
        replies = _status_edit(broadcast, summary, stoppable=False)
        if broadcast.status_chat_id is not None:
            replies.append(Text(chat_id=broadcast.status_chat_id, text=summary))
        return replies
    text = progress_text(
        broadcast,
        audience,
        counts,
        seconds_left=_seconds_left(broadcast, counts, now),
        held_until=await uow.broadcasts.next_held(broadcast.id, now) if counts.held else None,
        tz=deps.timezone,
    )
    if broadcast.status == "cancelled":
        text = _("⏹ Stopping…") + "\n" + text
    if not _changed(broadcast.id, text):
        return []
    broadcast.progress_at = now
    uow.session.add(broadcast)
    return _status_edit(broadcast, text, stoppable=broadcast.status == "sending")


@progress("broadcasts")
async def report_progress(
    deps: Deps, uow: UnitOfWork, now: datetime, final: bool
) -> list[OutboundReply]:
    replies: list[OutboundReply] = []
    for broadcast in await uow.broadcasts.unfinished():
        audience = await audience_of(uow, broadcast)
        if audience is None:
            continue
        sender = await uow.users.get(broadcast.sender_id) if broadcast.sender_id else None
        language = sender.language if sender else deps.default_locale
        with use_locale(language):
            report = await _report(deps, uow, broadcast, audience, now)
        replies.extend(bidi.for_language(report, language))
    return replies
