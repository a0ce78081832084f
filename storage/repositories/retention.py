"""Retention: old answers lose the link to the person; old chat message ids go.

Both are single statements that change nothing when run again, so several workers
may run them at once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Answer, Conversation


class Retention:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def anonymise_before(self, cutoff: datetime) -> int:
        """Unlink sent answers last changed before ``cutoff`` from the person; drop
        unfinished ones. Returns how many conversations changed."""
        unfinished = (
            select(Conversation.id)
            .where(col(Conversation.status) != "submitted", col(Conversation.updated_at) < cutoff)
            .scalar_subquery()
        )
        await self._session.exec(delete(Answer).where(col(Answer.conversation_id).in_(unfinished)))
        dropped = await self._session.exec(
            delete(Conversation).where(
                col(Conversation.status) != "submitted", col(Conversation.updated_at) < cutoff
            )
        )
        unlinked = await self._session.exec(
            update(Conversation)
            .where(
                col(Conversation.status) == "submitted",
                col(Conversation.user_id).is_not(None),
                col(Conversation.updated_at) < cutoff,
            )
            .values(user_id=None)
        )
        return int(dropped.rowcount or 0) + int(unlinked.rowcount or 0)
