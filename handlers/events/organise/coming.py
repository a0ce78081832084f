"""Who is coming to an event: the counts, and the names under each answer."""

from __future__ import annotations

from handlers.context import Context
from handlers.events.organise.buttons import back_to_event
from handlers.i18n import _, _n
from handlers.markup import escape, fmt
from handlers.outbound import OutboundReply, Text, keyboard
from handlers.shown_text import isolated, one_line
from storage.models import Event

NAMES_SHOWN = 40


def counts_line(counts: dict[str, int], capacity: int | None) -> str:
    line = fmt(
        _(
            "✅ Going: {going} · 🤔 Maybe: {maybe} · ⏳ Waiting: {waitlist} · 🎟 Checked in: {checked}"
        ),
        going=counts.get("going", 0),
        maybe=counts.get("maybe", 0),
        waitlist=counts.get("waitlist", 0),
        checked=counts.get("checked_in", 0),
    )
    if capacity is not None:
        line += "\n" + _n("Room for {n} person.", "Room for {n} people.", capacity).format(
            n=capacity
        )
    return line


async def who_is_coming(ctx: Context, event: Event) -> list[OutboundReply]:
    assert event.id is not None
    counts = (await ctx.uow.organisers.rsvp_counts([event.id]))[event.id]
    attendees = await ctx.uow.rsvps.attendees(event.id, ("going", "maybe", "waitlist"))
    lines = [
        fmt(_("<b>Who is coming: {title}</b>"), title=event.title),
        counts_line(counts, event.capacity),
    ]
    headings = {
        "going": _("✅ Going"),
        "maybe": _("🤔 Maybe"),
        "waitlist": _("⏳ Waiting list"),
    }
    for status, heading in headings.items():
        names = [
            (isolated(escape(one_line(user.first_name))) or _("(no name)"))
            + (" 🎟" if rsvp.checked_in_at else "")
            for rsvp, user in attendees
            if rsvp.status == status
        ]
        if not names:
            continue
        shown = ", ".join(names[:NAMES_SHOWN])
        more = len(names) - NAMES_SHOWN
        if more > 0:
            shown += " " + _n("and {n} more", "and {n} more", more).format(n=more)
        lines.append(f"<b>{heading}</b>: {shown}")
    return [Text(text="\n\n".join(lines), buttons=keyboard([back_to_event(event)]))]
