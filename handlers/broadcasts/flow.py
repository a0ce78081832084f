"""``/broadcast``: write to your followers, see it as they will, then send (``presses``).

Every step re-checks the stored role (``audience.may_control``); the draft and its
preview are in ``drafts``, sending later in ``later``.
"""

from __future__ import annotations

from collections.abc import Callable

from handlers.broadcasts.audience import (
    Audience,
    audience_of,
    audiences,
    may_control,
)
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.broadcasts.drafts import (
    AWAITING_PREFIX,
    ask_text,
    awaited_id,
    not_staff,
    own_draft,
    preview,
    refused,
    save,
    set_awaiting,
)
from handlers.broadcasts.later import ask_when, on_when
from handlers.broadcasts.render import (
    TEXT_LIMIT,
)
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.staff.guard import log_refused
from handlers.text_input import clean
from storage.models import Broadcast

Replies = list[OutboundReply]

__all__ = ["AWAITING_PREFIX", "awaited_id", "cancel", "on_location", "on_photo", "on_text", "start"]


async def start(ctx: Context) -> Replies:
    places = await audiences(ctx.uow, ctx.user)
    if not places:
        # A resident as much as staff without an area: every refusal is logged alike.
        log_refused(
            ctx, "broadcast" if ctx.user.role == "resident" else "broadcast without an area"
        )
        return not_staff()
    draft = await ctx.uow.broadcasts.draft_of(ctx.user_id)
    if draft is not None and await may_control(ctx.uow, ctx.user, draft):
        return await _resume(ctx, draft)
    if len(places) == 1:
        return await new_draft(ctx, places[0])
    rows = [
        [
            Button(
                place.name,
                encode(
                    BroadcastButton(
                        BroadcastAction.LPU if place.kind == "lpu" else BroadcastAction.COMMUNITY,
                        0,
                        place.id,
                    )
                ),
            )
        ]
        for place in places
    ]
    return [
        Text(
            text=_("<b>Who is your message for?</b>\n\nChoose the area whose followers get it."),
            buttons=keyboard(*rows, [home_button()]),
        )
    ]


async def new_draft(ctx: Context, place: Audience) -> Replies:
    user = ctx.user
    name = user.first_name + (f" (@{user.username})" if user.username else "")
    draft = await ctx.uow.broadcasts.add(
        Broadcast(
            sender_id=user.id,
            sender_name=name[:200],
            sender_role=user.role,
            audience=place.kind,
            community_id=place.id if place.kind == "community" else None,
            lpu_id=place.id if place.kind == "lpu" else None,
            status="draft",
            step="text",
        )
    )
    return await ask_text(ctx, draft, place)


async def _resume(ctx: Context, draft: Broadcast) -> Replies:
    place = await audience_of(ctx.uow, draft)
    if place is None:
        return not_staff()
    if draft.step == "text" or not draft.text:
        return await ask_text(ctx, draft, place)
    if draft.step in ("when", "confirm"):
        return ask_when(ctx, draft)
    return await preview(ctx, draft, place)


async def on_text(ctx: Context, broadcast_id: int, raw: str) -> Replies:
    draft = await own_draft(ctx, broadcast_id)
    if draft is None:
        set_awaiting(ctx, None)
        return [
            Text(text=_("That message is no longer being written. Send /broadcast to start again."))
        ]
    place = await audience_of(ctx.uow, draft)
    if place is None or not await may_control(ctx.uow, ctx.user, draft):
        set_awaiting(ctx, None)
        return refused(ctx, "text")
    if draft.step in ("when", "confirm"):
        return await on_when(ctx, draft, raw)
    text = clean(raw)
    if not text:
        return [Text(text=_("Please write the message you want to send."))]
    if len(text) > TEXT_LIMIT:
        return [
            Text(
                text=fmt(
                    _(
                        "That is too long: please keep it under {limit} characters (it has {count})."
                    ),
                    limit=TEXT_LIMIT,
                    count=len(text),
                )
            )
        ]
    draft.text = text
    await save(ctx, draft, "preview")
    return await preview(ctx, draft, place)


async def _attach(
    ctx: Context,
    broadcast_id: int,
    what: str,
    attach: Callable[[Broadcast], None],
    ask_for_text: str,
) -> Replies:
    """Add a photo or a location to the sender's draft, then preview it (or ask for
    the text, if there is none yet)."""
    draft = await own_draft(ctx, broadcast_id)
    if draft is None:
        set_awaiting(ctx, None)
        return [Text(text=_("That message is no longer being written."))]
    place = await audience_of(ctx.uow, draft)
    if place is None or not await may_control(ctx.uow, ctx.user, draft):
        return refused(ctx, what)
    attach(draft)
    if not draft.text:
        await save(ctx, draft, "text")
        return [Text(text=ask_for_text)]
    await save(ctx, draft, "preview")
    return await preview(ctx, draft, place)


async def on_photo(ctx: Context, broadcast_id: int, file_id: str, caption: str) -> Replies:
    """A photo goes with the message (its caption becomes the text, if there is none)."""

    def attach(draft: Broadcast) -> None:
        draft.photo = file_id[:200]
        text = clean(caption)
        if text and len(text) <= TEXT_LIMIT:
            draft.text = text

    ask = _("📷 Got the photo. Now write the text to go with it.")
    return await _attach(ctx, broadcast_id, "photo", attach, ask)


async def on_location(
    ctx: Context, broadcast_id: int, latitude: float, longitude: float
) -> Replies:
    """A location is pinned to the message (shown as a map after the text)."""

    def attach(draft: Broadcast) -> None:
        draft.latitude, draft.longitude = latitude, longitude

    ask = _("📍 Got the location. Now write the text to go with it.")
    return await _attach(ctx, broadcast_id, "location", attach, ask)


async def cancel(ctx: Context, broadcast_id: int) -> Replies:
    draft = await own_draft(ctx, broadcast_id)
    set_awaiting(ctx, None)
    if draft is not None and draft.id is not None:
        await ctx.uow.broadcasts.discard(draft.id)
    return [
        Text(
            text=_("Your message was discarded. Nothing was sent."),
            buttons=keyboard([home_button()]),
        )
    ]
