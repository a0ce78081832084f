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

    async def with_lpus(self) -> Sequence[tuple[Community, Lpu]]:
        """Every community with its LPU, for building the lookup index."""
        query = select(Community, Lpu).where(Community.lpu_id == Lpu.id).order_by(col(Community.id))
        return (await self._session.exec(query)).all()

    async def stamp(self) -> tuple[int, str]:
        """Changes whenever a community is added, removed or updated."""
        query = select(func.count(), func.max(Community.updated_at)).select_from(Community)
        count, latest = (await self._session.exec(query)).one()
        return int(count), str(latest)

    async def count(self) -> int:
        return int((await self._session.exec(select(func.count()).select_from(Community))).one())

    async def force_by_slug(self, slug: str) -> Force | None:
        return (await self._session.exec(select(Force).where(Force.slug == slug))).first()

    async def lpu_by_slug(self, slug: str) -> Lpu | None:
        return (await self._session.exec(select(Lpu).where(Lpu.slug == slug))).first()

    async def by_slug(self, slug: str) -> Community | None:
        return (await self._session.exec(select(Community).where(Community.slug == slug))).first()

    async def by_external(self, force_id: int, external_id: str) -> Community | None:
        """The community a force's own id (a police.uk neighbourhood id) names."""
        query = select(Community).where(
            Community.force_id == force_id, Community.external_id == external_id
        )
        return (await self._session.exec(query)).first()

    async def external_ids(self, force_id: int) -> set[str]:
        """The outside ids of a force's communities (those that came from a sync)."""
        query = select(Community.external_id).where(
            Community.force_id == force_id, col(Community.external_id).is_not(None)
        )
        return {value for value in (await self._session.exec(query)).all() if value is not None}

    async def add(self, row: Force | Lpu | Community) -> None:
        self._session.add(row)
        await self._session.flush()
