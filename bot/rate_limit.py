"""Sending within the Bot API's limits: a global token bucket, per-chat spacing, 429 pauses.

Telegram allows about 30 messages a second overall and about one a second per
chat; over that it answers 429 with ``retry_after``. aiogram has no limiter, and
python-telegram-bot's is optional and pauses unreliably, so the delivery engine has
its own, the same for both transports:

- ``TokenBucket``: at most ``rate`` messages a second on average, bursts of ``burst``;
- ``ChatSpacing``: at least ``interval`` seconds between two messages to one chat;
- ``RateLimiter``: both, plus a pause of every send until a fixed monotonic deadline
  after a 429;
- ``SharedRateLimiter``: the same, shared by every worker process through the
  ``send_slots`` table (``storage.repositories.send_slots``), so that two workers
  send at the configured rate between them, not twice it; a 429 pauses them all;
- ``LimitedPort``: a ``BotApiPort`` that waits for the limiter before each call and
  pauses it on a 429;
- ``ReplyTally``: the replies a worker sent, counted against the shared rate.

The delivery engine (``bot.dispatcher``: broadcasts, reminders, notices) sends
through a ``SharedRateLimiter``; the terminal, which talks to nobody else, keeps the
in-process ``RateLimiter``. Replies to updates never wait for either: they answer
someone who is waiting. They are counted against the shared rate once sent
(``ReplyTally``: every second or so, a worker moves the ``global`` slot on by one
interval per reply it sent), so bulk messages make room for them and the two
together keep to the rate; the default (25 a second) leaves headroom under
Telegram's 30 for a burst of replies.

Time is a monotonic clock (wall-clock epoch seconds for the shared limiter, since
several machines take part) and ``sleep`` is injectable, so tests need not wait.
Nothing here is global: every dispatcher has its own limiter.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from bot.transports.port import BotApiPort, Classified, Failure
from handlers.outbound import Keyboard
from storage.repositories.send_slots import GLOBAL, chat_key
from storage.uow import UnitOfWork

log = logging.getLogger("chinwag.rate_limit")

Monotonic = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Limiter(Protocol):
    async def acquire(self, chat_id: int) -> float: ...

    def pause_for(self, seconds: float) -> None: ...


class TokenBucket:
    """``rate`` tokens a second, up to ``burst`` saved; one token per message.

    ``reserve`` takes a token now and says how long to wait before using it; the
    balance may go negative, so callers that reserve together are queued fairly.
    """

    def __init__(
        self, rate: float, burst: float | None = None, *, clock: Monotonic = time.monotonic
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.capacity = burst if burst is not None else max(1.0, rate)
        self._clock = clock
        self._tokens = self.capacity
        self._updated = clock()

    def reserve(self) -> float:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate


class ChatSpacing:
    """At least ``interval`` seconds between two messages to one chat.

    Only chats with a message in the last ``interval`` are remembered, so memory
    follows the chats being written to now, not every chat ever written to.
    """

    PRUNE_ABOVE = 1024

    def __init__(self, interval: float, *, clock: Monotonic = time.monotonic) -> None:
        self.interval = interval
        self._clock = clock
        self._next: dict[int, float] = {}

    def reserve(self, chat_id: int) -> float:
        """Book the chat's next slot; how long to wait for it."""
        now = self._clock()
        if len(self._next) > self.PRUNE_ABOVE:
            self._next = {chat: at for chat, at in self._next.items() if at > now}
        start = max(now, self._next.get(chat_id, now))
        if self.interval > 0:
            self._next[chat_id] = start + self.interval
        return start - now

    def __len__(self) -> int:
        return len(self._next)


