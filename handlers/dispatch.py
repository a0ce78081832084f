"""The single entry point every transport calls: one update in, replies out.

It owns the transaction of an update: the update id is recorded (so a re-delivered
update is skipped), the user is found or created, the locale is set, the routed
handler runs, and everything commits together before any reply is sent.
"""

from __future__ import annotations

import logging

from sqlalchemy.exc import IntegrityError

from handlers.context import Context, Deps
from handlers.i18n import use_locale
from handlers.inbound import InboundEvent, Sender
from handlers.outbound import OutboundReply
from handlers.router import route
from storage.models import User
from storage.repositories.conversations import StaleConversation
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3


def choose_language(deps: Deps, language_code: str | None) -> str:
    """The user's Telegram language if we support it, else the default."""
    if language_code:
        base = language_code.split("-")[0].lower()
        if base in deps.supported_locales:
            return base
    return deps.default_locale


async def _user_for(uow: UnitOfWork, deps: Deps, sender: Sender) -> User:
    user = await uow.users.by_telegram_id(sender.telegram_id)
    if user is None:
        return await uow.users.add(
            User(
                telegram_id=sender.telegram_id,
                chat_id=sender.chat_id,
                first_name=sender.first_name[:128],
                username=sender.username,
                language=choose_language(deps, sender.language_code),
            )
        )
    await uow.users.touch(
        user, chat_id=sender.chat_id, first_name=sender.first_name, username=sender.username
    )
    return user


async def _claim(uow: UnitOfWork, update_id: int | None) -> bool:
    """Record the update id first thing; ``False`` if another transaction already has.

    On PostgreSQL a second worker holding the same update waits here on the primary
    key until the first commits, then fails: so each update is handled once.
    """
    if update_id is None:
        return True
    try:
        await uow.updates.record(update_id)
    except IntegrityError:
        return False
    return True


async def handle(deps: Deps, event: InboundEvent) -> list[OutboundReply]:
    """Handle one inbound event; returns the replies to send once it is committed."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with deps.uow() as uow:
            if not await _claim(uow, event.update_id):
                log.info("duplicate update skipped", extra={"update_id": event.update_id})
                return []
            try:
                user = await _user_for(uow, deps, event.sender)
                with use_locale(user.language):
                    replies = await route(Context(deps=deps, uow=uow, user=user, event=event))
                await uow.commit()
            except StaleConversation:
                log.info("conversation changed by another worker; retrying")
                continue
            except IntegrityError:
                if attempt < MAX_ATTEMPTS:
                    # A new user created at the same moment by another worker, or the
                    # same update committed elsewhere first (then it is a duplicate).
                    continue
                raise
            return replies
    log.warning("update gave up after %d attempts", MAX_ATTEMPTS)
    return []
