"""Leases on shared jobs: one holder at a time, taken over once it has expired.

A lease is held by renewing it before ``expires_at``. Taking and renewing are one
``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` each, so two workers racing for a
free lease cannot both get it (SQLite 3.35+ and PostgreSQL alike).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import LeaderLease


class LeaseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, **values: Any) -> Any:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        return insert(LeaderLease).values(**values)

    async def get(self, name: str) -> LeaderLease | None:
        return await self._session.get(LeaderLease, name, populate_existing=True)

    async def take(
        self, name: str, me: str, now: float, ttl: float, *, replacing: str | None = None
    ) -> bool:
        """Hold ``name`` until ``now + ttl`` if it is free, expired, ours already, or
        held by ``replacing`` (a holder known to be dead); ``True`` if we hold it."""
        holder = col(LeaderLease.holder)
        takeable = or_(holder == me, col(LeaderLease.expires_at) < now)
        if replacing:
            takeable = or_(takeable, holder == replacing)
        statement = (
            self._insert(name=name, holder=me, expires_at=now + ttl, woken_at=0.0)
            .on_conflict_do_update(
                index_elements=[col(LeaderLease.name)],
                set_={"holder": me, "expires_at": now + ttl},
                where=takeable,
            )
            .returning(holder)
        )
        taken = (await self._session.exec(statement)).scalar_one_or_none()
        return bool(taken == me)

    async def release(self, name: str, me: str) -> None:
        """Let another worker take ``name`` at once (a clean shutdown)."""
        await self._session.exec(
            update(LeaderLease)
            .where(col(LeaderLease.name) == name, col(LeaderLease.holder) == me)
            .values(expires_at=0.0)
        )

    async def wake(self, name: str, now: float) -> None:
        """Tell the holder of ``name`` there is work now (it watches ``woken_at``)."""
        await self._session.exec(
            update(LeaderLease).where(col(LeaderLease.name) == name).values(woken_at=now)
        )
