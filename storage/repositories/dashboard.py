"""Sign-in links and sessions of the web dashboard.

Only SHA-256 hashes of the link tokens and session ids are stored (the same
``token_hash`` as staff invitations), so a copy of the database signs nobody in.
Using a link is one conditional UPDATE (unused, not expired) whose row count says
whether this request won. A session ends at its ``expires_at`` or when signed out.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import DashboardLink, DashboardSession
from storage.repositories.invites import token_hash


class DashboardRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def create_link(self, token: str, *, user_id: int, expires_at: datetime) -> DashboardLink:
        link = DashboardLink(token_hash=token_hash(token), user_id=user_id, expires_at=expires_at)
        self._session.add(link)
        await self._session.flush()
        return link

    async def link(self, token: str) -> DashboardLink | None:
        """The link with this token, whatever its state."""
        query = select(DashboardLink).where(DashboardLink.token_hash == token_hash(token))
        return (await self._session.exec(query)).first()

    async def use_link(self, token: str, now: datetime) -> int | None:
        """Use the link: the id of the user it signs in, or ``None`` if it was unknown,
        used already (perhaps a moment ago by another request) or expired."""
        link = await self.link(token)
        if link is None:
            return None
        result = await self._session.exec(
            update(DashboardLink)
            .where(
                col(DashboardLink.id) == link.id,
                col(DashboardLink.used_at).is_(None),
                col(DashboardLink.expires_at) > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return link.user_id if result.rowcount == 1 else None  # type: ignore[attr-defined]

    async def start_session(
        self, session_id: str, *, user_id: int, csrf_token: str, now: datetime, expires_at: datetime
    ) -> DashboardSession:
        row = DashboardSession(
            id_hash=token_hash(session_id),
            user_id=user_id,
            csrf_token=csrf_token,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
        self._session.add(row)
        await self._session.flush()
        return row

    async def live_session(self, session_id: str, now: datetime) -> DashboardSession | None:
        """The session with this id if it has not ended or expired."""
        query = select(DashboardSession).where(
            DashboardSession.id_hash == token_hash(session_id),
            col(DashboardSession.ended_at).is_(None),
            col(DashboardSession.expires_at) > now,
        )
        return (await self._session.exec(query)).first()

    async def end_session(self, session_id: str, now: datetime) -> bool:
        """Sign out; ``False`` if the session had already ended."""
        result = await self._session.exec(
            update(DashboardSession)
            .where(
                col(DashboardSession.id_hash) == token_hash(session_id),
                col(DashboardSession.ended_at).is_(None),
            )
            .values(ended_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    async def prune(self, now: datetime, user_id: int | None = None) -> None:
        """Forget links and sessions that can no longer sign anyone in: ``user_id``'s,
        or everyone's when it is ``None`` (the daily retention job)."""
        links = or_(col(DashboardLink.used_at).is_not(None), col(DashboardLink.expires_at) <= now)
        sessions = or_(
            col(DashboardSession.ended_at).is_not(None), col(DashboardSession.expires_at) <= now
        )
        if user_id is not None:
            links = and_(col(DashboardLink.user_id) == user_id, links)
            sessions = and_(col(DashboardSession.user_id) == user_id, sessions)
        await self._session.exec(delete(DashboardLink).where(links))
        await self._session.exec(delete(DashboardSession).where(sessions))
