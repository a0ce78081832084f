"""Upcoming events in the viewer's area, with who is coming and who checked in.

``/events`` as a page, ``/events.csv`` (or ``?format=csv``) as a download, both
from the same rows (``storage.repositories.event_counts``). These are counts of
RSVPs for organising the room, not a breakdown of people, so they are shown as
they are, as in the chat's "who is coming".
"""

from __future__ import annotations

from datetime import datetime, time

from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import staff_page
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.scope import Viewer
from handlers.i18n import N_, _
from handlers.timefmt import when
from storage.repositories.event_counts import EventRow
from storage.uow import UnitOfWork

KINDS = {
    "conversation": N_("Community Conversation"),
    "action_group": N_("Action group meeting"),
    "surgery": N_("Police surgery"),
    "other": N_("Event"),
}
CSV_HEADER = (
    "id",
    "title",
    "kind",
    "status",
    "starts_at",
    "venue",
    "community",
    "lpu",
    "capacity",
    "going",
    "maybe",
    "waiting",
    "checked_in",
)


def kind_name(kind: str) -> str:
    return _(KINDS.get(kind, KINDS["other"]))


def _csv_row(row: EventRow) -> tuple[object, ...]:
    return (
        row.id,
        row.title,
        row.kind,
        row.status,
        row.starts_at.isoformat(),
        row.venue,
        row.community,
        row.lpu,
        "" if row.capacity is None else row.capacity,
        row.going,
        row.maybe,
        row.waiting,
        row.checked_in,
    )


async def _rows(request: Request, viewer: Viewer, uow: UnitOfWork) -> list[EventRow]:
    deps = web(request).deps
    assert viewer.scope is not None
    today = datetime.combine(deps.clock().astimezone(deps.timezone).date(), time(0), deps.timezone)
    return await uow.event_counts.upcoming(viewer.scope, today)


@staff_page
async def events(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    as_csv = csv_wanted(request)
    if viewer.scope is None:
        if as_csv:
            return csv_response("chinwag-events.csv", CSV_HEADER, [])
        return context.renderer.page("no_area.html", viewer=viewer, page="events")
    rows = await _rows(request, viewer, uow)
    if as_csv:
        return csv_response("chinwag-events.csv", CSV_HEADER, [_csv_row(r) for r in rows])
    tz = context.deps.timezone
    shown = [(row, when(row.starts_at, tz), kind_name(row.kind)) for row in rows]
    return context.renderer.page("events.html", viewer=viewer, page="events", events=shown)
