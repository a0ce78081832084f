"""Events: what is coming up for a community or its LPU."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ActionGroupMember, Event, Rsvp


class EventRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, event_id: int) -> Event | None:
        return await self._session.get(Event, event_id)

    async def upcoming(
        self, community_id: int | None, lpu_id: int | None, now: datetime, limit: int = 5
    ) -> Sequence[Event]:
        scope = []
        if community_id is not None:
            scope.append(col(Event.community_id) == community_id)
        if lpu_id is not None:
            scope.append(col(Event.lpu_id) == lpu_id)
        if not scope:
            return []
        query = (
            select(Event)
            .where(or_(*scope), col(Event.starts_at) >= now, Event.status == "scheduled")
            .order_by(col(Event.starts_at))
            .limit(limit)
        )
        return (await self._session.exec(query)).all()

    async def upcoming_for_member(
        self, user_id: int, now: datetime, limit: int = 10
    ) -> Sequence[Event]:
        """Meetings of the action groups ``user_id`` belongs to."""
        query = (
            select(Event)
            .join(ActionGroupMember, col(ActionGroupMember.group_id) == col(Event.action_group_id))
            .where(
                col(ActionGroupMember.user_id) == user_id,
                col(ActionGroupMember.active).is_(True),
                col(Event.starts_at) >= now,
                Event.status == "scheduled",
            )
            .order_by(col(Event.starts_at))
            .limit(limit)
        )
        return (await self._session.exec(query)).all()

    async def answered(
        self, user_id: int, statuses: Sequence[str], now: datetime
    ) -> Sequence[Event]:
        """Upcoming events the user answered with one of ``statuses``."""
        query = (
            select(Event)
            .join(Rsvp, col(Rsvp.event_id) == col(Event.id))
            .where(
                col(Rsvp.user_id) == user_id,
                col(Rsvp.status).in_(list(statuses)),
                col(Event.starts_at) >= now,
                Event.status == "scheduled",
            )
            .order_by(col(Event.starts_at))
        )
        return (await self._session.exec(query)).all()

    async def upcoming_any(self, now: datetime, limit: int = 50) -> Sequence[Event]:
        query = (
            select(Event)
            .where(col(Event.starts_at) >= now, Event.status == "scheduled")
            .order_by(col(Event.starts_at))
            .limit(limit)
        )
        return (await self._session.exec(query)).all()

    async def all_series(self) -> Sequence[Event]:
        return (await self._session.exec(select(Event).where(Event.status == "series"))).all()

    async def series_dates(self, series_id: int) -> list[date]:
        """Every date the series has a row for (scheduled, moved or cancelled)."""
        query = select(Event).where(Event.series_id == series_id)
        return [e.occurrence_of for e in (await self._session.exec(query)).all() if e.occurrence_of]

    async def series_upcoming_count(self, series_id: int, now: datetime) -> int:
        """How many dates of the series are still to come and will happen (a cancelled
        date does not count: the series is topped up past it)."""
        query = (
            select(func.count())
            .select_from(Event)
            .where(
                col(Event.series_id) == series_id,
                col(Event.starts_at) >= now,
                Event.status == "scheduled",
            )
        )
        return int((await self._session.exec(query)).one())

    async def by_external(self, source: str, external_id: str) -> Event | None:
        query = select(Event).where(Event.source == source, Event.external_id == external_id)
        return (await self._session.exec(query)).first()

    async def add(self, event: Event) -> Event:
        self._session.add(event)
        await self._session.flush()
        return event

    async def from_source(self, source: str, community_id: int) -> Sequence[Event]:
        query = (
            select(Event)
            .where(Event.source == source, Event.community_id == community_id)
            .order_by(col(Event.id))
        )
        return (await self._session.exec(query)).all()

    async def replace_from_source(
        self, source: str, community_id: int, events: Sequence[Event], *, now: datetime
    ) -> bool:
        """Make a community's events from ``source`` match ``events`` (by ``external_id``).

        An event the source no longer lists is cancelled if it is still to come (it
        was called off or moved; a moved one comes back under a new id) and left as
        it was if it is over: the source drops past events, and they are our history.
        Returns ``True`` if anything changed.
        """
        existing = {e.external_id: e for e in await self.from_source(source, community_id)}
        wanted = {e.external_id for e in events}
        changed = False
        for gone in set(existing) - wanted:
            stale = existing[gone]
            if stale.starts_at >= now and stale.status != "cancelled":
                stale.status = "cancelled"
                self._session.add(stale)
                changed = True
        for event in events:
            row = existing.get(event.external_id)
            if row is None:
                event.source, event.community_id = source, community_id
                self._session.add(event)
                changed = True
                continue
            for name in _SYNCED_FIELDS:
                if getattr(row, name) != getattr(event, name):
                    setattr(row, name, getattr(event, name))
                    changed = True
            self._session.add(row)
        await self._session.flush()
        return changed


_SYNCED_FIELDS = (
    "kind",
    "title",
    "description",
    "lpu_id",
    "starts_at",
    "ends_at",
    "timezone",
    "venue",
    "address",
    "latitude",
    "longitude",
    "accessibility",
    "capacity",
    "status",
)
