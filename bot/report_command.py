"""``chinwag report`` and ``chinwag export answers``: what residents said, for organisers.

    chinwag report [--lpu SLUG | --community NAME] [--event ID] [--since DATE]
                   [--until DATE] [--format html|md|csv|json] [--language CODE]
                   [--out FILE]
    chinwag export answers [same filters] [--format csv|json] [--out FILE]

Dates are local (``CHINWAG_TIMEZONE``), YYYY-MM-DD, and both ends are included.
Without ``--out`` the report is written to standard output. The report is in
``--language`` (a locale in ``locales/``, e.g. ``cy`` or ``pl``; by default
``CHINWAG_DEFAULT_LOCALE``), as ``/report`` is in the staff member's: what people
read is translated, what programs read in the JSON and CSV is not. It shows no
names and hides any count of fewer than 5 people; the export has one row per
answer, with a first name only for residents who did not answer anonymously.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale

from bot.errors import ConfigError
from bot.settings import Settings
from handlers.i18n import available_languages, use_locale
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork


def _filters(parser: argparse.ArgumentParser) -> None:
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lpu", default=None, help="an LPU's slug, e.g. chester")
    where.add_argument("--community", default=None, help="a community's name or slug")
    parser.add_argument("--event", type=int, default=None, help="only people going to this event")
    parser.add_argument("--since", default=None, help="first day, YYYY-MM-DD")
    parser.add_argument("--until", default=None, help="last day, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=None, help="write to this file")


def add_report_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = sub.add_parser("report", help="the report of what residents and partners said")
    _filters(report)
    report.add_argument("--format", choices=("html", "md", "csv", "json"), default="md")
    report.add_argument(
        "--language",
        default=None,
        metavar="CODE",
        help="the report's language, e.g. cy or pl (default: CHINWAG_DEFAULT_LOCALE)",
    )
    export = sub.add_parser("export", help="data exports for the force")
    what = export.add_subparsers(dest="export_command", required=True)
    answers = what.add_parser("answers", help="every answer, one row each, anonymity respected")
    _filters(answers)
    answers.add_argument("--format", choices=("csv", "json"), default="csv")
    answers.add_argument(
        "--questionnaire", choices=("resident", "organisation"), default="resident"
    )


def _language(code: str | None, default: str) -> str:
    """``--language``, or the configured default, if it is one the catalogues have."""
    asked = (code if code is not None else default).strip().lower()
    supported = available_languages()
    if asked in supported:
        return asked
    where = "--language" if code is not None else "CHINWAG_DEFAULT_LOCALE"
    names = ", ".join(f"{lang} ({Locale.parse(lang).get_display_name(lang)})" for lang in supported)
    raise ConfigError(f"{where}: {asked!r} is not a supported language; use one of {names}")


def _day(text: str | None, flag: str, tz: ZoneInfo) -> datetime | None:
    if text is None:
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{flag}: {text!r} is not a date like 2026-11-30") from None
    return datetime.combine(day, time(0), tz)


async def _scope(uow: UnitOfWork, args: argparse.Namespace, tz: ZoneInfo) -> ReportScope:
    lpu_id = community_id = None
    if args.lpu:
        lpu = await uow.communities.lpu_by_slug(args.lpu.strip().lower())
        if lpu is None:
            raise ConfigError(f"--lpu: no LPU has the slug {args.lpu!r}")
        lpu_id = lpu.id
    if args.community:
        community = await uow.communities.by_slug(args.community.strip().lower())
        if community is None:
            found = await uow.organisers.communities_named(args.community)
            if len(found) != 1:
                problem = "no community is" if not found else "several communities are"
                raise ConfigError(f"--community: {problem} called {args.community!r}")
            community = found[0]
        community_id = community.id
    if args.event is not None and await uow.events.get(args.event) is None:
        raise ConfigError(f"--event: there is no event {args.event}")
    since = _day(args.since, "--since", tz)
    until = _day(args.until, "--until", tz)
    if since and until and until < since:
        raise ConfigError("--until: the last day is before the first")
    return ReportScope(
        lpu_id=lpu_id,
        community_id=community_id,
        event_id=args.event,
        since=since,
        until=until + timedelta(days=1) if until else None,
    )


def _write(data: bytes, out: Path | None) -> None:
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        raise ConfigError(f"--out: cannot write {out} ({exc.strerror})") from None
    print(f"Wrote {out} ({len(data):,} bytes).", file=sys.stderr)


async def run_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app
    from handlers.reports.build import build_report
    from handlers.reports.render import render

    language = _language(args.language, settings.default_locale)
    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            scope = await _scope(uow, args, settings.tz)
            with use_locale(language):
                report = await build_report(uow, scope, now=app.deps.clock(), tz=settings.tz)
    finally:
        await app.close()
    with use_locale(language):
        data = render(report, args.format)
    _write(data, args.out)
    return 0


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app
    from handlers.reports.export import export_csv, export_json

    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            scope = await _scope(uow, args, settings.tz)
            rows = await uow.reports.export(scope, args.questionnaire)
    finally:
        await app.close()
    text = export_csv(rows) if args.format == "csv" else export_json(rows)
    _write(text.encode("utf-8"), args.out)
    return 0
