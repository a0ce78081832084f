"""Users by Telegram id."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import bindparam
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import User

LAST_SEEN_STEP = timedelta(minutes=10)

# Built once (asked on every update): their SQL cache keys are worked out only once.
_BY_TELEGRAM_ID = select(User).where(User.telegram_id == bindparam("telegram_id"))
_HOLD_BY_TELEGRAM_ID = _BY_TELEGRAM_ID.with_for_update()


class UserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def by_telegram_id(self, telegram_id: int) -> User | None:
        result = await self._session.exec(_BY_TELEGRAM_ID, params={"telegram_id": telegram_id})
        return result.first()

    async def hold(self, telegram_id: int) -> User | None:
        """The person, their row held until the transaction ends (``FOR UPDATE``).

        Every update of a person starts with this, so two updates of one person on
        two workers run one after the other: the second reads the row, and all it
        leads to, as the first left it. SQLite has no row locks: there an update's
        first statement records its id (``processed_updates``), which takes the
        database's write lock for the whole transaction, to the same effect."""
        result = await self._session.exec(_HOLD_BY_TELEGRAM_ID, params={"telegram_id": telegram_id})
        return result.first()

    async def get(self, user_id: int) -> User | None:
        return await self._session.get(User, user_id)

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
