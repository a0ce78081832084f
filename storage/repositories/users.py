"""Users by Telegram id."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import User
from storage.repositories.conversations import StaleConversation

LAST_SEEN_STEP = timedelta(minutes=10)

# Built once (asked on every update): its SQL cache key is worked out only once.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))


class StaleAwaiting(StaleConversation):
    """Another update of the same person moved ``users.awaiting`` on first (the
    update is retried, as for conversations, and reads where they are now)."""


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        result = await self._session.exec(_BY_TELEGRAM_ID, params={"telegram_id": telegram_id})
        return result.first()

    async def get(self, user_id: int) -> User | None:
        return await self._session.get(User, user_id)

    async def still_awaiting(self, user: User) -> None:
        """Check that ``user.awaiting`` (what their message answers) is still as read,
        and hold the row until commit: two messages at once must not both answer
        the same prompt. ``StaleAwaiting`` if another update changed it meanwhile.

        The row is "updated" to the value it has, so on PostgreSQL a second update
        waits here for the first to commit, then finds the prompt moved on."""
        result = await self._session.exec(
            update(User)
            .where(col(User.id) == user.id, col(User.awaiting) == user.awaiting)
            .values(awaiting=user.awaiting)
            .execution_options(synchronize_session=False)
        )
        if int(result.rowcount) != 1:  # type: ignore[attr-defined]
            raise StaleAwaiting(user.id)

    async def add(self, user: User) -> User:
        self._session.add(user)
        await self._session.flush()
        return user

    async def touch(
        self, user: User, *, chat_id: int, first_name: str, username: str | None
    ) -> None:
        """Keep what Telegram says of ``user`` current. Unchanged fields write nothing,
        and ``last_seen_at`` (read only by the data export) moves at most once in
        ``LAST_SEEN_STEP``: without that, every update would rewrite the user's row."""
        user.chat_id = chat_id
        user.first_name = first_name[:128]
        user.username = username[:64] if username else None
        now = utcnow()
        if now - user.last_seen_at >= LAST_SEEN_STEP or now < user.last_seen_at:
            user.last_seen_at = now
        self._session.add(user)
