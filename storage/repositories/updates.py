"""The log of handled Telegram updates (exactly-once handling)."""

from __future__ import annotations

from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import ProcessedUpdate


class UpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(self, update_id: int) -> None:
        """Record ``update_id``; the primary key rejects a second worker's commit."""
        self._session.add(ProcessedUpdate(update_id=update_id))
        await self._session.flush()
