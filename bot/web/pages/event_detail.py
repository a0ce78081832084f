"""One event: who is going, maybe coming and waiting, who checked in, the QR code to
print for the door, and cancelling it.

The event must be in the viewer's area (``storage.repositories.reports.events_in``,
as the events list); any other id is "page not found". The QR code is the chat's
(``handlers.events.qr`` of the same check-in link), inline as a PNG. Cancelling
(this date, or for a date of a series every date still to come) asks first, then
runs the chat organiser's own "Yes, cancel it" or "Yes, cancel every date" button
(``handlers.events.organise.manage``), so the role is checked as in the chat and
everyone coming is told exactly as from the chat; what the chat said comes back on
the event's page (``bot.web.notices``).
"""

from __future__ import annotations

import base64
from typing import Literal

from sqlmodel import col, select
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import refused, staff_page
from bot.web.chat_actions import said, staff_context
from bot.web.context import web
from bot.web.csv_export import csv_response, wants_csv
from bot.web.notices import redirect_with_notice, take_notice
from bot.web.pages.events import kind_name
from bot.web.scope import Viewer
from handlers.callbacks import Organiser, OrganiserAction
from handlers.events import deeplink
from handlers.events.organise.access import can_manage
from handlers.events.organise.checkin_link import DEFAULT_BOT_USERNAME
from handlers.events.organise.manage import on_event_button
from handlers.events.qr import qr_png
from handlers.shown_text import one_line
from handlers.timefmt import when
from storage.models import Event
from storage.repositories.reports import events_in
from storage.uow import UnitOfWork

STATUSES = ("going", "maybe", "waitlist")
Confirm = Literal["one", "series"]  # which "Cancel ...?" the page asks


async def event_in_scope(request: Request, viewer: Viewer, uow: UnitOfWork) -> Event:
    """The event of the path, if the viewer's area has it; otherwise 404."""
    event_id = request.path_params["event_id"]
    if viewer.scope is None:
        raise HTTPException(404)
    query = select(Event).where(
        col(Event.id) == event_id, col(Event.status) != "series", events_in(viewer.scope)
    )
    event = (await uow.session.exec(query)).first()
    if event is None:
        raise HTTPException(404)
    return event


def event_path(request: Request) -> str:
    return f"/events/{request.path_params['event_id']}"


def checkin_link(request: Request, event: Event) -> str | None:
    """The chat's check-in link (``checkin_link.link_and_qr``); ``None`` for an event
    made without one."""
    assert event.id is not None
    username = web(request).deps.bot_username or DEFAULT_BOT_USERNAME
    try:
        payload = deeplink.event_start_payload(event.id, event.checkin_token)
    except ValueError:
        return None
    return deeplink.deep_link(username, payload)


async def _page(
    request: Request,
    viewer: Viewer,
    uow: UnitOfWork,
    *,
    confirm: Confirm | None = None,
    done: list[str] | None = None,
) -> Response:
    context = web(request)
    event = await event_in_scope(request, viewer, uow)
    assert event.id is not None
    counts = (await uow.organisers.rsvp_counts([event.id]))[event.id]
    people: dict[str, list[tuple[str, bool]]] = {s: [] for s in STATUSES}
    for rsvp, user in await uow.rsvps.attendees(event.id, STATUSES):
        people[rsvp.status].append((one_line(user.first_name), rsvp.checked_in_at is not None))
    link = checkin_link(request, event)
    qr = base64.b64encode(qr_png(link)).decode("ascii") if link else ""
    user = viewer.user
    manageable = event.status == "scheduled" and await can_manage(
        staff_context(context.deps, uow, user), event
    )
    return context.renderer.page(
        "event_detail.html",
        viewer=viewer,
        page="events",
        event=event,
        starts=when(event.starts_at, context.deps.timezone),
        kind=kind_name(event.kind),
        counts=counts,
        people=people,
        link=link,
        qr=qr,
        manageable=manageable,
        in_series=event.series_id is not None,
        confirm=confirm if manageable else None,
        done=done or [],
    )


@staff_page
async def event_detail(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    if wants_csv(request.query_params.get("format")):
        event = await event_in_scope(request, viewer, uow)
        assert event.id is not None
        rows = [
            (one_line(user.first_name), rsvp.status, "yes" if rsvp.checked_in_at else "no")
            for rsvp, user in await uow.rsvps.attendees(event.id, STATUSES)
        ]
        return csv_response(f"chinwag-event-{event.id}.csv", ("name", "answer", "checked_in"), rows)
    done = await take_notice(viewer, uow, event_path(request))
    return await _page(request, viewer, uow, done=done)


@staff_page
async def cancel_form(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """The confirmation step: "Cancel this event? Everyone coming will be told."."""
    return await _page(request, viewer, uow, confirm="one")


@staff_page
async def cancel_series_form(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """The confirmation step for every date still to come of the event's series."""
    event = await event_in_scope(request, viewer, uow)
    if event.series_id is None:
        raise HTTPException(404)
    return await _page(request, viewer, uow, confirm="series")


@staff_page
async def cancel(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    return await _cancel(request, viewer, uow, OrganiserAction.CONFIRM_ONE)


@staff_page
async def cancel_series(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    return await _cancel(request, viewer, uow, OrganiserAction.CONFIRM_SERIES)


async def _cancel(
    request: Request, viewer: Viewer, uow: UnitOfWork, action: OrganiserAction
) -> Response:
    """Press the chat organiser's "Yes, cancel ..." button for this event."""
    context = web(request)
    event = await event_in_scope(request, viewer, uow)
    assert event.id is not None
    if action is OrganiserAction.CONFIRM_SERIES and event.series_id is None:
        raise HTTPException(404)
    ctx = staff_context(context.deps, uow, viewer.user)
    if not await can_manage(ctx, event):  # as the chat's handler would refuse it
        reason = "event cancel" if action is OrganiserAction.CONFIRM_ONE else "series cancel"
        return refused(context, reason, 403, user_id=viewer.user.id, event_id=event.id)
    replies = await on_event_button(ctx, Organiser(action, event.id))
    return await redirect_with_notice(request, viewer, uow, event_path(request), said(replies))
