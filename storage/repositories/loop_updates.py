"""\"You said, we did\" updates: drafts, their audience, the fan-out, and the report's list.

The audience of an update about a theme is everyone who sent a Community
Conversation in the LPU (everywhere, for a force-wide one); of an update about
an action group, its active members. The fan-out queues one delivery per person
in a single INSERT ... SELECT, as broadcasts do.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, literal, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.sql import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    ActionGroup,
    ActionGroupMember,
    Community,
    Conversation,
    LoopUpdate,
    User,
)
from storage.repositories.fan_out import delivery_rows, queue

KIND = "loop"


class LoopUpdateRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, update_id: int) -> LoopUpdate | None:
        return await self._session.get(LoopUpdate, update_id)

    async def add(self, row: LoopUpdate) -> LoopUpdate:
        self._session.add(row)
        await self._session.flush()
        return row

    @staticmethod
    def _recipients(row: LoopUpdate) -> Select[Any, Any]:
        """``(user id, chat id)`` of each person the update is for, once."""
        query: Select[Any, Any] = core_select(col(User.id), col(User.chat_id))
        if row.action_group_id is not None:
            query = query.join(ActionGroupMember, col(ActionGroupMember.user_id) == col(User.id))
            query = query.where(
                col(ActionGroupMember.group_id) == row.action_group_id,
                col(ActionGroupMember.active).is_(True),
            )
        else:
            query = query.join(Conversation, col(Conversation.user_id) == col(User.id)).where(
                col(Conversation.questionnaire) == "resident",
                col(Conversation.status) == "submitted",
            )
            if row.lpu_id is not None:
                in_lpu = core_select(col(Community.id)).where(col(Community.lpu_id) == row.lpu_id)
                query = query.where(col(Conversation.community_id).in_(in_lpu))
        return query.group_by(col(User.id), col(User.chat_id))

    async def count_recipients(self, row: LoopUpdate) -> int:
        inner = self._recipients(row).subquery()
        return int((await self._session.exec(select(func.count()).select_from(inner))).one())

    async def claim_for_sending(self, row: LoopUpdate, now: datetime) -> bool:
        """Mark a draft sent if it still is one: a press of "Send" twice at once, on two
        workers, sends it (and counts who it reached) once."""
        result = await self._session.exec(
            update(LoopUpdate)
            .where(col(LoopUpdate.id) == row.id, col(LoopUpdate.status) == "draft")
            .values(status="sent", sent_at=now)
            .execution_options(synchronize_session=False)
        )
        if int(result.rowcount) != 1:  # type: ignore[attr-defined]
            return False
        row.status, row.sent_at = "sent", now
        return True

    async def fan_out(self, row: LoopUpdate, now: datetime) -> int:
        """Queue one delivery per recipient, due now (held in quiet hours); returns how many."""
        assert row.id is not None
        recipients = self._recipients(row).subquery()
        rows = delivery_rows(
            recipients.c.id,
            recipients.c.chat_id,
            key_prefix=f"{KIND}:{row.id}:",
            kind=KIND,
            due_at=now,
            payload=json.dumps({"update_id": row.id}),
            quiet=True,
        )
        return await queue(self._session, rows)

    async def sent_in(
        self,
        lpu_id: int | None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Sequence[tuple[LoopUpdate, str]]:
        """Sent updates for an LPU (with its force-wide ones), or all; with the group's title."""
        query = (
            select(LoopUpdate, func.coalesce(ActionGroup.title, literal("")))
            .outerjoin(ActionGroup, col(ActionGroup.id) == col(LoopUpdate.action_group_id))
            .where(col(LoopUpdate.status) == "sent")
            .order_by(col(LoopUpdate.sent_at), col(LoopUpdate.id))
        )
        if lpu_id is not None:
            query = query.where(
                or_(col(LoopUpdate.lpu_id) == lpu_id, col(LoopUpdate.lpu_id).is_(None))
            )
        if since is not None:
            query = query.where(col(LoopUpdate.sent_at) >= since)
        if until is not None:
            query = query.where(col(LoopUpdate.sent_at) < until)
        return [(row, str(title)) for row, title in (await self._session.exec(query)).all()]
