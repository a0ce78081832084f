"""Answers and themes: what residents said in the viewer's area, with filters.

The filters (LPU, community, event, dates from and to; a GET form) narrow the
viewer's own area and never widen it: a community, LPU or event outside it is
"page not found". The top themes and the organisations mentioned are the report's
(``handlers.reports.build``, with the small-numbers rule), the answers the
export's rows (``storage.repositories.reports``: no name for an anonymous answer),
a page at a time. ``?format=csv`` downloads those answers; ``/answers/report.{fmt}``
the report of the same filters as HTML, Markdown, CSV or JSON, rendered exactly as
``/report`` in the chat and ``chinwag report`` render it.
"""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from sqlmodel import col, select
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import staff_page
from bot.web.charts import shown_value
from bot.web.context import web
from bot.web.csv_export import csv_response, wants_csv
from bot.web.scope import Viewer
from handlers.context import Deps
from handlers.payloads import row_id
from handlers.reports.build import build_report
from handlers.reports.chat import MIME
from handlers.reports.export import COLUMNS, export_records
from handlers.reports.render import FORMATS, render
from handlers.timefmt import when
from storage.models import Community, Event, Lpu
from storage.repositories.reports import ReportScope, events_in
from storage.uow import UnitOfWork

PER_PAGE = 50
EVENTS_OFFERED = 200


@dataclass(frozen=True, slots=True)
class Filters:
    lpu: int | None = None
    community: int | None = None
    event: int | None = None
    since: date | None = None
    until: date | None = None  # inclusive, as typed

    def query(self, **more: object) -> str:
        """These filters (and ``more``) as a query string, for links."""
        values = {
            "lpu": self.lpu,
            "community": self.community,
            "event": self.event,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            **more,
        }
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _number(params: QueryParams, name: str) -> int | None:
    value = params.get(name, "").strip()
    if not value:
        return None
    number = row_id(value)
    if number is None:
        raise HTTPException(404)
    return number


def _day(params: QueryParams, name: str) -> date | None:
    value = params.get(name, "").strip()
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None  # a date that is not one filters nothing (the form says which)


def filters_of(params: QueryParams) -> Filters:
    return Filters(
        lpu=_number(params, "lpu"),
        community=_number(params, "community"),
        event=_number(params, "event"),
        since=_day(params, "from"),
        until=_day(params, "to"),
    )


async def narrowed(uow: UnitOfWork, area: ReportScope, chosen: Filters, deps: Deps) -> ReportScope:
    """The viewer's ``area`` narrowed by the filters; 404 for a place or event outside it."""
    scope = area
    if chosen.lpu is not None:
        lpu = await uow.communities.get_lpu(chosen.lpu)
        if lpu is None or area.community_id is not None or area.lpu_id not in (None, chosen.lpu):
            raise HTTPException(404)
        scope = dataclasses.replace(scope, lpu_id=chosen.lpu)
    if chosen.community is not None:
        community = await uow.communities.get(chosen.community)
        wanted_lpu = scope.lpu_id
        if (
            community is None
            or area.community_id not in (None, chosen.community)
            or wanted_lpu not in (None, community.lpu_id)
        ):
            raise HTTPException(404)
        scope = dataclasses.replace(scope, community_id=chosen.community, lpu_id=None)
    if chosen.event is not None:
        found = (
            await uow.session.exec(
                select(Event.id).where(col(Event.id) == chosen.event, events_in(area))
            )
        ).first()
        if found is None:
            raise HTTPException(404)
        scope = dataclasses.replace(scope, event_id=chosen.event)
    tz = deps.timezone
    if chosen.since is not None:
        scope = dataclasses.replace(scope, since=datetime.combine(chosen.since, time(0), tz))
    if chosen.until is not None:
        end = chosen.until + timedelta(days=1)
        scope = dataclasses.replace(scope, until=datetime.combine(end, time(0), tz))
    return scope


