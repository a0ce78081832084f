"""Send the core's replies through a ``BotApiPort``, within the Bot API's limits.

Long texts are split at 4096 UTF-16 code units (buttons go on the last part; an edit
of such a page is redone in place, see ``_edit_page``); 429 answers
are obeyed; network faults and 5xx are retried with backoff; a user who blocked the
bot is logged and skipped. A failure to send one reply never stops the others.

``deliver`` is for the replies to an update; ``send_all`` is for the delivery engine
(``bot.dispatcher``): it stops at the first refusal, raising ``Undeliverable`` for the
caller to decide, and returns what was sent (message ids, poll ids).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from bot.transports.port import BotApiPort, Failure
from handlers.markup import shorten, split_text
from handlers.outbound import (
    DeleteMessages,
    Document,
    Edit,
    Keyboard,
    Notice,
    OutboundReply,
    Photo,
    Poll,
    StopPoll,
    Text,
    Venue,
)

log = logging.getLogger("chinwag.send")
T = TypeVar("T")

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (0.5, 1.0, 2.0, 4.0)
MAX_RETRY_AFTER = 60.0
CALLBACK_NOTICE_LIMIT = 200  # answerCallbackQuery's text: 0-200 UTF-16 code units


class Undeliverable(Exception):
    """The Bot API refused a send for good (blocked user, bad request).

    ``sent_before``: the messages, ``(chat_id, message_id)``, that went out before the
    refusal in the same ``send_all`` (earlier replies, and the first parts of a long
    text refused part-way): they are in the chat, so the quick exit must know them."""

    def __init__(self, failure: Failure, description: str) -> None:
        super().__init__(description)
        self.failure = failure
        self.sent_before: tuple[tuple[int, int], ...] = ()

    def after(self, sent: Iterable[tuple[int, int]]) -> None:
        """Add ``sent``, gone out before what this refusal already knew of."""
        self.sent_before = (*sent, *self.sent_before)


async def call_with_retries(port: BotApiPort, call: Callable[[], Awaitable[T]], what: str) -> T:
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            return await call()
        except Exception as exc:
            kind = port.classify(exc)
            if kind is None:
                raise
            if kind.failure is Failure.RETRY_AFTER and attempt < MAX_ATTEMPTS:
                await asyncio.sleep(min(kind.retry_after, MAX_RETRY_AFTER))
                continue
            if kind.failure is Failure.TRANSIENT and attempt < MAX_ATTEMPTS:
                await asyncio.sleep(BACKOFF_SECONDS[min(attempt - 1, len(BACKOFF_SECONDS) - 1)])
                continue
            raise Undeliverable(kind.failure, kind.description or str(exc)) from exc
    raise AssertionError("unreachable")


@dataclass(frozen=True, slots=True)
class Origin:
    """Where the replies go: the chat, and the message and callback a button came from."""

    chat_id: int
    message_id: int | None = None
    callback_id: str | None = None


@dataclass(frozen=True, slots=True)
class Sent:
    """A message the Bot API accepted: its id, and the poll's id for a poll.

    ``earlier`` are the first parts of a text too long for one message.
    """

    message_id: int
    poll_id: str | None = None
    earlier: tuple[int, ...] = ()


PageLookup = Callable[[int, int], Awaitable[tuple[int, ...]]]
"""``(chat_id, last) -> earlier``: the messages before ``last`` of the page it ends,
oldest first, as recorded when it was sent (empty for a page of one message)."""


class Pages:
    """The texts sent as several messages, for one delivery: for the last message of
    each (the one with the buttons), the messages before it, so that a press on its
    buttons can redo the whole page (``_edit_page``).

    What was sent before is asked of ``lookup`` (the transport reads it from the
    database, where every worker and the delivery engine record their pages; without
    one, as for the delivery engine's sends, which edit nothing, no page is known).
    What this delivery sends or redoes is
    collected, for the caller to record with the messages: ``parts`` (``(chat_id,
    message_id, page_end)`` for each earlier part) and ``redone`` (``(chat_id, last)``
    of each page recorded before whose parts are no longer its own).
    """

    def __init__(self, lookup: PageLookup | None = None) -> None:
        self._lookup = lookup
        self._known: dict[tuple[int, int], tuple[int, ...]] = {}
        self._parts: dict[tuple[int, int], int] = {}
        self._redone: dict[tuple[int, int], None] = {}

    @property
    def parts(self) -> list[tuple[int, int, int]]:
        return [(chat_id, m, end) for (chat_id, m), end in self._parts.items()]

    @property
    def redone(self) -> list[tuple[int, int]]:
        return list(self._redone)

    async def earlier(self, chat_id: int, last: int) -> tuple[int, ...]:
        known = self._known.get((chat_id, last))
        if known is not None or self._lookup is None:
            return known or ()
        try:
            return tuple(await self._lookup(chat_id, last))
        except Exception:  # the page is edited as one message, as for an unknown one
            log.warning("split page not looked up", exc_info=True)
            return ()

    def remember(self, chat_id: int, last: int, earlier: Sequence[int]) -> None:
        self._known[(chat_id, last)] = tuple(earlier)
        for message_id in earlier:
            self._parts[(chat_id, message_id)] = last

    def forget(self, chat_id: int, last: int) -> None:
        """The page ending at ``last`` is no more (redone, or found broken)."""
        self._known[(chat_id, last)] = ()
        self._redone[(chat_id, last)] = None
        for key in [k for k, end in self._parts.items() if k[0] == chat_id and end == last]:
            del self._parts[key]


async def _send_plain_part(port: BotApiPort, chat_id: int, part: str) -> int:
    return await call_with_retries(
        port, lambda: port.send_text(chat_id, part, (), (), None, False), "sendMessage"
    )


async def _send_text(
    port: BotApiPort, chat_id: int, reply: Text, pages: Pages, parts: Sequence[str] = ()
) -> Sent:
    """Send ``reply`` (or ``parts``, its text already split), the buttons on the last part."""
    parts = parts or split_text(reply.text)
    sent: list[int] = []
    try:
        for part in parts[:-1]:
            sent.append(await _send_plain_part(port, chat_id, part))
        last = await call_with_retries(
            port,
            lambda: port.send_text(
                chat_id,
                parts[-1],
                reply.buttons,
                reply.reply_keyboard,
                reply.request_location,
                reply.remove_reply_keyboard,
            ),
            "sendMessage",
        )
    except Undeliverable as exc:
        exc.after((chat_id, m) for m in sent)
        raise
    earlier = tuple(sent)
    pages.remember(chat_id, last, earlier)
    return Sent(last, earlier=earlier)


async def _edit_part(
    port: BotApiPort, chat_id: int, message_id: int, text: str, buttons: Keyboard
) -> None:
    """Edit one message; one that already shows this is fine."""
    try:
        await call_with_retries(
            port, lambda: port.edit_text(chat_id, message_id, text, buttons), "edit"
        )
    except Undeliverable as exc:
        if exc.failure is not Failure.NOT_MODIFIED:
            raise


async def _delete_quietly(port: BotApiPort, chat_id: int, message_ids: Sequence[int]) -> None:
    if not message_ids:
        return
    try:
        await call_with_retries(
            port, lambda: port.delete_messages(chat_id, tuple(message_ids)), "delete"
        )
    except Undeliverable as exc:  # e.g. older than Telegram's 48 hours: it stays
        log.info("old page parts not deleted", extra={"reason": exc.failure.value})


async def _edit_page(
    port: BotApiPort, chat_id: int, message_id: int, reply: Edit, pages: Pages
) -> Sent:
    """Replace the page whose last message is ``message_id`` with ``reply``.

    A page too long for one message went out as several, the buttons on the last
    (``_send_text``), and that last one is what a press edits. The resident expects
    the page they were reading to change as a whole, where it is: so the new text,
    split again, goes into the old page's messages in order (its first part into the
    old first part, and so on), the buttons on whichever message ends it:

    * as many parts as before: every message is edited in place;
    * fewer (a short answer to a long page): the old earlier parts left over are
      deleted, and the pressed message keeps the end of the new text, where the
      resident is looking, with the buttons;
    * more: the old messages take the first parts and the rest follow as new
      messages, the buttons on the last.

    So the old first part never stays above a new one, and the pressed message never
    becomes a copy of the first part. A page not known as split (``Pages``: sent
    more than 48 hours ago, or before pages were recorded) is edited as one message: its
    first part replaces the pressed message and the rest follow it.
    An earlier part the resident deleted makes the page unknown (the others are
    deleted and it goes as for one message); a pressed message that is gone gets its
    parts sent anew after the ones kept. Old parts Telegram no longer lets a bot
    delete (after 48 hours) stay.
    """
    parts = split_text(reply.text)
    earlier = await pages.earlier(chat_id, message_id)
    keep, surplus = earlier[: len(parts) - 1], earlier[len(parts) - 1 :]
    for old, part in zip(keep, parts, strict=False):
        try:
            await _edit_part(port, chat_id, old, part, ())
        except Undeliverable as exc:
            if exc.failure is not Failure.NOT_FOUND:
                raise
            pages.forget(chat_id, message_id)
            await _delete_quietly(port, chat_id, [m for m in earlier if m != old])
            return await _edit_page(port, chat_id, message_id, reply, pages)
    rest = parts[len(keep) + 1 :]
    page = [*keep, message_id]
    try:
        await _edit_part(port, chat_id, message_id, parts[len(keep)], () if rest else reply.buttons)
    except Undeliverable as exc:
        if exc.failure is not Failure.NOT_FOUND:
            raise
        rest, page = parts[len(keep) :], list(keep)
    await _delete_quietly(port, chat_id, surplus)
    if rest:
        sent = await _send_text(
            port, chat_id, Text(chat_id=chat_id, text="", buttons=reply.buttons), pages, rest
        )
        page += [*sent.earlier, sent.message_id]
    if earlier:  # its old parts no longer belong to it; those kept are recorded anew
        pages.forget(chat_id, message_id)
    pages.remember(chat_id, page[-1], page[:-1])
    return Sent(page[-1], earlier=tuple(page[:-1]))


async def _send_one(
    port: BotApiPort, reply: OutboundReply, origin: Origin, pages: Pages
) -> Sent | None:
    """Send one reply; what was sent, or ``None`` for a reply that sends no message."""
    chat_id = reply.chat_id if reply.chat_id is not None else origin.chat_id
    if isinstance(reply, Text):
        return await _send_text(port, chat_id, reply, pages)
    if isinstance(reply, Edit):
        message_id = reply.message_id or origin.message_id
        if message_id is None:
            return await _send_one(
                port, Text(chat_id=chat_id, text=reply.text, buttons=reply.buttons), origin, pages
            )
        return await _edit_page(port, chat_id, message_id, reply, pages)
    if isinstance(reply, Poll):
        poll_message_id, poll_id = await call_with_retries(
            port,
            lambda: port.send_poll(
                chat_id, reply.question, reply.options, reply.allows_multiple, reply.anonymous
            ),
            "sendPoll",
        )
        return Sent(poll_message_id, poll_id)
    if isinstance(reply, Document):
        return Sent(
            await call_with_retries(
                port,
                lambda: port.send_document(chat_id, reply.filename, reply.content, reply.caption),
                "sendDocument",
            )
        )
    if isinstance(reply, Venue):
        return Sent(
            await call_with_retries(
                port,
                lambda: port.send_venue(
                    chat_id, reply.latitude, reply.longitude, reply.title, reply.address
                ),
                "sendVenue",
            )
        )
    if isinstance(reply, Photo):
        return Sent(
            await call_with_retries(
                port,
                lambda: port.send_photo(chat_id, reply.file_id, reply.caption, reply.buttons),
                "sendPhoto",
            )
        )
    if isinstance(reply, DeleteMessages):
        await call_with_retries(
            port, lambda: port.delete_messages(chat_id, reply.message_ids), "delete"
        )
    if isinstance(reply, StopPoll):
        try:
            await call_with_retries(
                port, lambda: port.stop_poll(chat_id, reply.message_id), "stopPoll"
            )
        except Undeliverable as exc:
            if exc.failure not in (Failure.NOT_FOUND, Failure.BAD_REQUEST):
                raise  # an already closed or deleted poll is fine
    return None


async def send_all(
    port: BotApiPort,
    replies: Sequence[OutboundReply],
    origin: Origin,
    pages: Pages | None = None,
) -> list[Sent]:
    """Send ``replies`` in order (no button press to answer; ``Notice`` is skipped).

    Raises ``Undeliverable`` at the first reply the Bot API refuses for good, after
    the retries of ``call_with_retries``; what was sent before it stays sent, and the
    exception says which messages that was (``sent_before``).
    """
    if pages is None:
        pages = Pages()
    sent: list[Sent] = []
    shown: list[tuple[int, int]] = []
    for reply in replies:
        if isinstance(reply, Notice):
            continue
        try:
            result = await _send_one(port, reply, origin, pages)
        except Undeliverable as exc:
            exc.after(shown)
            raise
        if result is not None:
            sent.append(result)
            chat_id = reply.chat_id if reply.chat_id is not None else origin.chat_id
            shown.extend((chat_id, m) for m in (*result.earlier, result.message_id))
    return sent


def callback_notice(replies: Sequence[OutboundReply]) -> tuple[str, bool]:
    """What the answer to a button press shows: the first ``Notice``'s text and whether
    it is an alert; ``("", False)`` for none (the button just stops spinning).

    The Bot API refuses a notice over 200 UTF-16 code units (an emoji counts 2), and
    the button keeps spinning: a longer one, such as a notice naming a group with a
    long title, is shortened, never in the middle of a character."""
    for reply in replies:
        if isinstance(reply, Notice):
            return shorten(reply.text, CALLBACK_NOTICE_LIMIT), reply.alert
    return "", False


async def deliver(
    port: BotApiPort,
    replies: Sequence[OutboundReply],
    origin: Origin,
    pages: Pages | None = None,
) -> list[tuple[int, int]]:
    """Render ``replies`` in order; the button press (if any) is always answered.

    Returns ``(chat_id, message_id)`` of every message sent or edited (for the quick
    exit); ``pages`` knows the split pages sent before and collects those sent now.
    """
    if pages is None:
        pages = Pages()
    sent: list[tuple[int, int]] = []
    if origin.callback_id:
        text, alert = callback_notice(replies)
        try:
            await call_with_retries(
                port,
                lambda: port.answer_callback(origin.callback_id or "", text, alert),
                "answerCallbackQuery",
            )
        except Undeliverable as exc:
            log.info("callback answer not delivered", extra={"reason": exc.failure.value})
    for reply in replies:
        if isinstance(reply, Notice):
            continue
        try:
            result = await _send_one(port, reply, origin, pages)
        except Undeliverable as exc:
            sent.extend(exc.sent_before)  # the first parts of a text refused part-way
            log.warning(
                "reply not delivered",
                extra={
                    "reply": type(reply).__name__,
                    "reason": exc.failure.value,
                    "chat_id": origin.chat_id,
                },
            )
            if exc.failure is Failure.FORBIDDEN:
                return sent
            continue
        if result is not None:
            chat_id = reply.chat_id if reply.chat_id is not None else origin.chat_id
            sent.extend((chat_id, m) for m in (*result.earlier, result.message_id))
    return sent
