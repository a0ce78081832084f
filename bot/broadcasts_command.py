"""``chinwag broadcasts list``: the audit trail of broadcasts.

    chinwag broadcasts list [--limit 50] [--format table|csv]

One line per broadcast, newest first: when it was written, who sent it (name and
role), to which audience, its status (scheduled, sending, sent, cancelled), whether
it was urgent, and how many it went to, reached, found blocked or failed. For one
still sending, the counts are read from its deliveries as they are now.
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.settings import Settings
from handlers.markup import shorten
from storage.models import Broadcast
from storage.uow import UnitOfWork

PREVIEW = 40
COLUMNS = (
    "id",
    "created",
    "sender",
    "role",
    "audience",
    "status",
    "urgent",
    "scheduled_for",
    "recipients",
    "sent",
    "blocked",
    "failed",
    "text",
)


def add_broadcasts_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("broadcasts", help="the audit trail of broadcasts")
    what = parser.add_subparsers(dest="broadcasts_command", required=True)
    listing = what.add_parser("list", help="who sent what to whom, when, with counts")
    listing.add_argument("--limit", type=int, default=50, help="how many, newest first")
    listing.add_argument("--format", choices=("table", "csv"), default="table")


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M") if moment else ""


async def _audience(uow: UnitOfWork, broadcast: Broadcast) -> str:
    if broadcast.audience == "lpu" and broadcast.lpu_id is not None:
        lpu = await uow.communities.get_lpu(broadcast.lpu_id)
        return f"LPU {lpu.name}" if lpu else f"LPU #{broadcast.lpu_id}"
    if broadcast.community_id is not None:
        community = await uow.communities.get(broadcast.community_id)
        return community.name if community else f"community #{broadcast.community_id}"
    return ""


async def audit_rows(
    uow: UnitOfWork, now: datetime, tz: ZoneInfo, limit: int
) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for broadcast in await uow.broadcasts.recent(limit):
        assert broadcast.id is not None
        sent, blocked, failed = (
            broadcast.sent_count,
            broadcast.blocked_count,
            broadcast.failed_count,
        )
        if broadcast.finished_at is None and broadcast.started_at is not None:
            counts = await uow.broadcasts.counts(broadcast.id, now)
            sent, blocked, failed = counts.sent, counts.blocked, counts.failed
        text = " ".join(broadcast.text.split())
        rows.append(
            {
                "id": str(broadcast.id),
                "created": _local(broadcast.created_at, tz),
                "sender": broadcast.sender_name or "(erased)",
                "role": broadcast.sender_role,
                "audience": await _audience(uow, broadcast),
                "status": broadcast.status,
                "urgent": "yes" if broadcast.urgent else "no",
                "scheduled_for": _local(broadcast.scheduled_for, tz),
                "recipients": str(broadcast.total),
                "sent": str(sent),
                "blocked": str(blocked),
                "failed": str(failed),
                "text": shorten(text, PREVIEW),
            }
        )
    return rows


def _print_table(rows: list[dict[str, str]]) -> None:
    if not rows:
        print("No broadcasts yet.")
        return
    widths = {c: max(len(c), *(len(r[c]) for r in rows)) for c in COLUMNS}
    print("  ".join(c.ljust(widths[c]) for c in COLUMNS).rstrip())
    for row in rows:
        print("  ".join(row[c].ljust(widths[c]) for c in COLUMNS).rstrip())


async def run_broadcasts(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app

    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            rows = await audit_rows(uow, app.deps.clock(), settings.tz, max(1, args.limit))
    finally:
        await app.close()
    if args.format == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    else:
        _print_table(rows)
    return 0
