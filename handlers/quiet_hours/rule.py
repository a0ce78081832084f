"""The dispatcher's quiet-hours rule: a quiet, non-urgent row waits for the morning."""

from __future__ import annotations

from datetime import datetime

from handlers.context import Deps
from handlers.deliveries import hold
from handlers.quiet_hours.window import quiet_until, window_of
from storage.models import Delivery
from storage.uow import UnitOfWork


@hold("quiet_hours")
async def quiet_hours(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, now: datetime
) -> datetime | None:
    """When the recipient's quiet hours end, if ``delivery`` is quiet and they are in them."""
    if not delivery.quiet or delivery.urgent or delivery.user_id is None:
        return None
    user = await uow.users.get(delivery.user_id)
    if user is None:
        return None  # forgotten meanwhile: the composer drops the row
    return quiet_until(now, deps.timezone, window_of(user.quiet_hours))
