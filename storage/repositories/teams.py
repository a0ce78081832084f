"""Policing teams: members and community bases, and upserts for imports and syncs."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import CommunityBase, TeamMember


class TeamRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def members(self, community_id: int) -> Sequence[TeamMember]:
        query = (
            select(TeamMember)
            .where(TeamMember.community_id == community_id)
            .order_by(col(TeamMember.position), col(TeamMember.id))
        )
        return (await self._session.exec(query)).all()

    async def bases(self, community_id: int) -> Sequence[CommunityBase]:
        query = (
            select(CommunityBase)
            .where(CommunityBase.community_id == community_id)
            .order_by(col(CommunityBase.id))
        )
        return (await self._session.exec(query)).all()

    async def replace_members(self, community_id: int, members: Sequence[TeamMember]) -> bool:
        """Make the team exactly ``members`` (matched by name); ``True`` if anything changed."""
        fields = ("rank", "role", "email", "phone", "social", "bio", "position")
        return await self._replace(community_id, await self.members(community_id), members, fields)

    async def replace_bases(self, community_id: int, bases: Sequence[CommunityBase]) -> bool:
        """Make the bases exactly ``bases`` (matched by name); ``True`` if anything changed."""
        fields = ("address", "postcode", "latitude", "longitude", "opening_times", "accessibility")
        return await self._replace(community_id, await self.bases(community_id), bases, fields)

    async def _replace(
        self,
        community_id: int,
        current: Sequence[TeamMember | CommunityBase],
        wanted: Sequence[TeamMember | CommunityBase],
        fields: tuple[str, ...],
    ) -> bool:
        existing = {row.name: row for row in current}
        changed = False
        for gone in set(existing) - {row.name for row in wanted}:
            await self._session.delete(existing[gone])
            changed = True
        for row in wanted:
            stored = existing.get(row.name)
            if stored is None:
                row.community_id = community_id
                self._session.add(row)
                changed = True
                continue
            for name in fields:
                if getattr(stored, name) != getattr(row, name):
                    setattr(stored, name, getattr(row, name))
                    changed = True
            self._session.add(stored)
        await self._session.flush()
        return changed

    async def clear(self, community_id: int) -> None:
        await self._session.exec(
            delete(TeamMember).where(col(TeamMember.community_id) == community_id)
        )
        await self._session.exec(
            delete(CommunityBase).where(col(CommunityBase.community_id) == community_id)
        )
