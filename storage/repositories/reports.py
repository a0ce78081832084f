"""Read-only queries behind the organisers' report and the answers export.

Everything is counted in SQL but the days (local days need the time zone); only the
answers themselves (which the report lists), the time each conversation was sent and
one row per conversation for the export are fetched. A ``ReportScope`` says
which submitted conversations count: an LPU or a community, the people who said
they were going to (or checked in at) one event, and a date range on when the
answers were sent.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, literal, or_, true
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    ActionGroup,
    Answer,
    Community,
    Conversation,
    Event,
    Lpu,
    Poll,
    Rsvp,
    User,
)


@dataclass(frozen=True, slots=True)
class ReportScope:
    lpu_id: int | None = None
    community_id: int | None = None
    event_id: int | None = None
    since: datetime | None = None  # UTC, inclusive
    until: datetime | None = None  # UTC, exclusive


@dataclass(frozen=True, slots=True)
class AnswerRow:
    conversation_id: int
    question: str
    text: str | None
    choices: str
    language: str | None
    community: str
    anonymous: bool
    submitted_at: datetime | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    conversation_id: int
    questionnaire: str
    submitted_at: datetime | None
    community: str
    lpu: str
    anonymous: bool
    name: str  # "" when anonymous or forgotten
    question: str
    text: str | None
    choices: str
    language: str | None


def _conversations(scope: ReportScope, questionnaire: str) -> Select[Any]:
    """The ids of the submitted conversations in scope, as a subquery."""
    query: Select[Any] = sa_select(col(Conversation.id)).where(
        col(Conversation.status) == "submitted", col(Conversation.questionnaire) == questionnaire
    )
    area_free = questionnaire != "resident"  # organisations' plans are not tied to a community
    place = None
    if scope.community_id is not None:
        place = col(Conversation.community_id) == scope.community_id
    elif scope.lpu_id is not None:
        place = col(Conversation.community_id).in_(
            select(col(Community.id)).where(Community.lpu_id == scope.lpu_id)
        )
    if place is not None:
        query = query.where(
            or_(place, col(Conversation.community_id).is_(None)) if area_free else place
        )
    if scope.event_id is not None:
        attendees = select(col(Rsvp.user_id)).where(
            Rsvp.event_id == scope.event_id,
            or_(col(Rsvp.status) == "going", col(Rsvp.checked_in_at).is_not(None)),
        )
        query = query.where(col(Conversation.user_id).in_(attendees))
    if scope.since is not None:
        query = query.where(col(Conversation.submitted_at) >= scope.since)
    if scope.until is not None:
        query = query.where(col(Conversation.submitted_at) < scope.until)
    return query


def _lpu_of(scope: ReportScope) -> Select[Any]:
    """The LPU of the scope (a community's, for a community scope), as a subquery."""
    if scope.community_id is not None:
        return sa_select(col(Community.lpu_id)).where(col(Community.id) == scope.community_id)
    return sa_select(literal(scope.lpu_id))


def events_in(scope: ReportScope) -> ColumnElement[bool]:
    """Which events belong to the scope's area: those in its community (or in a
    community of its LPU), and those for the whole LPU or one of its action groups;
    every event when the scope has no area.
    ``scope.event_id`` and the dates are not applied here."""
    if scope.community_id is None and scope.lpu_id is None:
        return true()
    communities = sa_select(col(Community.id))
    if scope.community_id is not None:
        communities = communities.where(col(Community.id) == scope.community_id)
    else:
        communities = communities.where(col(Community.lpu_id) == scope.lpu_id)
    groups = sa_select(col(ActionGroup.id)).where(col(ActionGroup.lpu_id).in_(_lpu_of(scope)))
    return or_(
        col(Event.community_id).in_(communities),
        and_(
            col(Event.community_id).is_(None),
            or_(col(Event.lpu_id).in_(_lpu_of(scope)), col(Event.action_group_id).in_(groups)),
        ),
    )


def _language_of_conversation() -> object:
    """The language a conversation's answers were mostly written in, else the chat's."""
    inner = aliased(Answer)
    written = (
        select(col(inner.language))
        .where(inner.conversation_id == Conversation.id, col(inner.language).is_not(None))
        .group_by(col(inner.language))
        .order_by(func.count().desc(), col(inner.language))
        .limit(1)
        .correlate(Conversation)
        .scalar_subquery()
    )
    return func.coalesce(written, User.language, literal("unknown"))


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def participants(self, scope: ReportScope, questionnaire: str = "resident") -> int:
        ids = _conversations(scope, questionnaire).subquery()
        query = select(func.count()).select_from(ids)
        return int((await self._session.exec(query)).one())

    async def by_community(self, scope: ReportScope) -> list[tuple[str, str, int]]:
        """(LPU, community, conversations), most first."""
        ids = _conversations(scope, "resident")
        query = (
            select(Lpu.name, Community.name, func.count(distinct(col(Conversation.id))))
            .select_from(Conversation)
            .join(Community, col(Community.id) == Conversation.community_id)
            .join(Lpu, col(Lpu.id) == Community.lpu_id)
            .where(col(Conversation.id).in_(ids))
            .group_by(Lpu.name, Community.name)
            .order_by(func.count(distinct(col(Conversation.id))).desc(), Community.name)
        )
        return [(lpu, name, int(n)) for lpu, name, n in (await self._session.exec(query)).all()]

    async def by_language(self, scope: ReportScope) -> list[tuple[str, int]]:
        ids = _conversations(scope, "resident")
        language = _language_of_conversation().label("language")  # type: ignore[attr-defined]
        per_conversation = (
            select(col(Conversation.id), language)
            .select_from(Conversation)
            .outerjoin(User, col(User.id) == Conversation.user_id)
            .where(col(Conversation.id).in_(ids))
            .subquery()
        )
        query = (
            select(per_conversation.c.language, func.count())
            .group_by(per_conversation.c.language)
            .order_by(func.count().desc(), per_conversation.c.language)
        )
        return [(str(lang), int(n)) for lang, n in (await self._session.exec(query)).all()]

    async def by_day(self, scope: ReportScope, tz: ZoneInfo) -> list[tuple[str, int]]:
        """(YYYY-MM-DD, conversations sent that day), oldest first; days are local in
        ``tz``, as the scope's dates are. Counted here rather than in SQL: SQLite knows
        no time zones, and PostgreSQL's date() would use the connection's own."""
        ids = _conversations(scope, "resident")
        query = select(Conversation.submitted_at).where(col(Conversation.id).in_(ids))
        days = Counter(
            sent.astimezone(tz).date().isoformat()
            for sent in (await self._session.exec(query)).all()
            if sent is not None
        )
        return sorted(days.items())

    async def choice_counts(
        self, scope: ReportScope, question: str, option_ids: Sequence[str]
    ) -> dict[str, int]:
        """How many conversations picked each option of a multiple-choice question."""
        if not option_ids:
            return {}
        ids = _conversations(scope, "resident")
        padded = literal(",") + col(Answer.choices) + literal(",")
        columns = [
            func.coalesce(func.sum(case((padded.like(f"%,{option},%"), 1), else_=0)), 0)
            for option in option_ids
        ]
        query = select(*columns).where(
            and_(col(Answer.conversation_id).in_(ids), col(Answer.question) == question)
        )
        row = (await self._session.exec(query)).one()
        return {option: int(n) for option, n in zip(option_ids, row, strict=True)}

    async def answers(self, scope: ReportScope, questionnaire: str) -> list[AnswerRow]:
        ids = _conversations(scope, questionnaire)
        query = (
            sa_select(
                col(Answer.conversation_id),
                col(Answer.question),
                col(Answer.text),
                col(Answer.choices),
                col(Answer.language),
                func.coalesce(Community.name, literal("")),
                col(Conversation.anonymous),
                col(Conversation.submitted_at),
            )
            .select_from(Answer)
            .join(Conversation, col(Conversation.id) == Answer.conversation_id)
            .outerjoin(Community, col(Community.id) == Conversation.community_id)
            .where(col(Answer.conversation_id).in_(ids))
            .order_by(col(Answer.conversation_id), col(Answer.id))
        )
        return [AnswerRow(*row) for row in (await self._session.exec(query)).all()]  # type: ignore[call-overload]

    async def export(self, scope: ReportScope, questionnaire: str) -> list[ExportRow]:
        """Every answer, with the person's first name only where they did not choose anonymity."""
        ids = _conversations(scope, questionnaire)
        name = case(
            (col(Conversation.anonymous), literal("")),
            else_=func.coalesce(User.first_name, literal("")),
        )
        query = (
            sa_select(
                col(Conversation.id),
                col(Conversation.questionnaire),
                col(Conversation.submitted_at),
                func.coalesce(Community.name, literal("")),
                func.coalesce(Lpu.name, literal("")),
                col(Conversation.anonymous),
                name,
                col(Answer.question),
                col(Answer.text),
                col(Answer.choices),
                col(Answer.language),
            )
            .select_from(Answer)
            .join(Conversation, col(Conversation.id) == Answer.conversation_id)
            .outerjoin(User, col(User.id) == Conversation.user_id)
            .outerjoin(Community, col(Community.id) == Conversation.community_id)
            .outerjoin(Lpu, col(Lpu.id) == Community.lpu_id)
            .where(col(Answer.conversation_id).in_(ids))
            .order_by(col(Conversation.id), col(Answer.id))
        )
        return [ExportRow(*row) for row in (await self._session.exec(query)).all()]  # type: ignore[call-overload]

    async def polls(self, scope: ReportScope) -> Sequence[Poll]:
        """Polls sent for events or action groups in scope, in the date range."""
        query = select(Poll).order_by(col(Poll.created_at), col(Poll.id))
        if scope.event_id is not None:
            query = query.where(Poll.event_id == scope.event_id)
        elif scope.community_id is not None or scope.lpu_id is not None:
            groups = select(col(ActionGroup.id)).where(col(ActionGroup.lpu_id).in_(_lpu_of(scope)))
            query = query.where(
                or_(
                    col(Poll.event_id).in_(select(col(Event.id)).where(events_in(scope))),
                    col(Poll.action_group_id).in_(groups),
                )
            )
        if scope.since is not None:
            query = query.where(col(Poll.created_at) >= scope.since)
        if scope.until is not None:
            query = query.where(col(Poll.created_at) < scope.until)
        return (await self._session.exec(query)).all()
