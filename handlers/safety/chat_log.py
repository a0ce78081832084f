"""Which messages are in a private chat, so the quick exit can delete them.

The resident's messages are recorded by ``handlers.dispatch`` in the update's own
transaction; the bot's replies by the transport once they are sent
(``remember_sent``). Only ids and times are kept, for 48 hours.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable

from handlers.context import Deps
from handlers.inbound import ButtonPress, InboundEvent
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def record_inbound(uow: UnitOfWork, deps: Deps, event: InboundEvent) -> None:
    """The resident's own message (a button press carries the bot's message: skipped)."""
    if event.message_id is None or isinstance(event, ButtonPress):
        return
    if event.sender.chat_type != "private":
        return
    await uow.chat_messages.record(
        event.sender.chat_id, [event.message_id], from_bot=False, at=deps.clock()
    )


async def remember_sent(
    deps: Deps, sent: Iterable[tuple[int, int]], update_id: int | None = None
) -> None:
    """Record the bot's messages, ``(chat_id, message_id)``, and that the replies of
    ``update_id`` went out (so a re-delivery does not send them again); never raises."""
    by_chat: defaultdict[int, list[int]] = defaultdict(list)
    for chat_id, message_id in sent:
        if chat_id > 0:  # private chats have the user's (positive) id
            by_chat[chat_id].append(message_id)
    if not by_chat and update_id is None:
        return
    try:
        async with deps.uow() as uow:
            if update_id is not None:
                await uow.updates.drop_replies(update_id)
            for chat_id in await uow.chat_messages.known_chats(by_chat):
                await uow.chat_messages.record(
                    chat_id, by_chat[chat_id], from_bot=True, at=deps.clock()
                )
            await uow.commit()
    except Exception:
        log.warning("sent message ids not recorded", exc_info=True)
