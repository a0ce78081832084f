"""The log of handled Telegram updates (exactly-once handling)."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def seen(self, update_id: int) -> bool:
        query = select(exists().where(col(ProcessedUpdate.update_id) == update_id))
        return bool((await self._session.exec(query)).scalar())  # type: ignore[union-attr]

    async def record(self, update_id: int) -> None:
        """Record ``update_id``; the primary key rejects a second worker's commit."""
        self._session.add(ProcessedUpdate(update_id=update_id))
        await self._session.flush()
