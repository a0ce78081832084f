"""The single entry point every transport calls: one update in, replies out.

It owns the transaction of an update: the update id is recorded (so a re-delivered
update is skipped), the user is found or created, the locale is set, the routed
handler runs, and everything commits together before any reply is sent.
"""

from __future__ import annotations

import logging

from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from handlers import reply_codec
from handlers.context import Context, Deps
from handlers.events.polls import record_state
from handlers.flood import Verdict
from handlers.i18n import _, use_locale
from handlers.inbound import InboundEvent, PollState, Sender
from handlers.language import bidi
from handlers.outbound import OutboundReply, Text
from handlers.router import route
from handlers.safety.advice import advice_first
from handlers.safety.chat_log import record_inbound
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


def _storable(name: str | None, limit: int) -> str:
    """A name as Telegram gave it, cut to its column, without NUL (which a PostgreSQL
    text column cannot hold) and lone surrogates (which no database can): with either,
    every update from that person would fail."""
    kept = "".join(ch for ch in name or "" if ch != "\x00" and not "\ud800" <= ch <= "\udfff")
    return kept[:limit]


async def _user_for(uow: UnitOfWork, deps: Deps, sender: Sender) -> User:
    """The sender, created on their first update; their row is held until commit, so
    two updates of one person never interleave (``UserRepository.hold``)."""
    user = await uow.users.hold(sender.telegram_id)
    first_name, username = _storable(sender.first_name, 128), _storable(sender.username, 64)
    if user is None:
        return await uow.users.add(
            User(
                telegram_id=sender.telegram_id,
                chat_id=sender.chat_id,
                first_name=first_name,
                username=username or None,
                language=choose_language(deps, sender.language_code),
            )
        )
    await uow.users.touch(
        user, chat_id=sender.chat_id, first_name=first_name, username=username or None
    )
    return user


class Duplicate(Exception):
    """The update was handled and committed before (a re-delivery)."""


async def _claim(uow: UnitOfWork, update_id: int | None) -> int | None:
    """Record the update id first thing; ``Duplicate`` if another transaction already has.

    On PostgreSQL a second worker holding the same update waits here on the primary
    key until the first commits, then fails: so each update is handled once.
    """
    if update_id is None:
        return None
    try:
        return await uow.updates.record(update_id)
    except IntegrityError:
        raise Duplicate from None


class UpdateInFlight(Exception):
    """A re-delivery of an update handled moments ago whose replies have not been
    confirmed sent: the first worker may still be sending them. Try again later."""


IN_FLIGHT_SECONDS = 3.0  # a live worker has sent its replies by then, or nearly


async def _replies_of_duplicate(deps: Deps, update_id: int | None) -> list[OutboundReply]:
    """The replies of an update handled before, if they were never confirmed sent.

    Telegram sends an update again only when it did not hear that we took it: the
    worker died after committing, before its replies went out, or it is still at
    work. Replies are forgotten once confirmed sent (``chat_log.SentLog``, by
    whichever worker sent them). A re-delivery within ``IN_FLIGHT_SECONDS`` of the
    handling, or of the last time they were handed out again, gets
    ``UpdateInFlight`` (Telegram is asked to try again later); after that they are
    handed out again, so a worker that dies while sending them again loses nothing.
    """
    log.info("duplicate update skipped", extra={"update_id": update_id})
    if update_id is None:
        return []
    async with deps.uow() as uow:
        kept = await uow.updates.kept_replies(update_id)
        if kept is None:
            return []
        stored, handed_out_at = kept
        now = deps.clock()
        if (now - handed_out_at).total_seconds() < IN_FLIGHT_SECONDS:
            raise UpdateInFlight(update_id)
        await uow.updates.handed_out(update_id, now)
        await uow.commit()
    log.info("replies of a re-delivered update sent again", extra={"update_id": update_id})
    try:
        return reply_codec.loads(stored)
    except ValueError:
        log.warning("stored replies unreadable", extra={"update_id": update_id})
        return []


async def _keep_replies(
    uow: UnitOfWork,
    update_id: int | None,
    user: User,
    chat_id: int,
    replies: list[OutboundReply],
) -> None:
    """Store the replies with the update, unless the person has just been erased."""
    if update_id is None or not replies:
        return
    state = inspect(user)
    if state.deleted or state.was_deleted:
        return
    await uow.updates.keep_replies(update_id, chat_id, reply_codec.dumps(replies))


STAFF_ROLES_EXEMPT_FROM_FLOOD = frozenset(
    {"pcso", "officer", "sergeant", "inspector", "organiser", "admin"}
)


async def _flood_verdict(deps: Deps, event: InboundEvent) -> tuple[Verdict, str]:
    """Whether to handle ``event``, and the sender's language; reads, never writes."""
    if deps.flood is None:
        return Verdict.ALLOW, deps.default_locale
    verdict = deps.flood.check(event.sender.telegram_id, deps.monotonic())
    if verdict is Verdict.ALLOW:
        return verdict, deps.default_locale
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(event.sender.telegram_id)
    if user is not None and user.role in STAFF_ROLES_EXEMPT_FROM_FLOOD:
        return Verdict.ALLOW, user.language
    language = user.language if user else choose_language(deps, event.sender.language_code)
    return verdict, language


def slow_down(language: str) -> list[OutboundReply]:
    with use_locale(language):
        return [
            Text(
                text=_(
                    "Please slow down: you are sending messages very fast. Wait a moment, then try again."
                )
            )
        ]


async def _poll_state(deps: Deps, event: PollState) -> list[OutboundReply]:
    """Counts of an anonymous poll: no person involved, nothing to answer."""
    async with deps.uow() as uow:
        try:
            await _claim(uow, event.update_id)
        except Duplicate:
            return []
        await record_state(uow, event)
        await uow.commit()
    return []


async def handle(deps: Deps, event: InboundEvent) -> list[OutboundReply]:
    """Handle one inbound event; returns the replies to send once it is committed."""
    if isinstance(event, PollState):
        return await _poll_state(deps, event)
    verdict, language = await _flood_verdict(deps, event)
    if verdict is Verdict.WARN:
        log.info("flood: asked to slow down", extra={"update_id": event.update_id})
        with use_locale(language):  # an emergency still gets the advice
            return bidi.for_language(advice_first(deps, event, slow_down(language)), language)
    if verdict is Verdict.DROP:
        return []
    for attempt in range(1, MAX_ATTEMPTS + 1):
        async with deps.uow() as uow:
            try:
                claimed = await _claim(uow, event.update_id)
            except Duplicate:
                duplicate = True
            else:
                duplicate = False
                try:
                    user = await _user_for(uow, deps, event.sender)
                    await record_inbound(uow, deps, event)
                    with use_locale(user.language):
                        replies = await route(Context(deps=deps, uow=uow, user=user, event=event))
                        replies = bidi.for_language(
                            advice_first(deps, event, replies), user.language
                        )
                    await _keep_replies(uow, claimed, user, event.sender.chat_id, replies)
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
        if duplicate:
            # Only once the claiming transaction is over: until it rolls back it holds
            # SQLite's write lock, and taking the replies writes (a self-deadlock).
            return await _replies_of_duplicate(deps, event.update_id)
    log.warning("update gave up after %d attempts", MAX_ATTEMPTS)
    return []
