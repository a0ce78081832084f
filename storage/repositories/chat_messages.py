"""Message ids of the last 48 hours in each private chat, for the quick exit."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import bindparam, delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ChatMessage, Delivery, User
from storage.plain_sql import execute, table

# Built once: SQLAlchemy then finds their compiled form without working out a cache
# key again on every update.
_INSERT = insert(table(ChatMessage))
_KNOWN_CHATS = select(User.chat_id).where(
    col(User.chat_id).in_(bindparam("chat_ids", expanding=True))
)


class ChatMessageLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, chat_id: int, message_ids: Iterable[int], *, from_bot: bool, at: datetime
    ) -> None:
        await self.record_many([(chat_id, message_ids)], from_bot=from_bot, at=at)

    async def record_many(
        self,
        chats: Iterable[tuple[int, Iterable[int]]],
        *,
        from_bot: bool,
        at: datetime,
    ) -> None:
        """The message ids of several chats, ``(chat_id, message_ids)``, in one INSERT."""
        # Plain INSERTs, not ORM objects: nothing reads these rows back in the same
        # transaction, and the unit-of-work flush cost more than the write itself.
        rows = [
            {"chat_id": chat_id, "message_id": m, "from_bot": from_bot, "sent_at": at}
            for chat_id, message_ids in chats
            for m in message_ids
        ]
        if rows:
            # the ORM's pending changes go first, as before
            await execute(self._session, _INSERT, rows, flush=True)

    async def known_chats(self, chat_ids: Iterable[int]) -> set[int]:
        """Which of ``chat_ids`` belong to someone we know (not to a person just forgotten)."""
        wanted = list(chat_ids)
        rows = await self._session.exec(_KNOWN_CHATS, params={"chat_ids": wanted})
        return set(rows.all())

    async def since(self, chat_id: int, since: datetime) -> list[int]:
        """Every message id in the chat since ``since``, both ways, deliveries included."""
        logged = await self._session.exec(
            select(ChatMessage.message_id).where(
                ChatMessage.chat_id == chat_id, col(ChatMessage.sent_at) >= since
            )
        )
        delivered = await self._session.exec(
            select(Delivery.message_id).where(
                Delivery.chat_id == chat_id,
                col(Delivery.sent_at) >= since,
                col(Delivery.message_id).is_not(None),
            )
        )
        ids = {*logged.all(), *(m for m in delivered.all() if m is not None)}
        return sorted(ids)

    async def forget_chat(self, chat_id: int) -> None:
        await self._session.exec(delete(ChatMessage).where(col(ChatMessage.chat_id) == chat_id))

    async def prune(self, before: datetime) -> int:
        """Drop rows too old to delete on Telegram; how many went."""
        result = await self._session.exec(
            delete(ChatMessage).where(col(ChatMessage.sent_at) < before)
        )
        return int(result.rowcount or 0)
