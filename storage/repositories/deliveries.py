"""Due work for the dispatcher: schedule idempotently, claim safely, record outcomes.

Claiming moves rows from ``pending`` to ``sending`` in one statement; on PostgreSQL
the candidate rows are locked with ``FOR UPDATE SKIP LOCKED`` so that several
dispatchers never claim the same row. A row left in ``sending`` by a dispatcher that
died is released after a timeout: at most that one message can go out twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import Delivery

FINAL = ("sent", "failed", "missed", "cancelled")


class DeliveryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _is_postgres(self) -> bool:
        bind = self._session.get_bind()
        return bind.dialect.name == "postgresql"

    async def get(self, delivery_id: int) -> Delivery | None:
        return await self._session.get(Delivery, delivery_id)

    async def by_key(self, key: str) -> Delivery | None:
        return (await self._session.exec(select(Delivery).where(Delivery.key == key))).first()

    async def schedule(
        self,
        *,
        key: str,
        kind: str,
        chat_id: int,
        due_at: datetime,
        payload: str = "",
        user_id: int | None = None,
        urgent: bool = False,
        quiet: bool = False,
    ) -> Delivery:
        """Add a delivery, or move a pending one with the same key; a finished one stays."""
        row = await self.by_key(key)
        if row is None:
            row = Delivery(
                key=key,
                kind=kind,
                chat_id=chat_id,
                user_id=user_id,
                due_at=due_at,
                payload=payload,
                urgent=urgent,
                quiet=quiet,
            )
        elif row.status == "pending" or (row.status == "cancelled" and due_at != row.due_at):
            row.status, row.due_at, row.payload, row.urgent = "pending", due_at, payload, urgent
            row.quiet = quiet
        self._session.add(row)
        await self._session.flush()
        return row

    async def cancel(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        result = await self._session.exec(
            update(Delivery)
            .where(col(Delivery.key).in_(list(keys)), col(Delivery.status) == "pending")
            .values(status="cancelled")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def cancel_prefix(self, prefix: str) -> int:
        result = await self._session.exec(
            update(Delivery)
            .where(col(Delivery.key).startswith(prefix), col(Delivery.status) == "pending")
            .values(status="cancelled")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def claim_due(
        self, now: datetime, worker: str, limit: int = 100, *, chat_id: int | None = None
    ) -> Sequence[Delivery]:
        """Take up to ``limit`` due rows for this worker (the caller commits).

        ``chat_id`` restricts the claim to one chat (the terminal delivers only its own).
        """
        candidates = (
            select(Delivery.id)
            .where(col(Delivery.status) == "pending", col(Delivery.due_at) <= now)
            .order_by(col(Delivery.urgent).desc(), col(Delivery.due_at), col(Delivery.id))
            .limit(limit)
        )
        if chat_id is not None:
            candidates = candidates.where(col(Delivery.chat_id) == chat_id)
        if self._is_postgres():
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list((await self._session.exec(candidates)).all())
        if not ids:
            return []
        await self._session.exec(
            update(Delivery)
            .where(col(Delivery.id).in_(ids), col(Delivery.status) == "pending")
            .values(
                status="sending", claimed_by=worker, claimed_at=now, attempts=Delivery.attempts + 1
            )
        )
        rows = await self._session.exec(
            select(Delivery)
            .where(
                col(Delivery.id).in_(ids),
                col(Delivery.claimed_by) == worker,
                col(Delivery.status) == "sending",
            )
            .order_by(col(Delivery.due_at), col(Delivery.id))
            .execution_options(populate_existing=True)
        )
        return rows.all()

    async def finish(
        self,
        delivery_id: int,
        status: str,
        *,
        at: datetime,
        error: str = "",
        message_id: int | None = None,
    ) -> None:
        assert status in FINAL
        values: dict[str, object] = {"status": status, "last_error": error[:300]}
        if status == "sent":
            values.update(sent_at=at, message_id=message_id)
        await self._session.exec(
            update(Delivery).where(col(Delivery.id) == delivery_id).values(**values)
        )

    async def retry_later(self, delivery_id: int, due_at: datetime, error: str) -> None:
        await self._session.exec(
            update(Delivery)
            .where(col(Delivery.id) == delivery_id)
            .values(status="pending", due_at=due_at, last_error=error[:300], claimed_by="")
        )

    async def defer(self, delivery_id: int, until: datetime, reason: str) -> None:
        """Put a claimed row back until ``until`` without counting it as an attempt."""
        await self._session.exec(
            update(Delivery)
            .where(col(Delivery.id) == delivery_id)
            .values(
                status="pending",
                due_at=until,
                claimed_by="",
                attempts=Delivery.attempts - 1,  # the claim counted one; ``attempts`` >= 1
                last_error=reason[:300],
            )
        )

    async def release_held(self, user_id: int, now: datetime) -> int:
        """A user's quiet rows held back for later (``defer``, whose reason the dispatcher
        writes as "held until ...") become due now, to be held again or sent; returns how
        many. Used when the user changes their quiet hours."""
        result = await self._session.exec(
            update(Delivery)
            .where(
                col(Delivery.user_id) == user_id,
                col(Delivery.status) == "pending",
                col(Delivery.quiet).is_(True),
                col(Delivery.due_at) > now,
                col(Delivery.last_error).startswith("held until"),
            )
            .values(due_at=now, last_error="")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def renew_claim(self, delivery_id: int, worker: str, at: datetime) -> bool:
        """Refresh this worker's claim on a row; ``False`` if the claim was lost meanwhile
        (released as stale, and perhaps claimed by another worker)."""
        result = await self._session.exec(
            update(Delivery)
            .where(
                col(Delivery.id) == delivery_id,
                col(Delivery.status) == "sending",
                col(Delivery.claimed_by) == worker,
            )
            .values(claimed_at=at)
        )
        return int(result.rowcount) == 1  # type: ignore[attr-defined]

    async def release_stale(self, claimed_before: datetime) -> int:
        """Rows a dead dispatcher left in ``sending`` go back to ``pending``."""
        result = await self._session.exec(
            update(Delivery)
            .where(col(Delivery.status) == "sending", col(Delivery.claimed_at) < claimed_before)
            .values(status="pending", claimed_by="")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def claimants(self) -> list[str]:
        """The dispatchers holding rows in ``sending`` now."""
        query = select(Delivery.claimed_by).where(col(Delivery.status) == "sending").distinct()
        return [name for name in (await self._session.exec(query)).all() if name]

    async def release_claims_of(self, workers: Sequence[str]) -> int:
        """Rows claimed by these (dead) dispatchers go back to ``pending`` at once."""
        if not workers:
            return 0
        result = await self._session.exec(
            update(Delivery)
            .where(col(Delivery.status) == "sending", col(Delivery.claimed_by).in_(list(workers)))
            .values(status="pending", claimed_by="")
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    async def next_due(self) -> datetime | None:
        query = (
            select(Delivery.due_at)
            .where(col(Delivery.status) == "pending")
            .order_by(col(Delivery.due_at))
            .limit(1)
        )
        return (await self._session.exec(query)).first()

    async def count(self, status: str, kind: str | None = None) -> int:
        query = select(func.count()).select_from(Delivery).where(col(Delivery.status) == status)
        if kind is not None:
            query = query.where(col(Delivery.kind) == kind)
        return int((await self._session.exec(query)).one())
