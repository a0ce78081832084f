"""Queue one delivery per recipient in a single ``INSERT ... SELECT``.

Broadcasts, surgery notices and "you said, we did" updates all reach many people at
once. Building the rows in the database means the recipients never pass through
Python (memory does not grow with the audience), and the unique delivery key
(``<prefix><user id>``) with ``ON CONFLICT DO NOTHING`` makes queuing twice harmless.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, cast, literal, true
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql import ColumnElement, Select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import Delivery
from storage.types import UTCDateTime

COLUMNS = (
    "key",
    "kind",
    "user_id",
    "chat_id",
    "due_at",
    "status",
    "attempts",
    "payload",
    "urgent",
    "quiet",
    "broadcast_id",
    "claimed_by",
    "last_error",
    "created_at",
)


def delivery_rows(
    user_id: ColumnElement[Any] | Any,
    chat_id: ColumnElement[Any] | Any,
    *,
    key_prefix: str,
    kind: str,
    due_at: datetime,
    payload: str = "",
    urgent: bool = False,
    quiet: bool = False,
    broadcast_id: int | None = None,
) -> Select[Any]:
    """A ``SELECT`` of delivery rows, one per row of whatever the caller joins and
    filters (``user_id`` and ``chat_id`` are its columns)."""
    return core_select(
        literal(key_prefix) + cast(user_id, String),
        literal(kind),
        user_id,
        chat_id,
        literal(due_at, UTCDateTime()),
        literal("pending"),
        literal(0),
        literal(payload),
        literal(urgent),
        literal(quiet),
        literal(broadcast_id, Integer),
        literal(""),
        literal(""),
        literal(utcnow(), UTCDateTime()),
    )


async def queue(session: AsyncSession, rows: Select[Any]) -> int:
    """Insert the rows, leaving alone any whose key is already queued; how many new."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # SQLite reads "SELECT ... FROM x ON CONFLICT" as a join unless a WHERE comes first.
    statement = insert(Delivery).from_select(list(COLUMNS), rows.where(true()))
    result = await session.exec(statement.on_conflict_do_nothing(index_elements=["key"]))
    return int(result.rowcount)  # type: ignore[attr-defined]
