"""My events: the list, an event's card, and its buttons (move, cancel, who is coming, QR code)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers import roles
from handlers.callbacks import Organiser, OrganiserAction
from handlers.context import Context
from handlers.events import render
from handlers.events.organise.access import can_manage
from handlers.events.organise.buttons import (
    LIST_LIMIT,
    back_to_event,
    menu_button,
    my_events_button,
    new_event_button,
    org,
)
from handlers.events.organise.changes import cancel_event, cancel_series
from handlers.events.organise.checkin_link import link_and_qr
from handlers.events.organise.coming import counts_line, who_is_coming
from handlers.events.organise.moving import move_event
from handlers.events.organise.wording import long_when
from handlers.i18n import _, _n
from handlers.markup import escape, fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.staff.guard import log_refused
from storage.models import Event

Replies = list[OutboundReply]


async def managed_events(ctx: Context) -> list[Event]:
    """Upcoming events ``ctx.user`` may manage, soonest first."""
    user = ctx.user
    lpu_id = user.role_lpu_id if user.role in ("organiser", "sergeant", "inspector") else None
    community_id = user.role_community_id if user.role in ("pcso", "officer") else None
    found = await ctx.uow.organisers.upcoming_events(
        ctx.now(),
        everywhere=roles.everywhere(user),
        lpu_id=lpu_id,
        community_id=community_id,
        organiser_id=ctx.user_id,
    )
    return [e for e in found if await can_manage(ctx, e)]


async def my_events(ctx: Context) -> Replies:
    events = await managed_events(ctx)
    if not events:
        return [
            Text(
                text=_("You have no events coming up. Tap “New event” to plan one."),
                buttons=keyboard([new_event_button()], [menu_button()]),
            )
        ]
    rows = [
        [Button(render.list_label(e, ctx.deps.timezone), org(OrganiserAction.OPEN, e.id or 0))]
        for e in events[:LIST_LIMIT]
    ]
    return [
        Text(
            text=_("<b>My events</b>\n\nTap one to change it, cancel it or see who is coming."),
            buttons=keyboard(*rows, [menu_button()]),
        )
    ]


async def _manageable(ctx: Context, event_id: int) -> Event | None:
    event = await ctx.uow.events.get(event_id)
    if event is None or event.status == "series" or not await can_manage(ctx, event):
        return None
    return event


def _zone(ctx: Context, event: Event) -> ZoneInfo:
    return ZoneInfo(event.timezone) if event.timezone else ctx.deps.timezone


async def open_for_organiser(ctx: Context, event: Event) -> Replies:
    assert event.id is not None
    tz = _zone(ctx, event)
    counts = (await ctx.uow.organisers.rsvp_counts([event.id]))[event.id]
    lines = [
        f"{render.KIND_ICONS.get(event.kind, '📅')} <b>{escape(event.title)}</b>",
        f"<i>{render.kind_label(event.kind)}</i>",
    ]
    if event.status == "cancelled":
        lines.append(_("<b>This event has been cancelled.</b>"))
    lines.append(fmt(_("🕒 {when}"), when=long_when(event.starts_at, tz)))
    if event.series_id is not None:
        lines.append(_("🔁 One date of a repeating event."))
    place = ", ".join(p for p in (event.venue, event.address) if p)
    if place:
        lines.append(f"📍 {escape(place)}")
    lines.append(counts_line(counts, event.capacity))
    o = event.id
    rows: list[list[Button]] = []
    if event.status == "scheduled":
        rows.append([Button(_("🕒 Change the time"), org(OrganiserAction.MOVE, o))])
        rows.append([Button(_("👥 Who is coming"), org(OrganiserAction.WHO, o))])
        rows.append([Button(_("🔳 QR code and link"), org(OrganiserAction.QR, o))])
        if event.series_id is not None:
            rows.append([Button(_("❌ Cancel this date"), org(OrganiserAction.CANCEL_ONE, o))])
            rows.append([Button(_("🗓 Cancel every date"), org(OrganiserAction.CANCEL_SERIES, o))])
        else:
            rows.append([Button(_("❌ Cancel the event"), org(OrganiserAction.CANCEL_ONE, o))])
    rows.append([Button(_("◀️ My events"), org(OrganiserAction.EVENTS))])
    return [Text(text="\n\n".join(lines), buttons=keyboard(*rows))]


def _confirm_cancel(event: Event, tz: ZoneInfo, series: bool) -> Text:
    o = event.id or 0
    if series:
        question = fmt(
            _(
                "Cancel <b>every date still to come</b> of {title}? Everyone who said they "
                "are coming will be told."
            ),
            title=event.title,
        )
        yes = Button(_("Yes, cancel every date"), org(OrganiserAction.CONFIRM_SERIES, o))
    else:
        question = fmt(
            _("Cancel {title} on {when}? Everyone who said they are coming will be told."),
            title=event.title,
            when=long_when(event.starts_at, tz),
        )
        yes = Button(_("Yes, cancel it"), org(OrganiserAction.CONFIRM_ONE, o))
    return Text(
        text=question,
        buttons=keyboard([yes], [Button(_("No, keep it"), org(OrganiserAction.OPEN, o))]),
    )


def _cannot_manage(ctx: Context, press: Organiser) -> Replies:
    log_refused(ctx, f"event {press.action.value}")
    return [Notice(text=_("You cannot manage that event."), alert=True)]


async def on_event_button(ctx: Context, press: Organiser) -> Replies:
    """An organiser button about one event: whether it may be managed is checked now."""
    action = press.action
    event = await _manageable(ctx, press.event)
    if event is None:
        return _cannot_manage(ctx, press)
    tz = _zone(ctx, event)
    if action is OrganiserAction.OPEN:
        return await open_for_organiser(ctx, event)
    if action is OrganiserAction.WHO:
        return await who_is_coming(ctx, event)
    if action is OrganiserAction.QR:
        done = Text(text=_("Done."), buttons=keyboard([back_to_event(event)]))
        return [*link_and_qr(ctx, event), done]
    if event.status != "scheduled":
        return [Notice(text=_("This event has been cancelled."), alert=True)]
    if action is OrganiserAction.MOVE:
        return await move_event(ctx, event)
    if action is OrganiserAction.CANCEL_ONE:
        return [_confirm_cancel(event, tz, series=False)]
    if action is OrganiserAction.CANCEL_SERIES and event.series_id is not None:
        return [_confirm_cancel(event, tz, series=True)]
    if action is OrganiserAction.CONFIRM_ONE:
        told = await cancel_event(ctx.uow, event, ctx.now())
        return _cancelled(ctx, told)
    if action is OrganiserAction.CONFIRM_SERIES and event.series_id is not None:
        series = await ctx.uow.events.get(event.series_id)
        if series is None or not await can_manage(ctx, series):
            return _cannot_manage(ctx, press)
        told = await cancel_series(ctx.uow, series, ctx.now())
        return _cancelled(ctx, told)
    return [Notice(text=_("That button does not work here."))]


def _cancelled(ctx: Context, told: int) -> Replies:
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    return [
        Text(
            text=_("❌ Cancelled.")
            + " "
            + _n(
                "{n} person who was coming has been told.",
                "{n} people who were coming have been told.",
                told,
            ).format(n=told),
            buttons=keyboard([my_events_button()]),
        )
    ]
