"""Checking in at an event by scanning its QR code (a ``/start ev-<id>-<token>`` link)."""

from __future__ import annotations

import hmac

from handlers.context import Context
from handlers.events.deeplink import parse_start_payload
from handlers.events.resident import open_event
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import OutboundReply, Text
from storage.clock import utcnow

Replies = list[OutboundReply]


async def from_start_payload(ctx: Context, payload: str) -> Replies | None:
    """The replies for an event deep link, or ``None`` if ``payload`` is not one."""
    parsed = parse_start_payload(payload)
    if parsed is None:
        return None
    event_id, token = parsed
    event = await ctx.uow.events.get(event_id)
    if (
        event is None
        or not event.checkin_token
        or not hmac.compare_digest(event.checkin_token, token)
    ):
        return [Text(text=_("That link is not valid any more. Ask the organiser for a new one."))]
    rsvp = await ctx.uow.rsvps.get(event_id, ctx.user_id)
    if rsvp is None or rsvp.status in ("no", "waitlist"):
        rsvp = await ctx.uow.rsvps.put(event_id, ctx.user_id, "going")
    if rsvp.checked_in_at is None:
        rsvp.checked_in_at = utcnow()
        ctx.uow.session.add(rsvp)
    welcome = Text(text=fmt(_("👋 Welcome to {title}. You are checked in."), title=event.title))
    return [welcome, *await open_event(ctx, event)]
