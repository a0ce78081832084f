"""How an event looks to a resident."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.callbacks import EventAction, EventButton
from handlers.i18n import _, _n
from handlers.markup import escape, fmt
from handlers.outbound import Button, Keyboard, keyboard
from handlers.payloads import encode
from handlers.timefmt import when
from storage.models import Event, Rsvp

KIND_ICONS = {"conversation": "🗣", "action_group": "🤝", "surgery": "👮", "other": "📅"}


def kind_label(kind: str) -> str:
    labels = {
        "conversation": _("Community Conversation"),
        "action_group": _("Action Group meeting"),
        "surgery": _("Police surgery"),
        "other": _("Community event"),
    }
    return labels.get(kind, labels["other"])


def list_label(event: Event, tz: ZoneInfo) -> str:
    return f"{KIND_ICONS.get(event.kind, '📅')} {when(event.starts_at, tz)} · {event.title}"[:60]


def rsvp_line(rsvp: Rsvp | None, waitlist_position: int) -> str:
    if rsvp is None:
        return _("Are you coming?")
    lines = {
        "going": _("✅ You said you are going."),
        "maybe": _("🤔 You said maybe."),
        "no": _("❌ You said you cannot go."),
    }
    if rsvp.status == "waitlist":
        return fmt(
            _("⏳ The event is full. You are number {n} on the waiting list."), n=waitlist_position
        )
    return lines.get(rsvp.status, "")


def details(
    event: Event, tz: ZoneInfo, *, going: int, rsvp: Rsvp | None, waitlist_position: int
) -> str:
    lines = [
        f"{KIND_ICONS.get(event.kind, '📅')} <b>{escape(event.title)}</b>",
        f"<i>{kind_label(event.kind)}</i>",
    ]
    if event.status == "cancelled":
        lines.append(_("<b>This event has been cancelled.</b>"))
    lines.append(fmt(_("🕒 {when}"), when=when(event.starts_at, tz)))
    place = ", ".join(p for p in (event.venue, event.address) if p)
    if place:
        lines.append(f"📍 {escape(place)}")
    if event.accessibility:
        lines.append(f"♿ {escape(event.accessibility)}")
    if event.description:
        lines.append(escape(event.description))
    if event.capacity is not None:
        left = max(event.capacity - going, 0)
        lines.append(_n("{n} place left", "{n} places left", left).format(n=left))
    lines.append(rsvp_line(rsvp, waitlist_position))
    return "\n\n".join(lines)


def buttons(event: Event) -> Keyboard:
    assert event.id is not None
    eid = event.id

    def b(label: str, action: EventAction) -> Button:
        return Button(label, encode(EventButton(action, eid)))

    rows: list[list[Button]] = []
    if event.status == "scheduled":
        rows.append(
            [
                b(_("✅ Going"), EventAction.GOING),
                b(_("🤔 Maybe"), EventAction.MAYBE),
                b(_("❌ Can't go"), EventAction.NO),
            ]
        )
        rows.append(
            [
                b(_("📅 Add to calendar"), EventAction.ICS),
                b(_("⏰ Reminders"), EventAction.REMINDERS),
            ]
        )
    rows.append([Button(_("◀️ All events"), encode(EventButton(EventAction.LIST)))])
    return keyboard(*rows)
