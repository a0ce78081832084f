"""Composing event reminders and change notices at send time, in the recipient's language.

A reminder row carries the event id and version it was scheduled for; if the event
has since moved, been cancelled, or the resident said they cannot go, the reminder
is obsolete and nothing is sent. Reminders for tomorrow are quiet (see
``handlers.quiet_hours``): one held until the morning of the day says "today", and
one held past the start is not sent.
"""

from __future__ import annotations

import json

from handlers.callbacks import EventAction, EventButton
from handlers.context import Deps
from handlers.deliveries import composer
from handlers.events.render import KIND_ICONS
from handlers.i18n import _
from handlers.markup import escape, fmt
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.timefmt import when
from storage.models import Delivery, Event, User
from storage.uow import UnitOfWork


def _open_button(event: Event) -> Button:
    return Button(_("Open the event"), encode(EventButton(EventAction.OPEN, event.id or 0)))


@composer("reminder")
async def reminder(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    data = json.loads(delivery.payload)
    event = await uow.events.get(int(data["event_id"]))
    if user is None or user.id is None or event is None or event.id is None:
        return None
    if event.status != "scheduled" or event.version != data.get("version"):
        return None
    rsvp = await uow.rsvps.get(event.id, user.id)
    member = event.action_group_id is not None and await uow.groups.is_member(
        event.action_group_id, user.id
    )
    if not (rsvp and rsvp.status in ("going", "maybe")) and not (member and not rsvp):
        return None
    now = deps.clock()
    if event.starts_at <= now:
        return None  # held past the start (quiet hours): too late to remind
    soon = int(data.get("offset", 60)) <= 120
    today = event.starts_at.astimezone(deps.timezone).date() == now.astimezone(deps.timezone).date()
    if soon:
        heading = _("⏰ <b>Starting soon</b>")
    elif today:  # a reminder for tomorrow held until the morning of the day
        heading = _("⏰ <b>Reminder: today</b>")
    else:
        heading = _("⏰ <b>Reminder: tomorrow</b>")
    place = ", ".join(p for p in (event.venue, event.address) if p)
    text = "\n\n".join(
        filter(
            None,
            [
                heading,
                f"{KIND_ICONS.get(event.kind, '📅')} <b>{escape(event.title)}</b>",
                fmt(_("🕒 {when}"), when=when(event.starts_at, deps.timezone)),
                f"📍 {escape(place)}" if place else "",
            ],
        )
    )
    return [Text(text=text, buttons=keyboard([_open_button(event)]))]


@composer("event_notice")
async def event_notice(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    data = json.loads(delivery.payload)
    event = await uow.events.get(int(data["event_id"]))
    if user is None or event is None:
        return None
    change = data.get("change")
    moment = when(event.starts_at, deps.timezone)
    title = escape(event.title)
    if change == "cancelled":
        text = fmt(
            _("❌ <b>Cancelled:</b> {title} on {when} will not take place."),
            title=event.title,
            when=moment,
        )
        return [Text(text=text)]
    if event.status != "scheduled" or event.version != data.get("version"):
        return None  # a later change has its own notice
    if change == "promoted":
        text = fmt(
            _("🎉 A place is free: you are now going to {title} on {when}."),
            title=event.title,
            when=moment,
        )
    else:
        changed = _("🔁 <b>Changed:</b>")
        text = f"{changed} {title}\n\n" + fmt(_("🕒 Now: {when}"), when=moment)
        place = ", ".join(p for p in (event.venue, event.address) if p)
        if place:
            text += f"\n📍 {escape(place)}"
    return [Text(text=text, buttons=keyboard([_open_button(event)]))]
