"""Events for residents: what is on, the details, RSVPs, calendar files and reminders."""

from __future__ import annotations

from handlers.callbacks import (
    EventAction,
    EventButton,
    OfficerAction,
    Officers,
    QuietChoice,
    QuietHours,
    ReminderChoice,
    Reminders,
)
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events import render
from handlers.events.ics import calendar_file
from handlers.events.service import offsets, schedule_reminders, set_rsvp
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Document, Edit, Notice, OutboundReply, Text, Venue, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button
from storage.models import Event

Replies = list[OutboundReply]
LIST_LIMIT = 10
REMINDER_CHOICES = {
    ReminderChoice.BOTH: "1440,60",
    ReminderChoice.DAY: "1440",
    ReminderChoice.HOUR: "60",
    ReminderChoice.OFF: "",
}


async def list_events(ctx: Context) -> Replies:
    community_id = ctx.user.community_id
    if community_id is None:
        return [
            Text(
                text=_("First, tell me where you live, so I can show what is on near you."),
                buttons=keyboard(
                    [Button(_("👮 Find my community"), encode(Officers(OfficerAction.FIND)))]
                ),
            )
        ]
    community = await ctx.uow.communities.get(community_id)
    assert community is not None
    events = await ctx.uow.events.upcoming(community_id, community.lpu_id, ctx.now(), LIST_LIMIT)
    groups = await ctx.uow.events.upcoming_for_member(ctx.user_id, ctx.now(), LIST_LIMIT)
    seen = {e.id for e in events}
    merged = sorted([*events, *(e for e in groups if e.id not in seen)], key=lambda e: e.starts_at)
    if not merged:
        return [
            Text(
                text=fmt(
                    _(
                        "Nothing is planned near {community} yet. Follow your team to hear "
                        "when there is."
                    ),
                    community=community.name,
                ),
                buttons=keyboard([home_button(), quick_exit_button()]),
            )
        ]
    rows = [
        [
            Button(
                render.list_label(e, ctx.deps.timezone),
                encode(EventButton(EventAction.OPEN, e.id or 0)),
            )
        ]
        for e in merged[:LIST_LIMIT]
    ]
    return [
        Text(
            text=fmt(
                _("<b>What is on near {community}</b>\n\nTap an event for details."),
                community=community.name,
            ),
            buttons=keyboard(*rows, [home_button(), quick_exit_button()]),
        )
    ]


async def _page(ctx: Context, event: Event) -> Text:
    assert event.id is not None
    rsvp = await ctx.uow.rsvps.get(event.id, ctx.user_id)
    position = (
        await ctx.uow.rsvps.waitlist_position(rsvp) if rsvp and rsvp.status == "waitlist" else 0
    )
    going = await ctx.uow.rsvps.count(event.id, "going")
    text = render.details(
        event, ctx.deps.timezone, going=going, rsvp=rsvp, waitlist_position=position
    )
    return Text(text=text, buttons=render.buttons(event))


async def open_event(ctx: Context, event: Event) -> Replies:
    replies: Replies = [await _page(ctx, event)]
    if event.latitude is not None and event.longitude is not None and event.status == "scheduled":
        replies.insert(
            0,
            Venue(
                latitude=event.latitude,
                longitude=event.longitude,
                title=event.venue or event.title,
                address=event.address or event.title,
            ),
        )
    return replies


async def answer(ctx: Context, event: Event, wanted: str) -> Replies:
    if event.status != "scheduled" or event.starts_at <= ctx.now():
        return [Notice(text=_("This event is over or cancelled."), alert=True)]
    outcome = await set_rsvp(ctx.uow, event, ctx.user, wanted, ctx.now())
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    notices = {
        "going": _("See you there!"),
        "maybe": _("Thanks. We will remind you."),
        "no": _("Thanks for letting us know."),
        "waitlist": _("It is full: you are on the waiting list."),
    }
    page = await _page(ctx, event)
    return [Notice(text=notices[outcome.status]), Edit(text=page.text, buttons=page.buttons)]


def ics_file(ctx: Context, event: Event) -> Document:
    first = offsets(ctx.user)
    data = calendar_file(
        uid=f"event-{event.id}@chinwag",
        title=event.title,
        start=event.starts_at,
        end=event.ends_at,
        description=event.description,
        location=", ".join(p for p in (event.venue, event.address) if p),
        latitude=event.latitude,
        longitude=event.longitude,
        reminder_minutes=first[-1] if first else 60,
        now=ctx.now(),
        tz_name=event.timezone,
        cancelled=event.status == "cancelled",
        sequence=event.version,
    )
    return Document(
        filename=f"chinwag-event-{event.id}.ics",
        content=data,
        mime_type="text/calendar",
        caption=_("Open this file to add the event to your calendar."),
    )


def reminder_menu(ctx: Context, event_id: int) -> Text:
    current = ctx.user.reminder_offsets
    labels = {
        ReminderChoice.BOTH: _("The day before and an hour before"),
        ReminderChoice.DAY: _("The day before only"),
        ReminderChoice.HOUR: _("An hour before only"),
        ReminderChoice.OFF: _("No reminders"),
    }
    rows = [
        [
            Button(
                ("✔️ " if REMINDER_CHOICES[c] == current else "") + labels[c],
                encode(Reminders(c, event_id)),
            )
        ]
        for c in ReminderChoice
    ]
    quiet = Button(_("🌙 Quiet hours"), encode(QuietHours(QuietChoice.MENU, event_id)))
    return Text(
        text=_("<b>When should I remind you about events?</b>"),
        buttons=keyboard(*rows, [quiet], [quick_exit_button()]),
    )


async def set_reminders(ctx: Context, press: Reminders) -> Replies:
    ctx.user.reminder_offsets = REMINDER_CHOICES[press.choice]
    ctx.uow.session.add(ctx.user)
    for event in await ctx.uow.events.answered(ctx.user_id, ("going", "maybe"), ctx.now()):
        await schedule_reminders(ctx.uow, event, ctx.user, ctx.now())
    menu = reminder_menu(ctx, press.event)
    return [Notice(text=_("Saved.")), Edit(text=menu.text, buttons=menu.buttons)]


async def on_button(ctx: Context, press: EventButton) -> Replies:
    if press.action is EventAction.LIST:
        return await list_events(ctx)
    event = await ctx.uow.events.get(press.event)
    if event is None or event.status == "series":
        return [Notice(text=_("That event is not in the list any more."))]
    if press.action is EventAction.OPEN:
        return await open_event(ctx, event)
    if press.action in (EventAction.GOING, EventAction.MAYBE, EventAction.NO):
        return await answer(ctx, event, press.action.value)
    if press.action is EventAction.ICS:
        return [ics_file(ctx, event)]
    return [reminder_menu(ctx, event.id or 0)]