class RateLimiter:
    def __init__(
        self,
        rate: float,
        per_chat_interval: float = 1.0,
        *,
        burst: float | None = None,
        clock: Monotonic = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.clock = clock
        self.sleep = sleep
        self.bucket = TokenBucket(rate, burst, clock=clock)
        self.chats = ChatSpacing(per_chat_interval, clock=clock)
        self.paused_until = float("-inf")

    def pause_for(self, seconds: float) -> None:
        """Hold every send for ``seconds`` from now (a 429's ``retry_after``)."""
        self.paused_until = max(self.paused_until, self.clock() + max(seconds, 0.0))

    async def _wait_for_pause(self) -> float:
        waited = 0.0
        while (remaining := self.paused_until - self.clock()) > 0:
            await self.sleep(remaining)
            waited += remaining
        return waited

    async def acquire(self, chat_id: int) -> float:
        """Wait until a message may go to ``chat_id``; returns how long was waited."""
        waited = await self._wait_for_pause()
        wait = self.bucket.reserve()
        if wait > 0:
            await self.sleep(wait)
            waited += wait
        wait = self.chats.reserve(chat_id)
        if wait > 0:
            await self.sleep(wait)
            waited += wait
        return waited + await self._wait_for_pause()  # a 429 may have come meanwhile


class SharedRateLimiter:
    """``RateLimiter``'s rate, spacing and 429 pauses, shared by every worker process.

    Each ``acquire`` reserves the next ``global`` slot (every ``1 / rate`` seconds)
    and the chat's next slot (every ``per_chat_interval``) in one short transaction,
    then sleeps until the later of the two. A 429 (``pause_for``) pushes the global
    slot back to its deadline for everyone, written at once in the background (and
    again with the next reservation should that fail). A process that had already
    reserved its slot before another's 429 still sends in it: at most one message
    each. Stale chat rows are pruned once a minute, so the table does not grow
    with the number of recipients.
    """

    PRUNE_EVERY = 60.0  # seconds between two prunes by one limiter
    PRUNE_AFTER = 60.0  # a chat row this long past its next free moment is deleted

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        rate: float,
        per_chat_interval: float = 1.0,
        *,
        burst_seconds: float = 0.0,
        clock: Monotonic = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.uow = uow
        self.interval = 1.0 / rate
        self.per_chat_interval = per_chat_interval
        self.burst_seconds = burst_seconds
        self.clock = clock
        self.sleep = sleep
        self.paused_until = float("-inf")
        self.pauses = 0
        self._unwritten_pause: float | None = None
        self._next_prune = float("-inf")
        self._writing: set[asyncio.Task[None]] = set()

    def pause_for(self, seconds: float) -> None:
        """Hold every send, in every process, for ``seconds`` from now (a 429)."""
        until = self.clock() + max(seconds, 0.0)
        self.paused_until = max(self.paused_until, until)
        self._unwritten_pause = self.paused_until
        self.pauses += 1
        try:
            task = asyncio.get_running_loop().create_task(self.share_pause())
        except RuntimeError:
            return  # no event loop: the next reservation writes it
        self._writing.add(task)
        task.add_done_callback(self._writing.discard)

    async def share_pause(self) -> None:
        """Write a pause not yet written, so that every other process waits too."""
        pause = self._unwritten_pause
        if pause is None:
            return
        try:
            async with self.uow() as uow:
                await uow.send_slots.push_back(GLOBAL, pause)
                await uow.commit()
        except Exception:
            log.warning("a 429 pause was not shared yet; the next send tries again")
            return
        if self._unwritten_pause == pause:
            self._unwritten_pause = None

    async def _reserve(self, chat_id: int) -> float:
        """Book the global and the chat slot together; when the later one starts."""
        now = self.clock()
        pause = self._unwritten_pause
        async with self.uow() as uow:
            if pause is not None:
                await uow.send_slots.push_back(GLOBAL, pause)
            start = await uow.send_slots.reserve(GLOBAL, now, self.interval, self.burst_seconds)
            if self.per_chat_interval > 0:
                chat = await uow.send_slots.reserve(chat_key(chat_id), now, self.per_chat_interval)
                start = max(start, chat)
            pruned = 0
            if now >= self._next_prune:
                pruned = await uow.send_slots.prune(now - self.PRUNE_AFTER)
            await uow.commit()
        if pause is not None and self._unwritten_pause == pause:
            self._unwritten_pause = None
        if now >= self._next_prune:
            self._next_prune = now + self.PRUNE_EVERY
            if pruned:
                log.debug("send slots pruned: %d", pruned)
        return start

    async def acquire(self, chat_id: int) -> float:
        """Wait until a message may go to ``chat_id``; returns how long was waited."""
        waited = 0.0
        while True:
            pauses = self.pauses
            start = await self._reserve(chat_id)
            wait = start - self.clock()
            if wait > 0:
                await self.sleep(wait)
                waited += wait
            if self.pauses == pauses:
                return waited
            # A 429 came while this slot was awaited: book again, behind the pause.


class LimitedPort:
    """A ``BotApiPort`` whose sends wait for a ``Limiter``; a 429 pauses it."""

    def __init__(self, port: BotApiPort, limiter: Limiter) -> None:
        self.port = port
        self.limiter = limiter

    def _note(self, exc: BaseException) -> None:
        kind = self.port.classify(exc)
        if kind is not None and kind.failure is Failure.RETRY_AFTER:
            self.limiter.pause_for(kind.retry_after)

    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int:
        await self.limiter.acquire(chat_id)
        try:
            return await self.port.send_text(
                chat_id, text, buttons, reply_keyboard, request_location, remove_keyboard
            )
        except Exception as exc:
            self._note(exc)
            raise

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        await self.limiter.acquire(chat_id)
        try:
            await self.port.edit_text(chat_id, message_id, text, buttons)
        except Exception as exc:
            self._note(exc)
            raise

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        await self.port.answer_callback(callback_id, text, alert)

    async def send_poll(
        self,
        chat_id: int,
        question: str,
        options: tuple[str, ...],
        allows_multiple: bool,
        anonymous: bool,
    ) -> tuple[int, str]:
        await self.limiter.acquire(chat_id)
        try:
            return await self.port.send_poll(chat_id, question, options, allows_multiple, anonymous)
        except Exception as exc:
            self._note(exc)
            raise

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str) -> int:
        await self.limiter.acquire(chat_id)
        try:
            return await self.port.send_document(chat_id, filename, content, caption)
        except Exception as exc:
            self._note(exc)
            raise

    async def send_venue(
        self, chat_id: int, latitude: float, longitude: float, title: str, address: str
    ) -> int:
        await self.limiter.acquire(chat_id)
        try:
            return await self.port.send_venue(chat_id, latitude, longitude, title, address)
        except Exception as exc:
            self._note(exc)
            raise

    async def send_photo(self, chat_id: int, file_id: str, caption: str, buttons: Keyboard) -> int:
        await self.limiter.acquire(chat_id)
        try:
            return await self.port.send_photo(chat_id, file_id, caption, buttons)
        except Exception as exc:
            self._note(exc)
            raise

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        await self.limiter.acquire(chat_id)
        try:
            await self.port.stop_poll(chat_id, message_id)
        except Exception as exc:
            self._note(exc)
            raise

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None:
        await self.limiter.acquire(chat_id)
        try:
            await self.port.delete_messages(chat_id, message_ids)
        except Exception as exc:
            self._note(exc)
            raise

    def classify(self, exc: BaseException) -> Classified | None:
        return self.port.classify(exc)


