"""Funding pots and the applications for them; approvals never overdraw a pot.

An approval is one conditional UPDATE of the pot's balance (``... WHERE balance_pence
>= :amount``) and a version-checked UPDATE of the application, in the caller's
transaction: two organisers approving at once cannot take more than is left, and
the CHECK constraint on ``balance_pence`` is a second guard.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import CursorResult, delete, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    DRAFT_ONLY,
    ActionGroup,
    ActionGroupMember,
    Community,
    FundingApplication,
    FundingPot,
    Lpu,
)
from storage.repositories.conversations import StaleConversation
from storage.repositories.guarded import update_if

OPEN_FOR_REVIEW = ("submitted", "question")
DECIDED = ("approved", "declined", "withdrawn")

Refusal = Literal["not_found", "decided", "too_much", "bad_amount"]


@dataclass(frozen=True, slots=True)
class Approval:
    """What an approval did: ``refused`` is None when it went through."""

    refused: Refusal | None
    balance_pence: int


class StaleApplication(StaleConversation):
    """Another worker moved this draft application on first (the update is retried,
    as for conversations)."""


# What an applicant's answers change on a draft application.
_DRAFT_FIELDS = (
    "step",
    "project_name",
    "problem",
    "beneficiaries",
    "cost_breakdown",
    "requested_pence",
    "partners",
    "contact",
)


def _rowcount(result: Any) -> int:
    assert isinstance(result, CursorResult)
    return int(result.rowcount)


class FundingRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # Pots

    async def open_pot(self, pot: FundingPot) -> FundingPot:
        pot.balance_pence = pot.amount_pence
        self._session.add(pot)
        await self._session.flush()
        return pot

    async def settle_draft_pot(self, pot: FundingPot, status: str, **values: Any) -> bool:
        """Open or discard a draft pot, only if it is still a draft: two presses at
        once (or "Open" and "Discard") settle it once, and the second finds it done.
        On success ``pot`` holds the values written."""
        where = [col(FundingPot.id) == pot.id, col(FundingPot.status) == "draft"]
        return await update_if(self._session, pot, where, status=status, **values)

    async def pot(self, pot_id: int) -> FundingPot | None:
        return await self._session.get(FundingPot, pot_id, populate_existing=True)

    async def pots(self) -> Sequence[FundingPot]:
        return (await self._session.exec(select(FundingPot).order_by(col(FundingPot.id)))).all()

    async def open_for(
        self, community_id: int | None, lpu_id: int | None, today: date
    ) -> Sequence[FundingPot]:
        """The pots open today for a community and its LPU."""
        area = []
        if community_id is not None:
            area.append(col(FundingPot.community_id) == community_id)
        if lpu_id is not None:
            area.append(col(FundingPot.lpu_id) == lpu_id)
        if not area:
            return []
        query = (
            select(FundingPot)
            .where(
                FundingPot.status == "open",
                col(FundingPot.opens_on) <= today,
                col(FundingPot.closes_on) >= today,
                or_(*area),
            )
            .order_by(col(FundingPot.closes_on), col(FundingPot.id))
        )
        return (await self._session.exec(query)).all()

    async def area_name(self, pot: FundingPot) -> str:
        if pot.community_id is not None:
            community = await self._session.get(Community, pot.community_id)
            return community.name if community else ""
        if pot.lpu_id is not None:
            lpu = await self._session.get(Lpu, pot.lpu_id)
            return lpu.name if lpu else ""
        return ""

    async def pot_lpu(self, pot: FundingPot) -> int | None:
        """The LPU a pot belongs to (a community's pot belongs to its LPU too)."""
        if pot.lpu_id is not None:
            return pot.lpu_id
        if pot.community_id is not None:
            community = await self._session.get(Community, pot.community_id)
            return community.lpu_id if community else None
        return None

    async def member_groups(self, user_id: int) -> Sequence[ActionGroup]:
        """The open action groups the person belongs to."""
        query = (
            select(ActionGroup)
            .where(
                ActionGroupMember.group_id == ActionGroup.id,
                ActionGroupMember.user_id == user_id,
                col(ActionGroupMember.active).is_(True),
                ActionGroup.status == "open",
            )
            .order_by(col(ActionGroup.id))
        )
        return (await self._session.exec(query)).all()

    async def open_for_person(
        self, user_id: int, community_id: int | None, today: date
    ) -> Sequence[FundingPot]:
        """Open pots for the person's community and its LPU, and their groups' LPUs."""
        lpus: set[int] = {g.lpu_id for g in await self.member_groups(user_id)}
        community = await self._session.get(Community, community_id) if community_id else None
        if community is not None:
            lpus.add(community.lpu_id)
        found: dict[int, FundingPot] = {}
        areas: list[int | None] = [*sorted(lpus)] or [None]
        for lpu_id in areas:
            for pot in await self.open_for(community_id, lpu_id, today):
                assert pot.id is not None
                found[pot.id] = pot
        return sorted(found.values(), key=lambda p: (p.closes_on, p.id or 0))

    async def pots_in_lpus(self, lpu_ids: Sequence[int] | None) -> list[int]:
        """The ids of the pots of these LPUs and their communities (``None``: all)."""
        pots = await self.pots()
        if lpu_ids is None:
            return [p.id for p in pots if p.id is not None]
        return [p.id for p in pots if p.id is not None and await self.pot_lpu(p) in lpu_ids]

    # Applications

    async def application(self, application_id: int) -> FundingApplication | None:
        return await self._session.get(FundingApplication, application_id, populate_existing=True)

    async def add_application(self, application: FundingApplication) -> FundingApplication:
        self._session.add(application)
        await self._session.flush()
        return application

    async def start_draft(self, application: FundingApplication) -> FundingApplication:
        """The applicant's draft for the pot of ``application`` (a new, unsaved draft):
        the one already begun if there is one, else one made from ``application``.

        One INSERT that does nothing if the applicant already has a draft for the pot
        (the partial unique index allows one): two workers starting it at once make
        one, since on PostgreSQL the second waits for the first to commit and then
        finds its draft, and on SQLite one writer goes at a time anyway.
        """
        assert application.status == "draft" and application.applicant_id is not None
        table = FundingApplication.__table__  # type: ignore[attr-defined]
        values = {c.name: getattr(application, c.name) for c in table.columns if c.name != "id"}
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await self._session.exec(
            insert(FundingApplication)
            .values(**values)
            .on_conflict_do_nothing(
                index_elements=["applicant_id", "pot_id"], index_where=text(DRAFT_ONLY)
            )
        )
        query = select(FundingApplication).where(
            FundingApplication.applicant_id == application.applicant_id,
            FundingApplication.pot_id == application.pot_id,
            col(FundingApplication.status) == "draft",
        )
        return (await self._session.exec(query)).one()

    async def draft_of(self, applicant_id: int) -> FundingApplication | None:
        query = (
            select(FundingApplication)
            .where(
                FundingApplication.applicant_id == applicant_id,
                col(FundingApplication.status) == "draft",
            )
            .order_by(col(FundingApplication.id).desc())
        )
        return (await self._session.exec(query)).first()

    async def save_draft(self, application: FundingApplication) -> None:
        """Write an answer to a draft, failing if another worker changed it since it
        was read: two messages at once must not both answer the same step."""
        seen = application.version
        values: dict[str, Any] = {name: getattr(application, name) for name in _DRAFT_FIELDS}
        values["version"] = seen + 1
        where = [
            col(FundingApplication.id) == application.id,
            col(FundingApplication.version) == seen,
            col(FundingApplication.status) == "draft",
        ]
        if not await update_if(self._session, application, where, **values):
            raise StaleApplication(application.id)

    async def of_applicant(self, applicant_id: int) -> Sequence[FundingApplication]:
        query = (
            select(FundingApplication)
            .where(FundingApplication.applicant_id == applicant_id)
            .order_by(col(FundingApplication.id))
        )
        return (await self._session.exec(query)).all()

    async def awaiting_answer(self, applicant_id: int) -> FundingApplication | None:
        query = select(FundingApplication).where(
            FundingApplication.applicant_id == applicant_id,
            FundingApplication.status == "question",
            FundingApplication.answer == "",
        )
        return (await self._session.exec(query)).first()

    async def for_review(self, pot_ids: Sequence[int]) -> Sequence[FundingApplication]:
        query = (
            select(FundingApplication)
            .where(
                col(FundingApplication.pot_id).in_(list(pot_ids)),
                col(FundingApplication.status).in_(OPEN_FOR_REVIEW),
            )
            .order_by(col(FundingApplication.submitted_at), col(FundingApplication.id))
        )
        return (await self._session.exec(query)).all()

    async def decided(
        self, pot_ids: Sequence[int], limit: int = 50
    ) -> Sequence[FundingApplication]:
        """The latest applications with an outcome (approved, declined, withdrawn),
        newest decision first."""
        query = (
            select(FundingApplication)
            .where(
                col(FundingApplication.pot_id).in_(list(pot_ids)),
                col(FundingApplication.status).in_(DECIDED),
            )
            .order_by(
                col(FundingApplication.decided_at).desc().nulls_last(),
                col(FundingApplication.id).desc(),
            )
            .limit(limit)
        )
        return (await self._session.exec(query)).all()

    async def everything(self) -> Sequence[tuple[FundingApplication, FundingPot]]:
        query = (
            select(FundingApplication, FundingPot)
            .where(FundingApplication.pot_id == FundingPot.id)
            .order_by(col(FundingApplication.id))
        )
        return (await self._session.exec(query)).all()

    async def _decide(self, application: FundingApplication, now: datetime, **values: Any) -> bool:
        """Move an application on, if nobody else has since it was read."""
        result = await self._session.exec(
            update(FundingApplication)
            .where(
                col(FundingApplication.id) == application.id,
                col(FundingApplication.version) == application.version,
                col(FundingApplication.status).in_(OPEN_FOR_REVIEW),
            )
            .values(version=application.version + 1, **values)
        )
        return _rowcount(result) == 1

    async def approve(
        self,
        application_id: int,
        amount_pence: int,
        by: int | None,
        now: datetime,
        version: int | None = None,
    ) -> Approval:
        """Take ``amount_pence`` from the pot and approve, or refuse and change nothing.

        The pot's UPDATE comes first, so on SQLite the transaction takes the write
        lock before it reads anything.
        """
        if amount_pence <= 0:
            return Approval("bad_amount", 0)
        reviewable = col(FundingApplication.status).in_(OPEN_FOR_REVIEW)
        pot_of_application = (
            select(FundingApplication.pot_id)
            .where(col(FundingApplication.id) == application_id, reviewable)
            .scalar_subquery()
        )
        taken = await self._session.exec(
            update(FundingPot)
            .where(
                col(FundingPot.id) == pot_of_application,
                col(FundingPot.balance_pence) >= amount_pence,
            )
            .values(balance_pence=col(FundingPot.balance_pence) - amount_pence)
        )
        application = await self.application(application_id)
        if application is None:
            return Approval("not_found", 0)
        pot = await self.pot(application.pot_id)
        balance = pot.balance_pence if pot else 0
        if _rowcount(taken) == 0:
            reason: Refusal = "too_much" if application.status in OPEN_FOR_REVIEW else "decided"
            return Approval(reason, balance)
        where = [col(FundingApplication.id) == application_id, reviewable]
        if version is not None:
            where.append(col(FundingApplication.version) == version)
        decided = await self._session.exec(
            update(FundingApplication)
            .where(*where)
            .values(
                version=FundingApplication.version + 1,
                status="approved",
                decided_amount_pence=amount_pence,
                decided_by=by,
                decided_at=now,
            )
        )
        if _rowcount(decided) == 0:  # decided by someone else meanwhile: give it back
            await self._session.exec(
                update(FundingPot)
                .where(col(FundingPot.id) == application.pot_id)
                .values(balance_pence=col(FundingPot.balance_pence) + amount_pence)
            )
            return Approval("decided", balance + amount_pence)
        await self.application(application_id)
        return Approval(None, balance)

    async def decline(
        self, application_id: int, reason: str, by: int | None, now: datetime
    ) -> bool:
        application = await self.application(application_id)
        if application is None:
            return False
        decided = await self._decide(
            application,
            now,
            status="declined",
            decision_reason=reason,
            decided_by=by,
            decided_at=now,
        )
        await self.application(application_id)
        return decided

    async def ask(self, application_id: int, question: str, by: int | None, now: datetime) -> bool:
        """Ask the applicant something; ``decided_by`` records who asked, to tell them."""
        application = await self.application(application_id)
        if application is None:
            return False
        asked = await self._decide(
            application, now, status="question", question=question, answer="", decided_by=by
        )
        await self.application(application_id)
        return asked

    async def answer(self, application_id: int, text: str) -> bool:
        """The applicant's answer; the application goes back to be reviewed."""
        result = await self._session.exec(
            update(FundingApplication)
            .where(
                col(FundingApplication.id) == application_id,
                col(FundingApplication.status) == "question",
            )
            .values(answer=text, status="submitted")
        )
        await self.application(application_id)
        return _rowcount(result) == 1

    # Data rights

    async def export_for(self, user_id: int) -> list[dict[str, Any]]:
        rows = []
        for a in await self.of_applicant(user_id):
            pot = await self.pot(a.pot_id)
            rows.append(
                {
                    "pot": pot.title if pot else "",
                    "status": a.status,
                    "project_name": a.project_name,
                    "problem": a.problem,
                    "beneficiaries": a.beneficiaries,
                    "cost_breakdown": a.cost_breakdown,
                    "requested_pence": a.requested_pence,
                    "partners": a.partners,
                    "contact": a.contact,
                    "question": a.question,
                    "answer": a.answer,
                    "decided_amount_pence": a.decided_amount_pence,
                    "decision_reason": a.decision_reason,
                    "submitted_at": a.submitted_at.isoformat() if a.submitted_at else None,
                    "decided_at": a.decided_at.isoformat() if a.decided_at else None,
                }
            )
        return rows

    async def erase_for(self, user_id: int) -> None:
        """Drafts go; sent applications stay for the pot's accounts, unlinked and
        without the contact details; what the person decided or opened stays, unsigned."""
        await self._session.exec(
            delete(FundingApplication).where(
                col(FundingApplication.applicant_id) == user_id,
                col(FundingApplication.status) == "draft",
            )
        )
        await self._session.exec(
            update(FundingApplication)
            .where(col(FundingApplication.applicant_id) == user_id)
            .values(applicant_id=None, contact="")
        )
        await self._session.exec(
            update(FundingApplication)
            .where(col(FundingApplication.decided_by) == user_id)
            .values(decided_by=None)
        )
        await self._session.exec(
            update(FundingPot).where(col(FundingPot.created_by) == user_id).values(created_by=None)
        )
