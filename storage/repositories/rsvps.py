"""RSVPs and who is coming."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import Rsvp, User


class RsvpRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, event_id: int, user_id: int) -> Rsvp | None:
        query = select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.user_id == user_id)
        return (await self._session.exec(query)).first()

    async def put(self, event_id: int, user_id: int, status: str) -> Rsvp:
        row = await self.get(event_id, user_id) or Rsvp(
            event_id=event_id, user_id=user_id, status=status
        )
        if row.status != status:
            row.updated_at = utcnow()  # a waitlist is ordered by when people joined it
        row.status = status
        self._session.add(row)
        await self._session.flush()
        return row

    async def count(self, event_id: int, status: str) -> int:
        query = (
            select(func.count())
            .select_from(Rsvp)
            .where(col(Rsvp.event_id) == event_id, col(Rsvp.status) == status)
        )
        return int((await self._session.exec(query)).one())

    async def first_waiting(self, event_id: int) -> Rsvp | None:
        query = (
            select(Rsvp)
            .where(Rsvp.event_id == event_id, Rsvp.status == "waitlist")
            .order_by(col(Rsvp.updated_at), col(Rsvp.id))
            .with_for_update()
        )
        return (await self._session.exec(query)).first()

    async def waitlist_position(self, rsvp: Rsvp) -> int:
        query = (
            select(func.count())
            .select_from(Rsvp)
            .where(
                col(Rsvp.event_id) == rsvp.event_id,
                col(Rsvp.status) == "waitlist",
                col(Rsvp.updated_at) <= rsvp.updated_at,
            )
        )
        return int((await self._session.exec(query)).one())

    async def attendees(
        self, event_id: int, statuses: Sequence[str]
    ) -> Sequence[tuple[Rsvp, User]]:
        query = (
            select(Rsvp, User)
            .where(
                Rsvp.event_id == event_id,
                Rsvp.user_id == User.id,
                col(Rsvp.status).in_(list(statuses)),
            )
            .order_by(col(Rsvp.id))
        )
        return (await self._session.exec(query)).all()
