"""The postcode cache (answers from postcodes.io)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import PostcodeCache


class PostcodeCacheRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, postcode: str) -> PostcodeCache | None:
        return await self._session.get(PostcodeCache, postcode)

    async def put(
        self,
        postcode: str,
        *,
        latitude: float | None,
        longitude: float | None,
        police_force: str,
        found: bool,
    ) -> None:
        row = await self.get(postcode) or PostcodeCache(postcode=postcode)
        row.latitude, row.longitude = latitude, longitude
        row.police_force, row.found, row.fetched_at = police_force, found, utcnow()
        self._session.add(row)
        await self._session.flush()
