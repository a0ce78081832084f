"""``chinwag funding``: open funding pots, list them, export the applications.

    chinwag funding open (--lpu SLUG | --community NAME) --amount 10000 --title TEXT \\
        --closes 2027-03-31 [--opens 2026-12-01] [--purpose TEXT] [--criteria TEXT]
    chinwag funding list
    chinwag funding export --format csv [--out FILE]

Amounts are in pounds ("10000", "10,000", "£1,000.50"); they are kept in pence.
Dates are local days (``CHINWAG_TIMEZONE``), both included. The export has one row
per application: pot, area, status, amounts and dates, and the contact the
applicant gave for the project, nothing else about them.
"""

from __future__ import annotations

import argparse
import csv
import io
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.errors import ConfigError
from bot.report_command import _write
from bot.settings import Settings
from handlers import spreadsheet
from handlers.funding.apply import MAX_NAME
from handlers.funding.money import money, pence
from handlers.text_input import clean
from storage.models import FundingPot
from storage.uow import UnitOfWork

EXPORT_COLUMNS = (
    "application",
    "pot",
    "pot_title",
    "area",
    "status",
    "project_name",
    "requested",
    "decided",
    "decision_reason",
    "contact",
    "submitted_at",
    "decided_at",
)


def add_funding_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("funding", help="funding pots and applications")
    what = parser.add_subparsers(dest="funding_command", required=True)
    opening = what.add_parser("open", help="open a pot for a community or an LPU")
    area = opening.add_mutually_exclusive_group(required=True)
    area.add_argument("--lpu", help="the LPU's slug, e.g. chester")
    area.add_argument("--community", help="the community's name or slug")
    opening.add_argument("--amount", required=True, help="in pounds, e.g. 1000 or 10,000")
    opening.add_argument("--title", required=True)
    opening.add_argument("--purpose", default="", help="what the money is for")
    opening.add_argument("--criteria", default="", help="who may apply and for what")
    opening.add_argument("--opens", default=None, help="first day, YYYY-MM-DD (today)")
    opening.add_argument("--closes", required=True, help="last day, YYYY-MM-DD")
    what.add_parser("list", help="every pot with its balance and applications")
    export = what.add_parser("export", help="one row per application")
    export.add_argument("--format", choices=("csv",), default="csv")
    export.add_argument("--out", type=Path, default=None)


def pounds(amount: int | None) -> str:
    return "" if amount is None else money(amount, "en")


def _day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ConfigError(f"{flag}: {text!r} is not a date like 2027-03-31") from None


async def _area(uow: UnitOfWork, args: argparse.Namespace) -> tuple[int | None, int | None]:
    if args.lpu:
        lpu = await uow.communities.lpu_by_slug(args.lpu.strip().lower())
        if lpu is None:
            raise ConfigError(f"--lpu: no LPU has the slug {args.lpu!r}")
        return None, lpu.id
    found = await uow.organisers.communities_named(args.community)
    if len(found) != 1:
        problem = "no community is" if not found else "several communities are"
        raise ConfigError(f"--community: {problem} called {args.community!r}")
    return found[0].id, None


async def _open(uow: UnitOfWork, args: argparse.Namespace, today: date) -> int:
    try:
        amount = pence(args.amount)
    except ValueError as exc:
        raise ConfigError(f"--amount: {exc}") from None
    opens = _day(args.opens, "--opens") if args.opens else today
    closes = _day(args.closes, "--closes")
    if closes < opens:
        raise ConfigError("--closes: the last day is before the first")
    title = clean(args.title)  # as the chat takes a pot's title
    if not title:
        raise ConfigError("--title is empty")
    if len(title) > MAX_NAME:
        raise ConfigError(f"--title is longer than {MAX_NAME} characters")
    community_id, lpu_id = await _area(uow, args)
    pot = await uow.funding.open_pot(
        FundingPot(
            community_id=community_id,
            lpu_id=lpu_id,
            title=title,
            purpose=clean(args.purpose),
            criteria=clean(args.criteria),
            amount_pence=amount,
            opens_on=opens,
            closes_on=closes,
        )
    )
    await uow.commit()
    area = await uow.funding.area_name(pot)
    print(
        f"Pot {pot.id}: {pot.title} ({area}), {pounds(amount)}, "
        f"open {opens.isoformat()} to {closes.isoformat()}."
    )
    return 0


async def _list(uow: UnitOfWork) -> int:
    pots = await uow.funding.pots()
    if not pots:
        print("No funding pots yet.")
        return 0
    counts: dict[int, dict[str, int]] = {}
    for application, _pot in await uow.funding.everything():
        per_pot = counts.setdefault(application.pot_id, {})
        per_pot[application.status] = per_pot.get(application.status, 0) + 1
    for pot in pots:
        assert pot.id is not None
        states = ", ".join(f"{n} {s}" for s, n in sorted(counts.get(pot.id, {}).items()))
        print(
            f"{pot.id}  {pot.title}  {await uow.funding.area_name(pot)}  {pot.status}  "
            f"{pounds(pot.balance_pence)} left of {pounds(pot.amount_pence)}  "
            f"{pot.opens_on.isoformat()} to {pot.closes_on.isoformat()}  "
            f"applications: {states or 'none'}"
        )
    return 0


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def export_csv(uow: UnitOfWork, tz: ZoneInfo) -> str:
    """One row per application that was sent (drafts are the applicant's own)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for application, pot in await uow.funding.everything():
        if application.status == "draft":
            continue
        record = {
            "application": application.id,
            "pot": pot.id,
            "pot_title": pot.title,
            "area": await uow.funding.area_name(pot),
            "status": application.status,
            "project_name": application.project_name,
            "requested": pounds(application.requested_pence),
            "decided": pounds(application.decided_amount_pence),
            "decision_reason": application.decision_reason,
            "contact": application.contact,
            "submitted_at": _local(application.submitted_at, tz),
            "decided_at": _local(application.decided_at, tz),
        }
        writer.writerow({k: spreadsheet.cell(v) for k, v in record.items()})  # no formulas
    return out.getvalue()


async def run_funding(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app

    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            if args.funding_command == "open":
                today = app.deps.clock().astimezone(settings.tz).date()
                return await _open(uow, args, today)
            if args.funding_command == "list":
                return await _list(uow)
            data = await export_csv(uow, settings.tz)
    finally:
        await app.close()
    _write(data.encode("utf-8"), args.out)
    return 0
