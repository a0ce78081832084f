"""Events: what is coming up for a community or its LPU."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Event


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

    async def by_external(self, source: str, external_id: str) -> Event | None:
        query = select(Event).where(Event.source == source, Event.external_id == external_id)
        return (await self._session.exec(query)).first()

    async def add(self, event: Event) -> Event:
        self._session.add(event)
        await self._session.flush()
        return event
