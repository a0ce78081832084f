"""A new time for an event: the move draft, and the move once the time is confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from handlers.context import Context
from handlers.events.organise.access import can_manage, not_allowed_any_more
from handlers.events.organise.buttons import back_to_event, menu_button
from handlers.events.organise.changes import move
from handlers.events.organise.draft_data import as_int, zone
from handlers.events.organise.drafts import start_draft
from handlers.events.organise.wording import long_when
from handlers.i18n import _, _n
from handlers.markup import fmt
from handlers.outbound import OutboundReply, Text, keyboard
from storage.models import Event, EventDraft

Replies = list[OutboundReply]


async def move_event(ctx: Context, event: Event) -> Replies:
    data = {"mode": "move", "event_id": event.id, "tz": event.timezone or ctx.deps.timezone.key}
    return await start_draft(ctx, data)


async def apply_move(
    ctx: Context, row: EventDraft, data: dict[str, Any], starts: datetime
) -> Replies:
    event = await ctx.uow.events.get(as_int(data.get("event_id")) or 0)
    await ctx.uow.organisers.drop_draft(row)
    if event is None or event.status != "scheduled" or not await can_manage(ctx, event):
        return not_allowed_any_more()
    told = await move(ctx.uow, event, starts, ctx.now())
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    tz = zone(data, ctx)
    text = "\n\n".join(
        [
            fmt(
                _("🔁 <b>{title}</b> is now on {when}."),
                title=event.title,
                when=long_when(event.starts_at, tz),
            ),
            _n(
                "{n} person who is coming has been told.",
                "{n} people who are coming have been told.",
                told,
            ).format(n=told),
        ]
    )
    return [Text(text=text, buttons=keyboard([back_to_event(event)], [menu_button()]))]
