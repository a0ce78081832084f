"""Attendee polls: the poll, each recipient's copy, and the votes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import Poll, PollMessage, PollVote, User


class PollRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, poll_id: int) -> Poll | None:
        return await self._session.get(Poll, poll_id)

    async def add(self, poll: Poll) -> Poll:
        self._session.add(poll)
        await self._session.flush()
        return poll

    async def record_copy(
        self,
        poll_id: int,
        user_id: int | None,
        chat_id: int,
        message_id: int | None,
        telegram_poll_id: str,
    ) -> None:
        existing = (
            await self._session.exec(
                select(PollMessage).where(PollMessage.telegram_poll_id == telegram_poll_id)
            )
        ).first()
        if existing is None:
            self._session.add(
                PollMessage(
                    poll_id=poll_id,
                    user_id=user_id,
                    chat_id=chat_id,
                    message_id=message_id,
                    telegram_poll_id=telegram_poll_id,
                )
            )
            await self._session.flush()

    async def copy_by_telegram_id(self, telegram_poll_id: str) -> PollMessage | None:
        query = select(PollMessage).where(PollMessage.telegram_poll_id == telegram_poll_id)
        return (await self._session.exec(query)).first()

    async def copies(self, poll_id: int) -> Sequence[PollMessage]:
        query = (
            select(PollMessage).where(PollMessage.poll_id == poll_id).order_by(col(PollMessage.id))
        )
        return (await self._session.exec(query)).all()

    async def vote(self, poll_id: int, user_id: int, option_ids: Sequence[int]) -> None:
        row = (
            await self._session.exec(
                select(PollVote).where(PollVote.poll_id == poll_id, PollVote.user_id == user_id)
            )
        ).first()
        row = row or PollVote(poll_id=poll_id, user_id=user_id)
        row.option_ids = ",".join(str(i) for i in option_ids)
        row.updated_at = utcnow()
        self._session.add(row)
        await self._session.flush()

    async def set_counts(self, copy: PollMessage, counts: Sequence[int]) -> None:
        copy.counts = json.dumps(list(counts))
        self._session.add(copy)
        await self._session.flush()

    async def votes(self, poll_id: int) -> Sequence[tuple[PollVote, User]]:
        query = (
            select(PollVote, User)
            .where(PollVote.poll_id == poll_id, PollVote.user_id == User.id)
            .order_by(col(PollVote.id))
        )
        return (await self._session.exec(query)).all()
