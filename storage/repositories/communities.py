"""Forces, LPUs and communities."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Community, Force, Lpu


class CommunityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, community_id: int) -> Community | None:
        return await self._session.get(Community, community_id)

    async def get_lpu(self, lpu_id: int) -> Lpu | None:
        return await self._session.get(Lpu, lpu_id)

    async def lpus(self) -> Sequence[Lpu]:
        return (await self._session.exec(select(Lpu).order_by(col(Lpu.name)))).all()

    async def in_lpu(self, lpu_id: int) -> Sequence[Community]:
        query = select(Community).where(Community.lpu_id == lpu_id).order_by(col(Community.name))
        return (await self._session.exec(query)).all()

    async def all(self) -> Sequence[Community]:
        return (await self._session.exec(select(Community).order_by(col(Community.name)))).all()

    async def count(self) -> int:
        return int((await self._session.exec(select(func.count()).select_from(Community))).one())

    async def force_by_slug(self, slug: str) -> Force | None:
        return (await self._session.exec(select(Force).where(Force.slug == slug))).first()

    async def lpu_by_slug(self, slug: str) -> Lpu | None:
        return (await self._session.exec(select(Lpu).where(Lpu.slug == slug))).first()

    async def by_slug(self, slug: str) -> Community | None:
        return (await self._session.exec(select(Community).where(Community.slug == slug))).first()

    async def add(self, row: Force | Lpu | Community) -> None:
        self._session.add(row)
        await self._session.flush()
