"""Saving a finished event draft: the event or its series, the group told, its link and QR code."""

from __future__ import annotations

from typing import Any

from handlers import roles
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events.organise.access import not_allowed_any_more
from handlers.events.organise.buttons import menu_button, my_events_button
from handlers.events.organise.checkin_link import link_and_qr
from handlers.events.organise.create import create_events, notify_members
from handlers.events.organise.draft_data import as_int, instant, zone
from handlers.events.organise.drafts import send_back, too_late
from handlers.events.organise.place import placement
from handlers.events.organise.wording import long_when, repeat_line
from handlers.i18n import _, _n
from handlers.markup import fmt
from handlers.outbound import OutboundReply, Text, keyboard
from handlers.surgeries import notices as surgeries
from storage.models import EventDraft

Replies = list[OutboundReply]


async def save_event(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    user = ctx.user
    kind = data.get("kind")
    starts = instant(data.get("starts_at"))
    title = data.get("title")
    venue = data.get("venue")
    if kind not in roles.EVENT_KINDS or starts is None or not title or not venue:
        first_missing = (
            "kind"
            if kind not in roles.EVENT_KINDS
            else "title"
            if not title
            else ("when" if starts is None else "venue")
        )
        return await send_back(ctx, row, data, first_missing, _("Something is still missing."))
    if starts <= ctx.now():
        return await too_late(ctx, row, data)
    community, lpu_id, group = await placement(ctx, data)
    community_id = community.id if community is not None else None
    if (kind == "action_group" and group is None) or (community is None and lpu_id is None):
        return await send_back(ctx, row, data, "where", _("Please choose where it is."))
    if not roles.can_create(user, str(kind), lpu_id=lpu_id, community_id=community_id):
        await ctx.uow.organisers.drop_draft(row)
        return not_allowed_any_more()
    tz = zone(data, ctx)
    capacity = as_int(data.get("capacity"))
    latitude, longitude = data.get("latitude"), data.get("longitude")
    fields: dict[str, Any] = {
        "kind": kind,
        "title": str(title)[:200],
        "description": str(data.get("description", "")),
        "community_id": community_id,
        # A group's meetings are for its members (they see them in /events), so
        # they belong to the group rather than to the whole LPU.
        "lpu_id": None if community is not None or group is not None else lpu_id,
        "timezone": tz.key,
        "venue": str(venue)[:200],
        "address": str(data.get("address", ""))[:400],
        "latitude": float(latitude) if isinstance(latitude, int | float) else None,
        "longitude": float(longitude) if isinstance(longitude, int | float) else None,
        "accessibility": str(data.get("accessibility", "")),
        "capacity": capacity,
        "organiser_id": user.id,
        "action_group_id": group.id if group is not None else None,
        "source": "chat",
    }
    repeat = str(data.get("repeat", "none"))
    events = await create_events(ctx.uow, fields, starts, repeat, tz)
    await ctx.uow.organisers.drop_draft(row)
    first = events[0]
    told = 0
    if group is not None:
        told = await notify_members(ctx.uow, group, events, ctx.now(), ctx.deps.timezone)
    followers = await surgeries.announce_new(ctx.uow, events, ctx.now())
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    lines = [
        fmt(_("✅ <b>Saved:</b> {title}"), title=first.title),
        fmt(_("🕒 {when}"), when=long_when(first.starts_at, tz)),
    ]
    if len(events) > 1:
        note = _n(
            "({n} date is in the calendar now.)",
            "({n} dates are in the calendar now.)",
            len(events),
        ).format(n=len(events))
        lines.append(repeat_line(repeat, starts.astimezone(tz), note))
    if group is not None:
        lines.append(
            _n(
                "🤝 {n} member of the group has been told.",
                "🤝 {n} members of the group have been told.",
                told,
            ).format(n=told)
        )
    if kind == "surgery":
        lines.append(
            _n(
                "📣 {n} follower of the team will be told.",
                "📣 {n} followers of the team will be told.",
                followers,
            ).format(n=followers)
        )
    return [
        Text(text="\n\n".join(lines)),
        *link_and_qr(ctx, first),
        Text(
            text=_("What next?"),
            buttons=keyboard([my_events_button()], [menu_button()], [home_button()]),
        ),
    ]
