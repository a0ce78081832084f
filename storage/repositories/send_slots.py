"""The shared send rate: the next free moment per key, reserved in one statement.

This is GCRA ("generic cell rate algorithm") kept in a table instead of memory:
``global`` is the next moment any bulk message may go, ``chat:<id>`` the next moment
one may go to that chat. Reserving a slot moves the key on by ``interval`` in one
``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``, so any number of worker processes
on one database share one rate (SQLite 3.35+ and PostgreSQL alike). Times are
wall-clock epoch seconds given by the caller, since several machines take part.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, case, delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import SendSlot

GLOBAL = "global"
CHAT_PREFIX = "chat:"


def chat_key(chat_id: int) -> str:
    return f"{CHAT_PREFIX}{chat_id}"


def _greatest(column: Mapped[float], value: float) -> ColumnElement[float]:
    # GREATEST (PostgreSQL) and two-argument MAX (SQLite) differ; CASE is the same on both.
    return case((column > value, column), else_=value)


class SendSlotRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _upsert(self, key: str, next_at: float) -> Any:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        return insert(SendSlot).values(key=key, next_at=next_at)

    async def reserve(
        self, key: str, now: float, interval: float, burst_seconds: float = 0.0
    ) -> float:
        """Take the next slot of ``key``; returns when it starts (may be before ``now``).

        ``next_at = max(next_at, now - burst_seconds) + interval``: a key idle for a
        while lets ``burst_seconds / interval`` more messages go at once, never more.
        """
        floor = now - burst_seconds
        statement = self._upsert(key, floor + interval)
        next_at = col(SendSlot.next_at)
        statement = statement.on_conflict_do_update(
            index_elements=[col(SendSlot.key)],
            set_={"next_at": _greatest(next_at, floor) + interval},
        ).returning(next_at)
        reserved = (await self._session.exec(statement)).scalar_one()
        return float(reserved) - interval

    async def push_back(self, key: str, until: float) -> None:
        """Nothing on ``key`` before ``until`` (a 429's ``retry_after``): pauses everyone."""
        statement = self._upsert(key, until)
        statement = statement.on_conflict_do_update(
            index_elements=[col(SendSlot.key)],
            set_={"next_at": _greatest(col(SendSlot.next_at), until)},
        )
        await self._session.exec(statement)

    async def next_at(self, key: str) -> float | None:
        row = await self._session.get(SendSlot, key)
        return None if row is None else row.next_at

    async def prune(self, before: float) -> int:
        """Forget chats whose next free moment is long past; returns how many.

        A forgotten chat is free now, exactly as a remembered one whose moment has
        passed, so the table follows the chats written to lately, not every chat.
        """
        result = await self._session.exec(
            delete(SendSlot).where(
                col(SendSlot.key).startswith(CHAT_PREFIX), col(SendSlot.next_at) < before
            )
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
