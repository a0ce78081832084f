"""Plain SQLAlchemy Core statements for the few writes every update makes.

A statement on an ORM entity (``insert(Model)``, ``update(Model)``) goes through the
ORM's bulk machinery even when no object is involved, and a session's ``execute``
first autoflushes; run on the table, on the unit of work's own connection (same
transaction), it is plain Core, several times cheaper per call. Only for statements
whose rows nothing in the same session holds as objects, or whose objects the caller
updates itself (``ConversationRepository.save``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Table
from sqlalchemy.sql import Executable
from sqlmodel.ext.asyncio.session import AsyncSession


def table(model: Any) -> Table:
    """The Core ``Table`` of a SQLModel table class."""
    found: Table = model.__table__
    return found


async def execute(
    session: AsyncSession,
    statement: Executable,
    params: dict[str, Any] | list[dict[str, Any]] | None = None,
    *,
    flush: bool = False,
) -> CursorResult[Any]:
    """Run ``statement`` in the session's transaction; ``flush`` writes the session's
    pending objects first, where a statement must come after them."""
    if flush:
        await session.flush()
    connection = await session.connection()
    result: CursorResult[Any] = await connection.execute(statement, params)
    return result
