"""Polls with their results, counted by the chat's own tally (``handlers.events.polls``).

The polls are the report's for the viewer's area (``uow.reports.polls``): those of
its events and action groups. Organisers see the counts as the chat shows them to
the poll's organiser. ``/polls.csv`` and ``/polls/{id}?format=csv`` download them.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import staff_page
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.scope import Viewer, one_in_scope
from handlers.events.polls import options_of, tally
from handlers.i18n import N_, _
from handlers.timefmt import when
from storage.models import Poll
from storage.uow import UnitOfWork

STATUSES = {"open": N_("Open"), "closed": N_("Closed")}


def status_name(status: str) -> str:
    return _(STATUSES.get(status, STATUSES["closed"]))


async def polls_in_scope(uow: UnitOfWork, viewer: Viewer) -> list[Poll]:
    return [] if viewer.scope is None else list(await uow.reports.polls(viewer.scope))


@staff_page
async def polls(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    rows = [(poll, sum(await tally(uow, poll))) for poll in await polls_in_scope(uow, viewer)]
    if csv_wanted(request):
        return csv_response(
            "chinwag-polls.csv",
            ("id", "question", "status", "created_at", "answers"),
            [(p.id, p.question, p.status, p.created_at.isoformat(), n) for p, n in rows],
        )
    tz = context.deps.timezone
    shown = [(p, status_name(p.status), when(p.created_at, tz), n) for p, n in rows]
    return context.renderer.page("polls.html", viewer=viewer, page="polls", polls=shown)


@staff_page
async def poll(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    wanted = request.path_params["poll_id"]
    shown = one_in_scope(await polls_in_scope(uow, viewer), wanted)
    counts = await tally(uow, shown)
    total = sum(counts)
    results = [
        (option, n, round(100 * n / total) if total else 0)
        for option, n in zip(options_of(shown), counts, strict=True)
    ]
    if csv_wanted(request):
        return csv_response(
            f"chinwag-poll-{wanted}.csv", ("option", "votes"), [(o, n) for o, n, _s in results]
        )
    return context.renderer.page(
        "poll.html",
        viewer=viewer,
        page="polls",
        poll=shown,
        poll_status=status_name(shown.status),
        results=results,
        total=total,
    )
