"""Events in an area with who is coming: the dashboard's events list.

One statement: the events of a ``ReportScope``'s area (``reports.events_in``, the
same rule as the report's polls) from a moment on, each with its RSVPs counted by
status and its check-ins, in SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal
from sqlalchemy import select as sa_select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Community, Event, Lpu, Rsvp
from storage.repositories.reports import ReportScope, events_in


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    title: str
    kind: str
    status: str  # scheduled or cancelled
    starts_at: datetime
    venue: str
    community: str  # "" for an event of a whole LPU
    lpu: str  # "" when neither the event nor its community has one
    capacity: int | None
    going: int
    maybe: int
    waiting: int
    checked_in: int


def _count(status: str) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((col(Rsvp.status) == status, 1), else_=0)), 0)


class EventCounts:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def upcoming(
        self, scope: ReportScope, since: datetime, limit: int = 500
    ) -> list[EventRow]:
        """Events in the scope's area starting at ``since`` or later, soonest first
        (series templates left out: each of their dates is an event of its own)."""
        checked_in = func.coalesce(
            func.sum(case((col(Rsvp.checked_in_at).is_not(None), 1), else_=0)), 0
        )
        lpu_name = func.coalesce(Lpu.name, literal(""))
        query = (
            sa_select(
                col(Event.id),
                col(Event.title),
                col(Event.kind),
                col(Event.status),
                col(Event.starts_at),
                col(Event.venue),
                func.coalesce(Community.name, literal("")),
                lpu_name,
                col(Event.capacity),
                _count("going"),
                _count("maybe"),
                _count("waitlist"),
                checked_in,
            )
            .select_from(Event)
            .outerjoin(Community, col(Community.id) == Event.community_id)
            .outerjoin(Lpu, col(Lpu.id) == func.coalesce(Event.lpu_id, Community.lpu_id))
            .outerjoin(Rsvp, col(Rsvp.event_id) == Event.id)
            .where(
                events_in(scope),
                col(Event.status).in_(("scheduled", "cancelled")),
                col(Event.starts_at) >= since,
            )
            .group_by(
                col(Event.id),
                col(Event.title),
                col(Event.kind),
                col(Event.status),
                col(Event.starts_at),
                col(Event.venue),
                Community.name,
                Lpu.name,
                col(Event.capacity),
            )
            .order_by(col(Event.starts_at), col(Event.id))
            .limit(limit)
        )
        rows = (await self._session.exec(query)).all()  # type: ignore[call-overload]
        return [
            EventRow(
                id=int(r[0]),
                title=r[1],
                kind=r[2],
                status=r[3],
                starts_at=r[4],
                venue=r[5],
                community=r[6],
                lpu=r[7],
                capacity=r[8],
                going=int(r[9]),
                maybe=int(r[10]),
                waiting=int(r[11]),
                checked_in=int(r[12]),
            )
            for r in rows
        ]
