"""The report's funding section: applications sent and decisions for the area and period.

Each application shows its pot, project, status, amounts and dates; never who
applied nor their contact details. The counts are figures, so the CSV and the JSON
hold the same ones. A note's ``status`` is the stored id ("approved"), the same in
every language; ``status_name`` names it for people, and the figures' labels are in
the report's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.funding.money import money
from handlers.funding.status_names import for_staff
from handlers.i18n import _
from handlers.reports.figures import Figure
from storage.models import FundingApplication, FundingPot
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork

SECTION = "funding"
status_name = for_staff  # a note's status for people, in the current language


@dataclass(frozen=True, slots=True)
class FundingNote:
    pot: str
    area: str
    project: str
    status: str  # the stored id: "submitted", "question", "approved"...
    requested: str
    decided: str
    reason: str
    submitted: str  # local date
    decided_on: str  # local date, "" while waiting


def _day(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d") if moment else ""


def _in_period(application: FundingApplication, scope: ReportScope) -> bool:
    moments = [m for m in (application.submitted_at, application.decided_at) if m is not None]
    return any(
        (scope.since is None or m >= scope.since) and (scope.until is None or m < scope.until)
        for m in moments
    )


async def _in_area(uow: UnitOfWork, pot: FundingPot, scope: ReportScope) -> bool:
    if scope.community_id is not None:
        community = await uow.communities.get(scope.community_id)
        lpu_pot = pot.lpu_id is not None and community is not None
        return pot.community_id == scope.community_id or (
            lpu_pot and community is not None and pot.lpu_id == community.lpu_id
        )
    if scope.lpu_id is not None:
        return await uow.funding.pot_lpu(pot) == scope.lpu_id
    return True


async def funding_section(
    uow: UnitOfWork, scope: ReportScope, tz: ZoneInfo
) -> tuple[tuple[Figure, ...], tuple[FundingNote, ...]]:
    notes: list[FundingNote] = []
    counts = {"submitted": 0, "question": 0, "approved": 0, "declined": 0, "withdrawn": 0}
    approved_pence = 0
    for application, pot in await uow.funding.everything():
        if application.status == "draft" or not _in_period(application, scope):
            continue
        if not await _in_area(uow, pot, scope):
            continue
        counts[application.status] = counts.get(application.status, 0) + 1
        if application.status == "approved":
            approved_pence += application.decided_amount_pence or 0
        decided = application.decided_amount_pence
        notes.append(
            FundingNote(
                pot=pot.title,
                area=await uow.funding.area_name(pot),
                project=application.project_name,
                status=application.status,
                requested=money(application.requested_pence, "en"),
                decided=money(decided, "en") if decided is not None else "",
                reason=application.decision_reason,
                submitted=_day(application.submitted_at, tz),
                decided_on=_day(application.decided_at, tz),
            )
        )
    figures = (
        Figure(SECTION, _("Applications"), len(notes), people=False),
        Figure(SECTION, _("Approved"), counts["approved"], people=False),
        Figure(SECTION, _("Declined"), counts["declined"], people=False),
        Figure(
            SECTION,
            _("Waiting for a decision"),
            counts["submitted"] + counts["question"],
            people=False,
        ),
        Figure(SECTION, _("Amount approved (pence)"), approved_pence, people=False),
    )
    return figures, tuple(notes)
