"""Who follows which community's team, and news queued for every follower at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import exists, func, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Delivery, Follow, Rsvp, User
from storage.repositories.fan_out import delivery_rows, queue


class FollowRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user_id: int, community_id: int) -> Follow | None:
        query = select(Follow).where(Follow.user_id == user_id, Follow.community_id == community_id)
        return (await self._session.exec(query)).first()

    async def follow(self, user_id: int, community_id: int) -> Follow:
        row = await self.get(user_id, community_id) or Follow(
            user_id=user_id, community_id=community_id
        )
        row.active = True
        self._session.add(row)
        await self._session.flush()
        return row

    async def unfollow(self, user_id: int, community_id: int) -> None:
        row = await self.get(user_id, community_id)
        if row is not None:
            row.active = False
            self._session.add(row)
            await self._session.flush()

    async def deactivate_all(self, user_id: int) -> int:
        """Stop every follow of a user (e.g. who blocked the bot); returns how many."""
        result = await self._session.exec(
            update(Follow)
            .where(col(Follow.user_id) == user_id, col(Follow.active).is_(True))
            .values(active=False)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def is_following(self, user_id: int, community_id: int) -> bool:
        row = await self.get(user_id, community_id)
        return bool(row and row.active)

    async def count(self, community_id: int) -> int:
        query = (
            select(func.count())
            .select_from(Follow)
            .where(col(Follow.community_id) == community_id, col(Follow.active).is_(True))
        )
        return int((await self._session.exec(query)).one())

    async def queue_for_followers(
        self,
        community_id: int,
        *,
        key_prefix: str,
        kind: str,
        payload: str,
        due_at: datetime,
        quiet: bool,
        urgent: bool = False,
        except_user_id: int | None = None,
        except_answered: Sequence[int] = (),
        answered: Sequence[str] = ("going", "maybe", "waitlist"),
        except_pending: Sequence[str] = (),
    ) -> int:
        """Queue one delivery (key ``key_prefix`` + user id) for every active follower
        of ``community_id``, muted or not, in one ``INSERT ... SELECT``; returns how
        many were queued. A key already there is left alone, so queuing twice is harmless.

        Left out: ``except_user_id``; whoever answered one of the events
        ``except_answered`` with one of ``answered``; whoever already has a pending
        delivery whose key starts with one of ``except_pending``.
        """
        earlier = aliased(Delivery)
        rows = (
            delivery_rows(
                col(User.id),
                col(User.chat_id),
                key_prefix=key_prefix,
                kind=kind,
                due_at=due_at,
                payload=payload,
                urgent=urgent,
                quiet=quiet,
            )
            .join(Follow, col(Follow.user_id) == col(User.id))
            .where(col(Follow.community_id) == community_id, col(Follow.active).is_(True))
        )
        if except_user_id is not None:
            rows = rows.where(col(User.id) != except_user_id)
        if except_answered:
            rows = rows.where(
                ~exists().where(
                    col(Rsvp.user_id) == col(User.id),
                    col(Rsvp.event_id).in_(list(except_answered)),
                    col(Rsvp.status).in_(list(answered)),
                )
            )
        if except_pending:
            rows = rows.where(
                ~exists().where(
                    col(earlier.user_id) == col(User.id),
                    col(earlier.status) == "pending",
                    or_(*(col(earlier.key).startswith(prefix) for prefix in except_pending)),
                )
            )
        return await queue(self._session, rows)
