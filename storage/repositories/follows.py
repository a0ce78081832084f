"""Who follows which community's team."""

from __future__ import annotations

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Follow


class FollowRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int, community_id: int) -> Follow | None:
        query = select(Follow).where(Follow.user_id == user_id, Follow.community_id == community_id)
        return (await self._session.exec(query)).first()

    async def follow(self, user_id: int, community_id: int) -> Follow:
        row = await self.get(user_id, community_id) or Follow(
            user_id=user_id, community_id=community_id
        )
        row.active = True
        self._session.add(row)
        await self._session.flush()
        return row

    async def unfollow(self, user_id: int, community_id: int) -> None:
        row = await self.get(user_id, community_id)
        if row is not None:
            row.active = False
            self._session.add(row)
            await self._session.flush()

    async def deactivate_all(self, user_id: int) -> int:
        """Stop every follow of a user (e.g. who blocked the bot); returns how many."""
        result = await self._session.exec(
            update(Follow)
            .where(col(Follow.user_id) == user_id, col(Follow.active).is_(True))
            .values(active=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def is_following(self, user_id: int, community_id: int) -> bool:
        row = await self.get(user_id, community_id)
        return bool(row and row.active)

    async def count(self, community_id: int) -> int:
        query = (
            select(func.count())
            .select_from(Follow)
            .where(col(Follow.community_id) == community_id, col(Follow.active).is_(True))
        )
        return int((await self._session.exec(query)).one())
