"""Broadcasts: the audit trail, as ``chinwag broadcasts list`` shows it, with each
one's delivery progress read from its ``deliveries`` rows now.

A viewer sees the broadcasts sent to their area: a community's own, or those to
their LPU and its communities; an admin all of them. ``/broadcasts.csv`` downloads
the same rows.

While one is still sending, the page follows it by itself: a small inline script
(allowed by a per-response nonce in this page's own Content-Security-Policy, as
the room screen's) fetches the page again every few seconds and swaps in the new
table, until nothing is left to send. Without JavaScript, reloading does the same.
"""

from __future__ import annotations

import secrets

from starlette.requests import Request
from starlette.responses import Response

from bot.broadcasts_command import COLUMNS, audit_rows
from bot.web.auth import staff_page
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.headers import CSP
from bot.web.scope import Viewer
from storage.models import Broadcast
from storage.uow import UnitOfWork

SHOWN = 200


def _csp(nonce: str) -> str:
    """The dashboard's policy, plus this page's one script and its fetch of itself."""
    return f"{CSP}; script-src 'nonce-{nonce}'; connect-src 'self'"


async def _in_scope(uow: UnitOfWork, viewer: Viewer, broadcast: Broadcast) -> bool:
    scope = viewer.scope
    if scope is None:
        return False
    if scope.community_id is not None:
        return broadcast.community_id == scope.community_id
    if scope.lpu_id is None:
        return True
    if broadcast.lpu_id is not None:
        return broadcast.lpu_id == scope.lpu_id
    community = (
        await uow.communities.get(broadcast.community_id) if broadcast.community_id else None
    )
    return community is not None and community.lpu_id == scope.lpu_id


@staff_page
async def broadcasts(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    deps = context.deps
    now = deps.clock()
    audit = {row["id"]: row for row in await audit_rows(uow, now, deps.timezone, SHOWN)}
    rows = []
    for broadcast in await uow.broadcasts.recent(SHOWN):
        if broadcast.id is None or not await _in_scope(uow, viewer, broadcast):
            continue
        counts = await uow.broadcasts.counts(broadcast.id, now)
        rows.append((audit[str(broadcast.id)], counts))
    header = (*COLUMNS, "pending")
    if csv_wanted(request):
        return csv_response(
            "chinwag-broadcasts.csv",
            header,
            [(*(row[c] for c in COLUMNS), counts.open) for row, counts in rows],
        )
    live = any(counts.open > 0 for _row, counts in rows)
    nonce = secrets.token_urlsafe(16) if live else ""
    response = context.renderer.page(
        "broadcasts.html", viewer=viewer, page="broadcasts", broadcasts=rows, nonce=nonce
    )
    if live:
        response.headers["content-security-policy"] = _csp(nonce)
    return response