class ReplyTally:
    """The replies this worker sent, counted against the shared rate in the background.

    ``add`` only counts. About a second later (``period``) one short transaction
    moves the ``global`` slot on by ``interval`` per reply counted meanwhile, however
    many updates there were, so the per-update path gains no database work. A
    stopping worker writes its count at once (``flush``); a kill -9 forgets at most
    one period's: bulk messages then go a little sooner, still within Telegram's own
    limits (429s are obeyed).
    """

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        rate: float,
        *,
        period: float = 1.0,
        clock: Monotonic = time.time,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.uow = uow
        self.interval = 1.0 / rate
        self.period = period
        self.clock = clock
        self.pending = 0
        self.writes = 0  # transactions written, for tests
        self._writer: asyncio.Task[None] | None = None
        self._now = asyncio.Event()

    def add(self, replies: int) -> None:
        if replies <= 0:
            return
        self.pending += replies
        if self._writer is None or self._writer.done():
            self._now.clear()
            self._writer = asyncio.create_task(self._write_soon(), name="chinwag-reply-tally")

    async def _write_soon(self) -> None:
        while self.pending:  # replies counted during a write are written next
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._now.wait(), self.period)
            count, self.pending = self.pending, 0
            try:
                async with self.uow() as uow:
                    await uow.send_slots.reserve(GLOBAL, self.clock(), self.interval * count)
                    await uow.commit()
                self.writes += 1
            except Exception:
                log.warning("replies not counted against the send rate", extra={"replies": count})

    async def flush(self) -> None:
        """Write the count in hand now, and wait for it (a stopping worker, tests)."""
        if self._writer is not None and not self._writer.done():
            self._now.set()
            await asyncio.shield(self._writer)
