"""Which messages are in a private chat, so the quick exit can delete them.

The resident's messages are recorded by ``handlers.dispatch`` in the update's own
transaction; the bot's replies by the transport once they are sent
(``remember_sent``). Only ids and times are kept, for 48 hours.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class SentReplies:
    """What one update's replies left behind: the bot's messages, ``(chat_id,
    message_id)``, and the update whose kept replies can now be forgotten."""

    messages: tuple[tuple[int, int], ...]
    update_id: int | None = None

    @classmethod
    def of(cls, sent: Iterable[tuple[int, int]], update_id: int | None) -> SentReplies:
        # Only private chats (the user's own, positive, id) can be cleared by the quick exit.
        return cls(tuple((c, m) for c, m in sent if c > 0), update_id)

    @property
    def empty(self) -> bool:
        return not self.messages and self.update_id is None


async def _write(deps: Deps, batch: Sequence[SentReplies]) -> None:
    """One transaction for every update of ``batch``."""
    by_chat: defaultdict[int, list[int]] = defaultdict(list)
    for item in batch:
        for chat_id, message_id in item.messages:
            by_chat[chat_id].append(message_id)
    handled = [item.update_id for item in batch if item.update_id is not None]
    async with deps.uow() as uow:
        if handled:
            await uow.updates.drop_replies(*handled)
        known = await uow.chat_messages.known_chats(by_chat) if by_chat else set()
        at = deps.clock()
        await uow.chat_messages.record_many(
            [(chat_id, by_chat[chat_id]) for chat_id in by_chat if chat_id in known],
            from_bot=True,
            at=at,
        )
        await uow.commit()


async def remember_sent(
    deps: Deps, sent: Iterable[tuple[int, int]], update_id: int | None = None
) -> None:
    """Record the bot's messages, ``(chat_id, message_id)``, and that the replies of
    ``update_id`` went out (so a re-delivery does not send them again); never raises."""
    item = SentReplies.of(sent, update_id)
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
        self, deps: Deps, sent: Iterable[tuple[int, int]], update_id: int | None = None
    ) -> None:
        item = SentReplies.of(sent, update_id)
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
