"""Action groups and their members."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ActionGroup, ActionGroupMember, User


class GroupRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, group_id: int) -> ActionGroup | None:
        return await self._session.get(ActionGroup, group_id)

    async def add(self, group: ActionGroup) -> ActionGroup:
        self._session.add(group)
        await self._session.flush()
        return group

    async def in_lpu(self, lpu_id: int) -> Sequence[ActionGroup]:
        query = (
            select(ActionGroup)
            .where(ActionGroup.lpu_id == lpu_id, ActionGroup.status == "open")
            .order_by(col(ActionGroup.title))
        )
        return (await self._session.exec(query)).all()

    async def all_open(self) -> Sequence[ActionGroup]:
        query = (
            select(ActionGroup).where(ActionGroup.status == "open").order_by(col(ActionGroup.title))
        )
        return (await self._session.exec(query)).all()

    async def membership(self, group_id: int, user_id: int) -> ActionGroupMember | None:
        query = select(ActionGroupMember).where(
            ActionGroupMember.group_id == group_id, ActionGroupMember.user_id == user_id
        )
        return (await self._session.exec(query)).first()

    async def is_member(self, group_id: int, user_id: int) -> bool:
        row = await self.membership(group_id, user_id)
        return bool(row and row.active)

    async def join(self, group_id: int, user_id: int) -> None:
        row = await self.membership(group_id, user_id) or ActionGroupMember(
            group_id=group_id, user_id=user_id
        )
        row.active = True
        self._session.add(row)
        await self._session.flush()

    async def leave(self, group_id: int, user_id: int) -> None:
        row = await self.membership(group_id, user_id)
        if row is not None:
            row.active = False
            self._session.add(row)
            await self._session.flush()

    async def member_count(self, group_id: int) -> int:
        query = (
            select(func.count())
            .select_from(ActionGroupMember)
            .where(
                col(ActionGroupMember.group_id) == group_id, col(ActionGroupMember.active).is_(True)
            )
        )
        return int((await self._session.exec(query)).one())

    async def members(self, group_id: int) -> Sequence[User]:
        query = (
            select(User)
            .join(ActionGroupMember, col(ActionGroupMember.user_id) == col(User.id))
            .where(
                col(ActionGroupMember.group_id) == group_id, col(ActionGroupMember.active).is_(True)
            )
            .order_by(col(User.id))
        )
        return (await self._session.exec(query)).all()
