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
        existing = {m.name: m for m in await self.members(community_id)}
        wanted = {m.name for m in members}
        changed = False
        for gone in set(existing) - wanted:
            await self._session.delete(existing[gone])
            changed = True
        fields = ("rank", "role", "email", "phone", "social", "bio", "position")
        for member in members:
            row = existing.get(member.name)
            if row is None:
                member.community_id = community_id
                self._session.add(member)
                changed = True
                continue
            for name in fields:
                if getattr(row, name) != getattr(member, name):
                    setattr(row, name, getattr(member, name))
                    changed = True
            self._session.add(row)
        await self._session.flush()
        return changed

    async def replace_bases(self, community_id: int, bases: Sequence[CommunityBase]) -> bool:
        existing = {b.name: b for b in await self.bases(community_id)}
        wanted = {b.name for b in bases}
        changed = False
        for gone in set(existing) - wanted:
            await self._session.delete(existing[gone])
            changed = True
        fields = ("address", "postcode", "latitude", "longitude", "opening_times", "accessibility")
        for base in bases:
            row = existing.get(base.name)
            if row is None:
                base.community_id = community_id
                self._session.add(base)
                changed = True
                continue
            for name in fields:
                if getattr(row, name) != getattr(base, name):
                    setattr(row, name, getattr(base, name))
                    changed = True
            self._session.add(row)
        await self._session.flush()
        return changed

    async def clear(self, community_id: int) -> None:
        await self._session.exec(
            delete(TeamMember).where(col(TeamMember.community_id) == community_id)
        )
        await self._session.exec(
            delete(CommunityBase).where(col(CommunityBase.community_id) == community_id)
        )