async def _choices(
    uow: UnitOfWork, area: ReportScope, deps: Deps
) -> tuple[list[Lpu], list[Community], list[tuple[int, str]]]:
    """What the filter form offers: only places and events in the viewer's area."""
    if area.community_id is not None:
        community = await uow.communities.get(area.community_id)
        lpus: list[Lpu] = []
        communities = [community] if community else []
    elif area.lpu_id is not None:
        lpu = await uow.communities.get_lpu(area.lpu_id)
        lpus = [lpu] if lpu else []
        communities = list(await uow.communities.in_lpu(area.lpu_id))
    else:
        lpus = list(await uow.communities.lpus())
        communities = list(await uow.communities.all())
    communities.sort(key=lambda c: c.name.casefold())
    query = (
        select(Event)
        .where(events_in(area), col(Event.status) != "series")
        .order_by(col(Event.starts_at).desc())
        .limit(EVENTS_OFFERED)
    )
    events = [
        (e.id, f"{e.title} ({when(e.starts_at, deps.timezone)})")
        for e in (await uow.session.exec(query)).all()
        if e.id is not None
    ]
    return lpus, communities, events


def _page_number(params: QueryParams) -> int:
    value = params.get("page", "1")
    return max(1, int(value)) if value.isdigit() and len(value) < 7 else 1


@staff_page
async def answers(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    deps = context.deps
    csv_wanted = wants_csv(request.query_params.get("format"))
    if viewer.scope is None:
        if csv_wanted:
            return csv_response("chinwag-answers.csv", COLUMNS, [])
        return context.renderer.page("no_area.html", viewer=viewer, page="answers")
    chosen = filters_of(request.query_params)
    scope = await narrowed(uow, viewer.scope, chosen, deps)
    rows = await uow.reports.export(scope, "resident")
    records = export_records(rows)
    if csv_wanted:
        return csv_response(
            "chinwag-answers.csv", COLUMNS, [[r[c] for c in COLUMNS] for r in records]
        )
    report = await build_report(uow, scope, now=deps.clock(), tz=deps.timezone)
    number = _page_number(request.query_params)
    pages = max(1, -(-len(records) // PER_PAGE))
    number = min(number, pages)
    shown = records[(number - 1) * PER_PAGE : number * PER_PAGE]
    when_sent = {
        id(record): when(row.submitted_at, deps.timezone) if row.submitted_at else ""
        for record, row in zip(records, rows, strict=True)
    }
    lpus, communities, events = await _choices(uow, viewer.scope, deps)
    themes = [
        (figure, shown_value(figure), theme.quotes)
        for figure, theme in zip(report.theme_figures, report.themes, strict=True)
    ]
    mentioned = [(figure, shown_value(figure)) for figure in report.mentioned]
    return context.renderer.page(
        "answers.html",
        viewer=viewer,
        page="answers",
        chosen=chosen,
        lpus=lpus,
        communities=communities,
        events=events,
        themes=themes,
        mentioned=mentioned,
        answers=[(r, when_sent[id(r)]) for r in shown],
        total=len(records),
        number=number,
        pages=pages,
        formats=FORMATS,
    )


@staff_page
async def report_download(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """``/answers/report.{fmt}``: the report of these filters, as the chat sends it."""
    deps = web(request).deps
    wanted = request.path_params["fmt"]
    if wanted not in FORMATS or viewer.scope is None:
        raise HTTPException(404)
    scope = await narrowed(uow, viewer.scope, filters_of(request.query_params), deps)
    report = await build_report(uow, scope, now=deps.clock(), tz=deps.timezone)
    content = await asyncio.to_thread(render, report, wanted)
    stamp = deps.clock().astimezone(deps.timezone).strftime("%Y-%m-%d")
    return Response(
        content,
        media_type=f"{MIME[wanted]}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="chinwag-report-{stamp}.{wanted}"'},
    )
