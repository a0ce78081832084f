"""Telling someone about an application, in their language, through the delivery engine."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from handlers.deliveries import message_payload
from handlers.i18n import use_locale
from handlers.outbound import Keyboard
from storage.uow import UnitOfWork


async def tell(
    uow: UnitOfWork,
    user_id: int | None,
    key: str,
    now: datetime,
    compose: Callable[[], tuple[str, Keyboard]],
) -> bool:
    """Schedule ``compose()``'s text and buttons, written in the person's language."""
    if user_id is None:
        return False
    user = await uow.users.get(user_id)
    if user is None:
        return False
    with use_locale(user.language):
        text, buttons = compose()
        payload = message_payload(text, buttons)
    await uow.deliveries.schedule(
        key=key, kind="message", chat_id=user.chat_id, user_id=user_id, due_at=now, payload=payload
    )
    return True
