"""The log of handled Telegram updates (exactly-once handling), with their replies."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, delete, insert, update
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import ProcessedUpdate
from storage.plain_sql import execute, table

_TABLE = table(ProcessedUpdate)
_RECORD = insert(_TABLE).values(
    update_id=bindparam("update_id"), processed_at=bindparam("processed_at")
)
_KEEP_REPLIES = (
    update(_TABLE)
    .where(_TABLE.c.update_id == bindparam("id"))
    .values(chat_id=bindparam("chat_id"), replies=bindparam("replies"))
)
# Rewrites a column with itself: the row is locked for this transaction, and read back.
_LOCK_KEPT = (
    update(_TABLE)
    .where(_TABLE.c.update_id == bindparam("id"))
    .values(replies=_TABLE.c.replies)
    .returning(_TABLE.c.replies, _TABLE.c.processed_at)
)
_HANDED_OUT = (
    update(_TABLE).where(_TABLE.c.update_id == bindparam("id")).values(processed_at=bindparam("at"))
)
_DROP_REPLIES = (
    update(_TABLE)
    .where(_TABLE.c.update_id.in_(bindparam("update_ids", expanding=True)))
    .values(replies=None, chat_id=None)
)


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, update_id: int) -> int:
        """Record ``update_id``; the primary key rejects a second worker's commit.

        A plain INSERT (no ORM object): it runs first in every update's transaction,
        and nothing reads the row back there.
        """
        await execute(self._session, _RECORD, {"update_id": update_id, "processed_at": utcnow()})
        return update_id

    async def keep_replies(self, update_id: int, chat_id: int, replies: str) -> None:
        """Store the update's replies with it (committed with the update)."""
        await execute(
            self._session, _KEEP_REPLIES, {"id": update_id, "chat_id": chat_id, "replies": replies}
        )

    async def kept_replies(self, update_id: int) -> tuple[str, datetime] | None:
        """The stored replies of a handled update and when it was handled, if any.

        Call it first in its transaction: the row is written before it is read, so
        two workers with the same re-delivery queue on its lock (PostgreSQL) or the
        write lock (SQLite, where a read that turns into a write could fail at once).
        """
        kept = await execute(self._session, _LOCK_KEPT, {"id": update_id})
        row = kept.first()
        if row is None or row.replies is None:
            return None
        return row.replies, row.processed_at

    async def handed_out(self, update_id: int, at: datetime) -> None:
        """The kept replies are being sent again now: a further re-delivery within
        moments of ``at`` waits for this one (``processed_at`` moves to ``at``)."""
        await execute(self._session, _HANDED_OUT, {"id": update_id, "at": at})

    async def drop_replies(self, *update_ids: int) -> None:
        """The updates' replies were sent (or handed out to be sent): forget them."""
        if not update_ids:
            return
        await execute(self._session, _DROP_REPLIES, {"update_ids": list(update_ids)})

    async def forget_chat(self, chat_id: int) -> None:
        await self._session.exec(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.chat_id) == chat_id)
        )

    async def prune(self, replies_before: datetime, rows_before: datetime) -> int:
        """Drop replies kept since before ``replies_before`` and rows older than
        ``rows_before`` (Telegram gives up on an update within a day); how many rows
        went."""
        await self._session.exec(
            update(ProcessedUpdate)
            .where(
                col(ProcessedUpdate.processed_at) < replies_before,
                col(ProcessedUpdate.replies).is_not(None),
            )
            .values(replies=None, chat_id=None)
        )
        result = await self._session.exec(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.processed_at) < rows_before)
        )
        return int(result.rowcount or 0)
