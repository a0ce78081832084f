"""Which messages are in a private chat, so the quick exit can delete them.

The resident's messages are recorded by ``handlers.dispatch`` in the update's own
transaction; the bot's replies by the transport once they are sent
(``remember_sent``, ``SentLog``); what the delivery engine sent (broadcasts,
reminders, notices) by ``bot.dispatcher`` in the transaction that marks the delivery
sent (``write_sent``), and what its progress reports add (a broadcast's summary to
its sender) once they are sent. Only ids and times are kept, for 48 hours, and for a page
too long for one message, which messages it went out as (``SentReplies``), so that a
press on its buttons redoes it whole on whichever worker handles it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

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


PagePart = tuple[int, int, int]
"""An earlier part of a page sent as several messages: ``(chat_id, message_id,
page_end)``, ``page_end`` being the id of the page's last message (its buttons')."""


@dataclass(frozen=True, slots=True)
class SentReplies:
    """What one update's replies left behind: the bot's messages, ``(chat_id,
    message_id)``, and the update whose kept replies can now be forgotten.

    For the pages sent as several messages: ``page_parts``, the earlier parts of each
    (``PagePart``), and ``redone``, the pages ``(chat_id, last)`` an edit redid, whose
    earlier parts recorded before no longer belong to them (recorded anew, if they
    still do, in ``page_parts``)."""

    messages: tuple[tuple[int, int], ...]
    update_id: int | None = None
    page_parts: tuple[PagePart, ...] = ()
    redone: tuple[tuple[int, int], ...] = ()

    @classmethod
    def of(
        cls,
        sent: Iterable[tuple[int, int]],
        update_id: int | None,
        page_parts: Iterable[PagePart] = (),
        redone: Iterable[tuple[int, int]] = (),
    ) -> SentReplies:
        # Only private chats (the user's own, positive, id) can be cleared by the quick exit.
        return cls(
            tuple((c, m) for c, m in sent if c > 0),
            update_id,
            tuple(p for p in page_parts if p[0] > 0),
            tuple(r for r in redone if r[0] > 0),
        )

    @property
    def empty(self) -> bool:
        return not self.messages and self.update_id is None and not self.redone


def _pages_of(
    batch: Sequence[SentReplies],
) -> tuple[dict[tuple[int, int], int], list[tuple[int, int]]]:
    """The page ends to write with the messages, and the pages redone, for ``batch``
    taken in order: a page redone by an update drops what an earlier update of the
    same batch said of it (the rows are not written yet)."""
    ends: dict[tuple[int, int], int] = {}
    redone: dict[tuple[int, int], None] = {}
    for item in batch:
        for chat_id, last in item.redone:
            redone[(chat_id, last)] = None
            for key in [k for k, end in ends.items() if k[0] == chat_id and end == last]:
                del ends[key]
        for chat_id, message_id, end in item.page_parts:
            ends[(chat_id, message_id)] = end
    return ends, list(redone)


async def write_sent(uow: UnitOfWork, batch: Sequence[SentReplies], at: datetime) -> None:
    """Record ``batch`` in the caller's transaction (the caller commits): the messages
    of chats of someone we know, the pages' earlier parts, the pages redone, and the
    updates whose kept replies can go. Used for the replies to updates (``SentLog``)
    and, in its own bookkeeping transaction, by the delivery engine (``bot.dispatcher``)."""
    by_chat: defaultdict[int, list[int]] = defaultdict(list)
    for item in batch:
        for chat_id, message_id in item.messages:
            by_chat[chat_id].append(message_id)
    handled = [item.update_id for item in batch if item.update_id is not None]
    page_ends, redone = _pages_of(batch)
    if handled:
        await uow.updates.drop_replies(*handled)
    if redone:  # before the new rows: a page redone in its own messages keeps its last
        await uow.chat_messages.forget_pages(redone)
    known = await uow.chat_messages.known_chats(by_chat) if by_chat else set()
    await uow.chat_messages.record_many(
        [(chat_id, by_chat[chat_id]) for chat_id in by_chat if chat_id in known],
        from_bot=True,
        at=at,
        page_ends=page_ends,
    )


async def _write(deps: Deps, batch: Sequence[SentReplies]) -> None:
    """One transaction for every update of ``batch``."""
    async with deps.uow() as uow:
        await write_sent(uow, batch, deps.clock())
        await uow.commit()


async def remember_sent(
    deps: Deps,
    sent: Iterable[tuple[int, int]],
    update_id: int | None = None,
    page_parts: Iterable[PagePart] = (),
    redone: Iterable[tuple[int, int]] = (),
) -> None:
    """Record the bot's messages, ``(chat_id, message_id)``, which of them are the
    earlier parts of a split page and which pages were redone (``SentReplies``), and
    that the replies of ``update_id`` went out (so a re-delivery does not send them
    again); never raises."""
    item = SentReplies.of(sent, update_id, page_parts, redone)
    if item.empty:
        return
    try:
        await _write(deps, [item])
    except Exception:
        log.warning("sent message ids not recorded", exc_info=True)


class SentLog:
    """``remember_sent`` for many updates at once (group commit).

    Every update ends with this small transaction, and under load its cost is mostly
    the transaction itself: a commit, on SQLite a turn of the write lock. So an update
    that finishes sending while another's record is being written waits for the next
    write, which takes all that queued meanwhile. Each caller still returns only once
    its own record is committed (or failed, logged), so an update is answered to
    Telegram after its replies are known to be sent, as before. One update at a time
    costs what ``remember_sent`` does.
    """

    def __init__(self, max_batch: int = 500) -> None:
        self.max_batch = max_batch
        self._queue: list[tuple[SentReplies, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None
        self.writes = 0  # transactions written, for tests and benchmarks

    async def remember(
        self,
        deps: Deps,
        sent: Iterable[tuple[int, int]],
        update_id: int | None = None,
        page_parts: Iterable[PagePart] = (),
        redone: Iterable[tuple[int, int]] = (),
    ) -> None:
        item = SentReplies.of(sent, update_id, page_parts, redone)
        if item.empty:
            return
        done = asyncio.get_running_loop().create_future()
        self._queue.append((item, done))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_queued(deps), name="chinwag-sent-log")
        # Shielded: a caller cancelled mid-wait (a stopping worker) leaves the write alone.
        await asyncio.shield(done)

    async def _write_queued(self, deps: Deps) -> None:
        await asyncio.sleep(0)  # one turn of the loop: updates finishing now join this write
        while self._queue:
            taken, self._queue = self._queue[: self.max_batch], self._queue[self.max_batch :]
            try:
                await _write(deps, [item for item, _ in taken])
                self.writes += 1
            except Exception:
                log.warning(
                    "sent message ids not recorded", extra={"updates": len(taken)}, exc_info=True
                )
            finally:
                for _, done in taken:
                    if not done.done():
                        done.set_result(None)
