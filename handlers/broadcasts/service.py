"""Sending, scheduling and stopping a broadcast: the state changes, without the chat.

Every change is guarded by the broadcast's status in the database (``draft`` →
``scheduled`` → ``sending`` → ``sent``, or ``cancelled``), so a button pressed twice,
or two workers starting the same scheduled broadcast, fan it out only once. The
caller commits.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlmodel import col

from storage.models import Broadcast
from storage.uow import UnitOfWork


async def send_now(
    uow: UnitOfWork,
    broadcast_id: int,
    now: datetime,
    *,
    from_status: str = "draft",
    version: int | None = None,
) -> int:
    """Queue one delivery per follower of the audience, due now; returns how many.

    Nothing happens (0) when the broadcast is no longer ``from_status``: it was
    already sent, stopped, or started by someone else; nor when ``version`` is given
    and the draft has changed since (a new text came in at the same moment).
    """
    broadcast = await uow.broadcasts.get(broadcast_id)
    if broadcast is None or broadcast.status != from_status:
        return 0
    if not await uow.broadcasts.claim_for_sending(broadcast_id, from_status, now, version):
        return 0
    recipients = await uow.broadcasts.fan_out(broadcast, now)
    await uow.session.exec(
        update(Broadcast).where(col(Broadcast.id) == broadcast_id).values(total=recipients)
    )
    await uow.session.refresh(broadcast)
    return recipients


async def schedule(uow: UnitOfWork, broadcast: Broadcast, at: datetime) -> None:
    """A draft waits for ``at``; ``StaleBroadcast`` if it changed or went meanwhile."""
    await uow.broadcasts.save_draft(broadcast, status="scheduled", scheduled_for=at)


async def start_due(uow: UnitOfWork, now: datetime) -> int:
    """Start every scheduled broadcast whose time has come; deliveries queued."""
    queued = 0
    for broadcast in await uow.broadcasts.due_scheduled(now):
        assert broadcast.id is not None
        queued += await send_now(uow, broadcast.id, now, from_status="scheduled")
    return queued


async def stop(uow: UnitOfWork, broadcast: Broadcast, now: datetime) -> int:
    """Stop a broadcast that is sending (what is queued is cancelled; the message in
    flight finishes) or cancel a scheduled one. Returns how many were not sent.

    ``StaleBroadcast`` if it changed since it was read (the scheduler started it): the
    update is retried and stops it as it now is."""
    if broadcast.status not in ("scheduled", "sending") or broadcast.id is None:
        return 0
    was_sending = broadcast.status == "sending"
    await uow.broadcasts.cancel(broadcast, now)  # StaleBroadcast if it moved on meanwhile
    return await uow.broadcasts.cancel_pending(broadcast.id) if was_sending else 0
