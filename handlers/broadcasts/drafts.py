"""A broadcast being written: the draft row, what it waits for, and its preview.

The draft is the ``broadcasts`` row itself (status ``draft``; ``step`` says what it
waits for: ``text``, ``preview``, ``when``, ``confirm``), so a restart or another
worker carries on where the sender was; ``users.awaiting`` says which draft the
sender's next message is for.
"""

from __future__ import annotations

from handlers.broadcasts.audience import (
    Audience,
    may_mark_urgent,
)
from handlers.broadcasts.render import (
    follower_replies,
    preview_controls,
)
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Edit, Notice, OutboundReply, Text, keyboard
from handlers.staff.guard import log_refused
from storage.models import Broadcast

Replies = list[OutboundReply]

AWAITING_PREFIX = "broadcast:"


def awaited_id(awaiting: str) -> int | None:
    """The draft a typed message is for, from ``users.awaiting``."""
    rest = awaiting.removeprefix(AWAITING_PREFIX)
    return int(rest) if awaiting.startswith(AWAITING_PREFIX) and rest.isdigit() else None


def set_awaiting(ctx: Context, broadcast: Broadcast | None) -> None:
    ctx.user.awaiting = f"{AWAITING_PREFIX}{broadcast.id}" if broadcast else ""
    ctx.uow.session.add(ctx.user)


def refused(ctx: Context, action: str) -> Replies:
    log_refused(ctx, f"broadcast {action}")
    return [Notice(text=_("You cannot do that."), alert=True)]


def not_staff() -> Replies:
    return [
        Text(
            text=_(
                "Only neighbourhood policing teams and organisers can send messages "
                "to their followers."
            ),
            buttons=keyboard([home_button()]),
        )
    ]


async def save(ctx: Context, broadcast: Broadcast, step: str) -> None:
    """Write the draft's changes and its step, if nobody changed or sent it meanwhile
    (``StaleBroadcast``, and the update is retried, otherwise)."""
    ctx.uow.session.add(broadcast)
    await ctx.uow.broadcasts.save_draft(broadcast, step=step)


async def own_draft(ctx: Context, broadcast_id: int | None) -> Broadcast | None:
    if broadcast_id is None:
        return None
    draft = await ctx.uow.broadcasts.get(broadcast_id)
    if draft is None or draft.status != "draft" or draft.sender_id != ctx.user_id:
        return None
    return draft


async def ask_text(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    set_awaiting(ctx, draft)
    count = await ctx.uow.broadcasts.count_recipients(draft)
    return [
        Text(
            text=fmt(
                _(
                    "✏️ <b>Write your message to the people who follow {audience}</b> "
                    "({count} now).\n\nKeep it short and plain. You can send a photo with "
                    "a caption instead, or add a location after. Send /cancel to stop."
                ),
                audience=place.name,
                count=count,
            )
        )
    ]


async def preview(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    set_awaiting(ctx, draft)  # while the preview shows, a new text replaces the message
    count = await ctx.uow.broadcasts.count_recipients(draft)
    intro = Text(text=_("👀 <b>This is how your message will look:</b>"))
    controls = preview_controls(draft, place, count, may_mark_urgent=may_mark_urgent(ctx.user))
    return [intro, *follower_replies(draft, place, None, ()), controls]


def controls_edit(controls: Text) -> Edit:
    return Edit(text=controls.text, buttons=controls.buttons)


def remember_status_message(ctx: Context, broadcast: Broadcast) -> None:
    """The message the button was on becomes the live status message."""
    broadcast.status_chat_id = ctx.event.sender.chat_id
    broadcast.status_message_id = ctx.event.message_id
    ctx.uow.session.add(broadcast)
