"""The overview: participation by community, LPU, language and over time.

The counts are the report's (``storage.repositories.reports``), for the viewer's
area, with the small-numbers rule applied once (``handlers.reports.figures``);
each chart is followed by the same figures as a table. ``?format=csv`` gives
every figure as a row.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import staff_page
from bot.web.charts import Chart, bar_chart, shown_value
from bot.web.context import web
from bot.web.csv_export import csv_response, wants_csv
from bot.web.scope import Viewer
from handlers.i18n import _, current_locale
from handlers.language.names import is_rtl
from handlers.reports.figures import Figure
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork

DAYS_SHOWN_BY_DAY = 31  # more than this and the time chart counts by week


def language_label(code: str) -> str:
    """A language's name in the viewer's language ("Pwyleg" on a Welsh page)."""
    if code == "unknown":
        return _("Not known")
    try:
        return Locale.parse(code).get_display_name(current_locale()) or code
    except (UnknownLocaleError, ValueError):
        return code


def by_lpu(rows: list[tuple[str, str, int]]) -> list[tuple[str, int]]:
    totals: dict[str, int] = defaultdict(int)
    for lpu, _community, count in rows:
        totals[lpu] += count
    return sorted(totals.items(), key=lambda item: (-item[1], item[0]))


def over_time(rows: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Per day, or per week (labelled by its Monday) when the days span more than a month."""
    if not rows:
        return []
    days = [(date.fromisoformat(day), count) for day, count in rows]
    if (days[-1][0] - days[0][0]).days < DAYS_SHOWN_BY_DAY:
        return rows
    weeks: dict[date, int] = defaultdict(int)
    for day, count in days:
        weeks[day - timedelta(days=day.weekday())] += count
    return [(monday.isoformat(), count) for monday, count in sorted(weeks.items())]


async def figures(uow: UnitOfWork, scope: ReportScope, tz: ZoneInfo) -> dict[str, list[Figure]]:
    """The overview's figures, section by section (section ids are stable, for CSV);
    days are local days in ``tz``."""
    communities = await uow.reports.by_community(scope)
    languages = await uow.reports.by_language(scope)
    days = over_time(await uow.reports.by_day(scope, tz))
    return {
        "participants": [
            Figure("participants", _("People who answered"), await uow.reports.participants(scope))
        ],
        "community": [Figure("community", name, n) for _lpu, name, n in communities],
        "lpu": [Figure("lpu", name, n) for name, n in by_lpu(communities)],
        "language": [Figure("language", language_label(code), n) for code, n in languages],
        "time": [Figure("time", day, n) for day, n in days],
    }


def charts(sections: dict[str, list[Figure]]) -> list[Chart]:
    rtl = is_rtl(current_locale())
    titles = {
        "community": (_("People who answered, by community"), _("Community")),
        "lpu": (_("People who answered, by LPU"), _("LPU")),
        "language": (_("People who answered, by language"), _("Language")),
        "time": (_("Answers sent over time"), _("Day or week starting")),
    }
    return [
        bar_chart(f"chart-{key}", title, heading, sections[key], rtl=rtl)
        for key, (title, heading) in titles.items()
    ]


@staff_page
async def overview(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    if viewer.scope is None:
        return context.renderer.page("no_area.html", viewer=viewer, page="overview")
    sections = await figures(uow, viewer.scope, context.deps.timezone)
    if wants_csv(request.query_params.get("format")):
        rows = [(section, f.label, f.value) for section, items in sections.items() for f in items]
        return csv_response("chinwag-overview.csv", ("section", "label", "people"), rows)
    participants = sections["participants"][0]
    return context.renderer.page(
        "overview.html",
        viewer=viewer,
        page="overview",
        participants=shown_value(participants),
        charts=charts(sections),
    )
