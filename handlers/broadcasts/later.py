"""Sending a broadcast later: the time in the sender's words, confirmed with a button."""

from __future__ import annotations

from datetime import timedelta

from handlers.broadcasts import service
from handlers.broadcasts.audience import (
    Audience,
)
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.broadcasts.drafts import remember_status_message, save, set_awaiting
from handlers.broadcasts.render import (
    scheduled_text,
    stop_button,
)
from handlers.context import Context
from handlers.events.dates import Problem, parse_when
from handlers.events.organise.wording import long_when, problem_text
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.text_input import clean
from storage.models import Broadcast

Replies = list[OutboundReply]

EARLIEST_LATER = timedelta(minutes=2)


def ask_when(ctx: Context, draft: Broadcast) -> Replies:
    set_awaiting(ctx, draft)
    return [
        Text(
            text=_(
                "🕒 <b>When should it go?</b>\n\nFor example: <i>tomorrow 9am</i>, "
                "<i>Friday 18:00</i> or <i>2/12 10:30</i>. Send /cancel to stop."
            )
        )
    ]


async def on_when(ctx: Context, draft: Broadcast, raw: str) -> Replies:
    tz = ctx.deps.timezone
    parsed = parse_when(clean(raw), ctx.now(), tz)
    if isinstance(parsed, Problem):
        return [Text(text=problem_text(parsed, tz))]
    if parsed.utc < ctx.now() + EARLIEST_LATER:
        return [
            Text(text=_("That is too soon. Choose a later time, or send it now from the preview."))
        ]
    draft.scheduled_for = parsed.utc
    await save(ctx, draft, "confirm")
    assert draft.id is not None
    confirm = BroadcastButton(BroadcastAction.CONFIRM_LATER, draft.id, 0, draft.version)
    again = BroadcastButton(BroadcastAction.LATER, draft.id, 0, draft.version)
    back = BroadcastButton(BroadcastAction.EDIT, draft.id, 1, draft.version)
    return [
        Text(
            text=fmt(_("Send it on {when}?"), when=long_when(parsed.utc, tz)),
            buttons=keyboard(
                [Button(_("✅ Yes, send it then"), encode(confirm))],
                [Button(_("Choose another time"), encode(again))],
                [Button(_("Back to the preview"), encode(back))],
            ),
        )
    ]


async def confirm_later(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    if draft.scheduled_for is None or draft.step != "confirm":
        return [Notice(text=_("That button is out of date."), alert=True)]
    if draft.scheduled_for < ctx.now() + EARLIEST_LATER:
        return [Notice(text=_("That time has passed. Choose another."), alert=True)]
    await service.schedule(ctx.uow, draft, draft.scheduled_for)
    remember_status_message(ctx, draft)
    set_awaiting(ctx, None)
    return [
        Edit(
            text=scheduled_text(draft, place, ctx.deps.timezone),
            buttons=stop_button(draft, _("✖ Cancel it")),
        )
    ]
