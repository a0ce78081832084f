"""Broadcasts: drafts, the audience, fanning out one delivery per recipient, and counts.

The fan-out is a single ``INSERT ... SELECT``: the recipients never pass through
Python, so memory does not grow with the audience, and the unique delivery key
(``broadcast:<id>:<user id>``) means nobody can be queued twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.sql import Select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Broadcast, Community, Delivery, Follow, User
from storage.repositories.conversations import StaleConversation
from storage.repositories.fan_out import delivery_rows, queue
from storage.repositories.guarded import update_if

BLOCKED_PREFIX = "forbidden"  # how the dispatcher records a 403 in ``last_error``


class StaleBroadcast(StaleConversation):
    """Another update changed or sent this draft first (the update is retried, as
    for conversations; the retry finds it is no longer a draft, or reads it anew)."""


@dataclass(frozen=True, slots=True)
class Counts:
    """Where a broadcast's deliveries are: queued (due or held), in flight, done."""

    pending: int = 0
    held: int = 0  # pending, but not due yet (quiet hours)
    sending: int = 0
    sent: int = 0
    blocked: int = 0
    failed: int = 0
    cancelled: int = 0

    @property
    def total(self) -> int:
        return self.pending + self.sending + self.sent + self.blocked + self.failed + self.cancelled

    @property
    def open(self) -> int:
        return self.pending + self.sending


class BroadcastRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _is_postgres(self) -> bool:
        return self._session.get_bind().dialect.name == "postgresql"

    async def get(self, broadcast_id: int) -> Broadcast | None:
        return await self._session.get(Broadcast, broadcast_id)

    async def add(self, broadcast: Broadcast) -> Broadcast:
        self._session.add(broadcast)
        await self._session.flush()
        return broadcast

    async def draft_of(self, sender_id: int) -> Broadcast | None:
        """The sender's latest unfinished draft, if any."""
        query = (
            select(Broadcast)
            .where(col(Broadcast.sender_id) == sender_id, col(Broadcast.status) == "draft")
            .order_by(col(Broadcast.id).desc())
            .limit(1)
        )
        return (await self._session.exec(query)).first()

    async def save_draft(self, broadcast: Broadcast, **values: Any) -> None:
        """Move a draft on (its step, or to ``scheduled``) with its changes, failing if
        another update changed or sent it since it was read: a text written as "Send
        now" is pressed must not replace the message on its way to the followers."""
        seen = broadcast.version
        values["version"] = seen + 1
        where = [
            col(Broadcast.id) == broadcast.id,
            col(Broadcast.version) == seen,
            col(Broadcast.status) == "draft",
        ]
        if not await update_if(self._session, broadcast, where, **values):
            raise StaleBroadcast(broadcast.id)

    async def discard(self, broadcast_id: int) -> None:
        await self._session.exec(
            delete(Broadcast).where(
                col(Broadcast.id) == broadcast_id, col(Broadcast.status) == "draft"
            )
        )

    # -- the audience -----------------------------------------------------------

    @staticmethod
    def _recipients(broadcast: Broadcast) -> Select[tuple[int, int]]:
        """``(user id, chat id)`` of each active, unmuted follower of the audience, once."""
        query = (
            select(User.id, User.chat_id)
            .join(Follow, col(Follow.user_id) == col(User.id))
            .where(col(Follow.active).is_(True), col(Follow.muted).is_(False))
        )
        if broadcast.audience == "lpu":
            in_lpu = select(Community.id).where(col(Community.lpu_id) == broadcast.lpu_id)
            query = query.where(col(Follow.community_id).in_(in_lpu))
        else:
            query = query.where(col(Follow.community_id) == broadcast.community_id)
        return query.group_by(col(User.id), col(User.chat_id))  # type: ignore[return-value]

    async def count_recipients(self, broadcast: Broadcast) -> int:
        inner = self._recipients(broadcast).subquery()
        return int((await self._session.exec(select(func.count()).select_from(inner))).one())

    async def fan_out(self, broadcast: Broadcast, now: datetime) -> int:
        """Queue one ``broadcast`` delivery per recipient, due now; returns how many."""
        assert broadcast.id is not None
        recipients = self._recipients(broadcast).subquery()
        rows = delivery_rows(
            recipients.c.id,
            recipients.c.chat_id,
            key_prefix=f"broadcast:{broadcast.id}:",
            kind="broadcast",
            due_at=now,
            urgent=broadcast.urgent,
            quiet=not broadcast.urgent,
            broadcast_id=broadcast.id,
        )
        return await queue(self._session, rows)

    # -- the send ---------------------------------------------------------------

    async def claim_for_sending(
        self, broadcast_id: int, from_status: str, now: datetime, version: int | None = None
    ) -> bool:
        """Move the broadcast to ``sending`` if it is still ``from_status`` (and, given
        ``version``, still as the sender saw it): only one worker (or one tap of a
        button) can start it, and only with the text that was previewed."""
        where = [col(Broadcast.id) == broadcast_id, col(Broadcast.status) == from_status]
        if version is not None:
            where.append(col(Broadcast.version) == version)
        result = await self._session.exec(
            update(Broadcast)
            .where(*where)
            .values(status="sending", started_at=now, version=Broadcast.version + 1)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def due_scheduled(self, now: datetime, limit: int = 20) -> Sequence[Broadcast]:
        query = (
            select(Broadcast)
            .where(
                col(Broadcast.status) == "scheduled",
                col(Broadcast.scheduled_for) <= now,
            )
            .order_by(col(Broadcast.scheduled_for))
            .limit(limit)
        )
        if self._is_postgres():
            query = query.with_for_update(skip_locked=True)
        return (await self._session.exec(query)).all()

    async def unfinished(self) -> Sequence[Broadcast]:
        """Broadcasts sending, or stopped with messages possibly still in flight."""
        query = select(Broadcast).where(
            col(Broadcast.status).in_(("sending", "cancelled")),
            col(Broadcast.started_at).is_not(None),
            col(Broadcast.finished_at).is_(None),
        )
        return (await self._session.exec(query)).all()

    async def cancel(self, broadcast: Broadcast, now: datetime) -> None:
        """Cancel ``broadcast`` if it is still as read (scheduled or sending), failing
        with ``StaleBroadcast`` otherwise: a scheduled one the scheduler started
        meanwhile must be stopped as a sending one is, its queued messages cancelled."""
        seen = broadcast.status
        values: dict[str, Any] = {"status": "cancelled", "version": broadcast.version + 1}
        if seen == "scheduled":
            values["finished_at"] = now
        where = [col(Broadcast.id) == broadcast.id, col(Broadcast.status) == seen]
        if not await update_if(self._session, broadcast, where, **values):
            raise StaleBroadcast(broadcast.id)

    async def cancel_pending(self, broadcast_id: int) -> int:
        result = await self._session.exec(
            update(Delivery)
            .where(col(Delivery.broadcast_id) == broadcast_id, col(Delivery.status) == "pending")
            .values(status="cancelled", last_error="stopped by the sender")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def counts(self, broadcast_id: int, now: datetime) -> Counts:
        blocked = col(Delivery.last_error).startswith(BLOCKED_PREFIX)
        held = (col(Delivery.status) == "pending") & (col(Delivery.due_at) > now)
        query = (
            select(Delivery.status, blocked, held, func.count())
            .where(col(Delivery.broadcast_id) == broadcast_id)
            .group_by(col(Delivery.status), blocked, held)
        )
        tally: dict[str, int] = {}
        for status, is_blocked, is_held, n in (await self._session.exec(query)).all():
            if status == "failed" and is_blocked:
                status = "blocked"
            elif status == "pending" and is_held:
                tally["held"] = tally.get("held", 0) + int(n)
            elif status == "missed":
                status = "failed"
            tally[status] = tally.get(status, 0) + int(n)
        return Counts(**{k: v for k, v in tally.items() if k in Counts.__slots__})

    async def next_held(self, broadcast_id: int, now: datetime) -> datetime | None:
        """When the first delivery held back (quiet hours) may go."""
        query = (
            select(Delivery.due_at)
            .where(
                col(Delivery.broadcast_id) == broadcast_id,
                col(Delivery.status) == "pending",
                col(Delivery.due_at) > now,
            )
            .order_by(col(Delivery.due_at))
            .limit(1)
        )
        return (await self._session.exec(query)).first()

    async def finish(self, broadcast: Broadcast, counts: Counts, now: datetime) -> None:
        broadcast.finished_at = now
        if broadcast.status == "sending":
            broadcast.status = "sent"
        broadcast.sent_count = counts.sent
        broadcast.blocked_count = counts.blocked
        broadcast.failed_count = counts.failed
        self._session.add(broadcast)
        await self._session.flush()

    async def recent(self, limit: int = 50) -> Sequence[Broadcast]:
        query = (
            select(Broadcast)
            .where(col(Broadcast.status) != "draft")
            .order_by(col(Broadcast.created_at).desc(), col(Broadcast.id).desc())
            .limit(limit)
        )
        return (await self._session.exec(query)).all()

    # -- a follower's "stop these messages" ------------------------------------------

    async def set_muted(
        self, user_id: int, *, community_id: int | None, lpu_id: int | None, muted: bool
    ) -> int:
        """Mute (or unmute) the user's follows of a community, or of every community of
        an LPU; returns how many follows changed."""
        query = update(Follow).where(col(Follow.user_id) == user_id)
        if community_id is not None:
            query = query.where(col(Follow.community_id) == community_id)
        elif lpu_id is not None:
            in_lpu = select(Community.id).where(col(Community.lpu_id) == lpu_id)
            query = query.where(col(Follow.community_id).in_(in_lpu))
        else:
            return 0
        result = await self._session.exec(
            query.where(col(Follow.muted).is_(not muted)).values(muted=muted)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def still_wanted(self, broadcast: Broadcast, user_id: int) -> bool:
        """Whether the user still follows the audience, unmuted (checked when sending)."""
        query = (
            select(func.count())
            .select_from(Follow)
            .where(
                col(Follow.user_id) == user_id,
                col(Follow.active).is_(True),
                col(Follow.muted).is_(False),
            )
        )
        if broadcast.audience == "lpu":
            in_lpu = select(Community.id).where(col(Community.lpu_id) == broadcast.lpu_id)
            query = query.where(col(Follow.community_id).in_(in_lpu))
        else:
            query = query.where(col(Follow.community_id) == broadcast.community_id)
        return int((await self._session.exec(query)).one()) > 0
