"""One row changed only while it is as it was read: the guard against two workers
(or two taps) acting on the same row at once.

The UPDATE carries the conditions (a status, a version), so on PostgreSQL a second
transaction waits for the first to commit and then finds them false. The values
written are copied into the loaded object as committed, so its next flush does not
write them again without the conditions.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession


async def update_if(
    session: AsyncSession, row: SQLModel, where: list[ColumnElement[bool]], **values: Any
) -> bool:
    """Write ``values`` to ``row``'s table where every condition of ``where`` holds (it
    names the row too); whether exactly one row was written, now held in ``row``."""
    result = await session.exec(
        update(type(row))
        .where(*where)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if int(result.rowcount) != 1:  # type: ignore[attr-defined]
        return False
    for name, value in values.items():
        set_committed_value(row, name, value)
    return True
