"""``/report`` in the chat: an organiser gets the report for their area as a file.

``/report`` sends the HTML report (charts included; it opens in any browser);
``/report md``, ``/report csv`` or ``/report json`` another format. The area is
the one the stored role gives: the whole force for an admin or a force-wide
organiser, the LPU for an organiser, sergeant or inspector, the community for a
PCSO or officer. Anyone else is refused, and the refusal is logged.
"""

from __future__ import annotations

import asyncio

from handlers.context import Context
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Document, OutboundReply, Text
from handlers.reports.build import build_report
from handlers.reports.render import FORMATS, render
from handlers.roles import everywhere, is_staff
from handlers.staff.guard import log_refused
from storage.models import User
from storage.repositories.reports import ReportScope

Replies = list[OutboundReply]

MIME = {
    "html": "text/html",
    "md": "text/markdown",
    "csv": "text/csv",
    "json": "application/json",
}


def report_scope(user: User) -> ReportScope | None:
    """The area ``user``'s stored role covers, or ``None`` if it covers none
    (residents, and staff whose role has no area yet). The dashboard uses it too."""
    if everywhere(user):
        return ReportScope()
    if user.role in ("organiser", "sergeant", "inspector") and user.role_lpu_id is not None:
        return ReportScope(lpu_id=user.role_lpu_id)
    if user.role in ("pcso", "officer") and user.role_community_id is not None:
        return ReportScope(community_id=user.role_community_id)
    return None


async def send_report(ctx: Context, payload: str) -> Replies:
    if not is_staff(ctx.user):
        log_refused(ctx, "report")
        return [Text(text=_("Only organisers and policing teams can get reports."))]
    scope = report_scope(ctx.user)
    if scope is None:
        log_refused(ctx, "report")
        return [Text(text=_("Your role has no area yet, so there is no report to send."))]
    wanted = payload.strip().lower().lstrip(".") or "html"
    if wanted not in FORMATS:
        return [
            Text(
                text=fmt(
                    _("Send /report for the report, or add a format: {formats}."),
                    formats="html, md, csv, json",
                )
            )
        ]
    report = await build_report(ctx.uow, scope, now=ctx.now(), tz=ctx.deps.timezone)
    content = await asyncio.to_thread(render, report, wanted)
    stamp = ctx.now().astimezone(ctx.deps.timezone).strftime("%Y-%m-%d")
    return [
        Document(
            filename=f"chinwag-report-{stamp}.{wanted}",
            content=content,
            mime_type=MIME[wanted],
            caption=_(
                "📊 What residents and partners said in your area. "
                "Figures below 5 people show as “fewer than 5”, and no names are shown."
            ),
        )
    ]
