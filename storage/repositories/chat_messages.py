"""Message ids of the last 48 hours in each private chat, for the quick exit, and
which of them are the earlier parts of a page sent as several messages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, update
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
_PAGE_PARTS = (
    select(ChatMessage.message_id)
    .where(
        col(ChatMessage.chat_id) == bindparam("chat_id"),
        col(ChatMessage.page_end) == bindparam("page_end"),
    )
    .distinct()
    .order_by(col(ChatMessage.message_id))
)
_FORGET_PAGE = (
    update(table(ChatMessage))
    .where(
        table(ChatMessage).c.chat_id == bindparam("old_chat_id"),
        table(ChatMessage).c.page_end == bindparam("old_page_end"),
    )
    .values(page_end=None)
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
        page_ends: Mapping[tuple[int, int], int] | None = None,
    ) -> None:
        """The message ids of several chats, ``(chat_id, message_ids)``, in one INSERT;
        ``page_ends`` gives, for an earlier part of a split page, ``(chat_id,
        message_id)``, the id of the page's last message."""
        # Plain INSERTs, not ORM objects: nothing reads these rows back in the same
        # transaction, and the unit-of-work flush cost more than the write itself.
        ends = page_ends or {}
        rows = [
            {
                "chat_id": chat_id,
                "message_id": m,
                "from_bot": from_bot,
                "sent_at": at,
                "page_end": ends.get((chat_id, m)),
            }
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

    async def page_parts(self, chat_id: int, last: int) -> tuple[int, ...]:
        """The earlier parts of the page whose last message is ``last``, oldest first
        (none for a page sent as one message, or not known)."""
        rows = await execute(self._session, _PAGE_PARTS, {"chat_id": chat_id, "page_end": last})
        return tuple(rows.scalars().all())

    async def forget_pages(self, pages: Iterable[tuple[int, int]]) -> None:
        """The pages ``(chat_id, last)`` were redone (or deleted): their earlier parts'
        rows stay for the quick exit but no longer say they belong to them."""
        params = [{"old_chat_id": c, "old_page_end": last} for c, last in pages]
        if params:
            await execute(self._session, _FORGET_PAGE, params, flush=True)

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
