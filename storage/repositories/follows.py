"""Who follows which community's team, and news queued for every follower at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, exists, func, literal, or_, update
from sqlalchemy import select as core_select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import Delivery, Follow, Rsvp, User
from storage.types import UTCDateTime

_QUEUED = (
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
    "claimed_by",
    "last_error",
    "created_at",
)


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
            core_select(
                literal(key_prefix) + cast(col(User.id), String),
                literal(kind),
                col(User.id),
                col(User.chat_id),
                literal(due_at, UTCDateTime()),
                literal("pending"),
                literal(0),
                literal(payload),
                literal(urgent),
                literal(quiet),
                literal(""),
                literal(""),
                literal(utcnow(), UTCDateTime()),
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
        statement = self._insert().from_select(list(_QUEUED), rows)
        statement = statement.on_conflict_do_nothing(index_elements=["key"])
        result = await self._session.exec(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]

    def _insert(self) -> Any:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        return insert(Delivery)
