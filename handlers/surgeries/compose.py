"""What a surgery notice says, from the surgery as it is when the notice is sent.

A notice about something that has since stopped mattering composes to nothing: a new
or moved surgery since cancelled or already begun, a cancelled date already past, or
any notice to someone who has since stopped following the team.
"""

from __future__ import annotations

import json
from datetime import datetime

from handlers.callbacks import EventAction, EventButton, OfficerAction, Officers
from handlers.context import Deps
from handlers.deliveries import composer
from handlers.events.organise.wording import repeat_label
from handlers.events.recurrence import decode_rule
from handlers.i18n import _
from handlers.markup import cut_utf16, escape, fmt
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.surgeries.notices import KIND
from handlers.timefmt import when
from storage.models import Delivery, Event, User
from storage.uow import UnitOfWork


def _is_series(event: Event) -> bool:
    return bool(event.recurrence)


async def _next_date(uow: UnitOfWork, subject: Event, now: datetime) -> Event | None:
    """The date the notice is about: the surgery itself, or a series' next date."""
    if _is_series(subject):
        if subject.status != "series" or subject.id is None:
            return None
        dates = await uow.organisers.occurrences(subject.id, now)
        return dates[0] if dates else None
    return subject if subject.status == "scheduled" and subject.starts_at > now else None


async def _team_button(uow: UnitOfWork, event: Event) -> list[Button]:
    community = await uow.communities.get(event.community_id) if event.community_id else None
    if community is None or community.id is None:
        return []
    label = _("👮 The {community} team").format(community=community.name)
    return [Button(cut_utf16(label, 64), encode(Officers(OfficerAction.SHOW, community.id)))]


def _details(deps: Deps, subject: Event, event: Event, *, moved: bool) -> list[str]:
    moment = when(event.starts_at, deps.timezone)
    lines = [
        f"<b>{escape(event.title)}</b>",
        fmt(_("🕒 Now: {when}"), when=moment) if moved else fmt(_("🕒 {when}"), when=moment),
    ]
    if _is_series(subject):
        try:
            rule = decode_rule(subject.recurrence)
        except ValueError:
            pass
        else:
            local = event.starts_at.astimezone(deps.timezone)
            lines.append("🔁 " + escape(repeat_label(rule.kind, local)))
    place = ", ".join(p for p in (event.venue, event.address) if p)
    if place:
        lines.append(f"📍 {escape(place)}")
    if event.accessibility:
        lines.append(f"♿ {escape(event.accessibility)}")
    return lines


def _cancelled(deps: Deps, subject: Event, now: datetime) -> str | None:
    heading = _("❌ <b>Police surgery cancelled</b>")
    if _is_series(subject):
        body = fmt(_("{title}: every date still to come is cancelled."), title=subject.title)
    elif subject.starts_at <= now:
        return None  # the date has passed: no news any more
    else:
        body = fmt(
            _("{title} on {when} will not take place."),
            title=subject.title,
            when=when(subject.starts_at, deps.timezone),
        )
    return f"{heading}\n\n{body}"


@composer(KIND)
async def surgery_notice(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    data = json.loads(delivery.payload)
    subject = await uow.events.get(int(data["event_id"]))
    if user is None or user.id is None or subject is None or subject.community_id is None:
        return None
    if not await uow.follows.is_following(user.id, subject.community_id):
        return None  # unfollowed since the notice was queued (held for quiet hours)
    now = deps.clock()
    team = await _team_button(uow, subject)
    if data.get("change") == "cancelled":
        text = _cancelled(deps, subject, now)
        return None if text is None else [Text(text=text, buttons=keyboard(team))]
    event = await _next_date(uow, subject, now)
    if event is None or event.id is None:
        return None
    moved = data.get("change") == "moved"
    heading = _("🔁 <b>Police surgery moved</b>") if moved else _("👮 <b>New police surgery</b>")
    lines = [heading, *_details(deps, subject, event, moved=moved)]
    lines.append(_("<i>You get this because you follow this team.</i>"))
    buttons = keyboard(
        [
            Button(_("Open the event"), encode(EventButton(EventAction.OPEN, event.id))),
            Button(_("✅ Going"), encode(EventButton(EventAction.GOING, event.id))),
        ],
        team,
    )
    return [Text(text="\n\n".join(lines), buttons=buttons)]
