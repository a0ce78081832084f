"""The delivery engine: send the due rows of the ``deliveries`` table, once each.

The rows are the truth; the scheduler (``bot.scheduler``) only says "look now".
One run (``Dispatcher.run_due``):

1. rows left in ``sending`` by a dispatcher that died go back to ``pending``: at
   once when it ran on this machine (``bot.workers``), else once claimed more than
   ``claim_timeout`` ago;
2. due rows are claimed in batches (``pending`` → ``sending``, committed at once;
   ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two dispatchers never share a row),
   so memory does not grow with the number of due rows;
3. each row, in turn: too late (beyond the grace window, for reminders and plain
   messages that are not urgent, counted from the end of any hold it would have had
   at its time) → ``missed``; composed in the recipient's language
   (``handlers.deliveries``; ``None`` → ``cancelled``); sent through the transport's
   port within the rate limits (``bot.rate_limit``), with 429 obeyed and 5xx and
   timeouts retried (``bot.transports.render``). Its outcome is committed at once,
   so a kill -9 can repeat at most the one message in flight.

Features take part through the hooks of ``handlers.deliveries``: ``before_run``
work is done and committed before a run claims anything (a scheduled broadcast
fanned out); a ``hold`` puts a row back as pending until later without counting
an attempt (quiet hours); ``progress`` replies (a broadcast's status message) are
sent every ``progress_interval`` seconds during a run and once at its end, the
messages they add (a broadcast's summary) recorded in ``chat_messages`` for the
quick exit.

Outcomes: ``sent`` (with the Telegram message id of the last message; every message
the row went out as, the earlier parts of a text too long for one included, is
recorded in ``chat_messages`` in the same transaction, for the quick exit and for a
press on its buttons to redo the whole page); ``failed``
for a user who blocked the bot (their follows are stopped; never retried) or a bad
request; a transient failure goes back to ``pending`` later, until ``max_attempts``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.bootstrap import App
from bot.rate_limit import LimitedPort, Limiter, RateLimiter, SharedRateLimiter
from bot.settings import Settings
from bot.transports.port import BotApiPort, Failure
from bot.transports.render import Origin, Pages, Sent, Undeliverable, send_all
from bot.workers import died_here
from handlers.deliveries import (
    SentMessage,
    compose,
    held_until,
    progress_replies,
    record_sent,
    run_before,
)
from handlers.outbound import Edit
from handlers.safety.chat_log import SentReplies, write_sent
from storage.models import Delivery
from storage.uow import UnitOfWork

log = logging.getLogger("chinwag.deliveries")

# Kinds that are pointless, or unwelcome, when late: nobody wants "starting in an
# hour" at 3 a.m. for a meeting that has ended. Urgent rows are always sent.
LATE_KINDS = frozenset({"reminder", "message", "notice", "event_notice"})


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    grace: timedelta = timedelta(minutes=30)
    rate: float = 25.0  # messages a second, overall
    per_chat_interval: float = 1.0  # seconds between two messages to one chat
    max_attempts: int = 5
    claim_timeout: timedelta = timedelta(minutes=2)
    batch_size: int = 100
    retry_base: timedelta = timedelta(minutes=1)  # then 2, 4, 8... minutes
    retry_cap: timedelta = timedelta(minutes=30)
    progress_interval: float = 3.0  # seconds between two progress reports in a run

    @classmethod
    def from_settings(cls, settings: Settings) -> DispatchConfig:
        return cls(
            grace=timedelta(minutes=settings.reminder_grace_minutes), rate=settings.send_rate
        )

    def backoff(self, attempts: int) -> timedelta:
        delay: timedelta = self.retry_base * 2 ** max(attempts - 1, 0)
        return min(delay, self.retry_cap)


class Dispatcher:
    def __init__(
        self,
        app: App,
        port: BotApiPort,
        worker_id: str,
        clock: Callable[[], datetime],
        config: DispatchConfig | None = None,
        *,
        only_chat: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.app = app
        self.worker_id = worker_id[:64]
        self.clock = clock
        self.config = config or DispatchConfig.from_settings(app.settings)
        self.only_chat = only_chat  # the terminal delivers its own chat's rows only
        # Shared by every worker process; the terminal has one chat and no Telegram.
        self.limiter: Limiter = (
            RateLimiter(
                self.config.rate, self.config.per_chat_interval, clock=monotonic, sleep=sleep
            )
            if only_chat is not None
            else SharedRateLimiter(
                app.deps.uow, self.config.rate, self.config.per_chat_interval, sleep=sleep
            )
        )
        self.port = LimitedPort(port, self.limiter)
        self.monotonic = monotonic
        self._lock = asyncio.Lock()
        self._again = False
        self._stopping = False
        self._last_progress = float("-inf")

    # -- control ---------------------------------------------------------------

    def stop(self) -> None:
        """Finish the row in flight, then claim nothing more."""
        self._stopping = True

    async def idle(self) -> None:
        """Wait for a run in progress to end."""
        async with self._lock:
            pass

    @property
    def busy(self) -> bool:
        return self._lock.locked()

    # -- a run -----------------------------------------------------------------

    async def run_due(self) -> int:
        """Send what is due; returns how many rows reached an outcome (sent, missed...).

        A call while a run is in progress asks that run to look again and returns 0.
        """
        if self._stopping:
            return 0
        if self._lock.locked():
            self._again = True
            return 0
        finished = 0
        async with self._lock:
            await self._release_stale()
            while not self._stopping:
                self._again = False
                await self._before_run()
                finished += await self._run_batches()
                if not self._again:
                    break
            await self._report_progress(final=True)
        return finished

    async def _before_run(self) -> None:
        try:
            async with self.app.deps.uow() as uow:
                made = await run_before(self.app.deps, uow, self.clock())
                await uow.commit()
        except Exception:
            log.exception("before-run work failed")  # the rows already due still go out
            return
        if made:
            log.info("deliveries queued before the run: %d", made)

    async def _report_progress(self, *, final: bool = False) -> None:
        """Send what the ``progress`` hooks have to say (at most every few seconds)."""
        now = self.monotonic()
        if not final and now - self._last_progress < self.config.progress_interval:
            return
        self._last_progress = now
        try:
            async with self.app.deps.uow() as uow:
                replies = await progress_replies(self.app.deps, uow, self.clock(), final=final)
                await uow.commit()
        except Exception:
            log.exception("progress report failed")
            return
        pages = Pages()  # the earlier parts of a text sent as several messages
        shown: list[tuple[int, int]] = []
        for reply in replies:
            chat_id = reply.chat_id or 0
            try:
                sent = await send_all(self.port, [reply], Origin(chat_id), pages)
            except Undeliverable as exc:
                log.info("progress report not delivered", extra={"reason": exc.failure.value})
                shown += exc.sent_before
                continue
            except Exception:
                log.exception("progress report failed to send")
                continue
            # An edited message (the status message) was recorded when it was sent:
            # only the messages this reply added, so that each edit adds no row.
            edited = reply.message_id if isinstance(reply, Edit) else None
            shown += [(chat_id, m) for s in sent for m in (*s.earlier, s.message_id) if m != edited]
        await self._log_progress(SentReplies.of(shown, None, pages.parts, pages.redone))

    async def _log_progress(self, shown: SentReplies) -> None:
        """Record what one progress report sent (a broadcast's summary, each part of a
        long one) in ``chat_messages``, for the quick exit: one transaction for all its
        replies, none when it only edited. A failure loses the record, logged."""
        if shown.empty:
            return
        try:
            async with self.app.deps.uow() as uow:
                await write_sent(uow, [shown], self.clock())
                await uow.commit()
        except Exception:
            log.warning("sent message ids not recorded", extra={"progress": True}, exc_info=True)

    async def _release_stale(self) -> None:
        async with self.app.deps.uow() as uow:
            released = await uow.deliveries.release_stale(self.clock() - self.config.claim_timeout)
            dead = [w for w in await uow.deliveries.claimants() if died_here(w, self.worker_id)]
            released += await uow.deliveries.release_claims_of(dead)
            await uow.commit()
        if released:
            log.warning("released deliveries a stopped dispatcher had claimed: %d", released)

    async def _claim(self) -> list[Delivery]:
        async with self.app.deps.uow() as uow:
            rows = await uow.deliveries.claim_due(
                self.clock(), self.worker_id, self.config.batch_size, chat_id=self.only_chat
            )
            await uow.commit()
        return list(rows)

    async def _run_batches(self) -> int:
        finished = 0
        while not self._stopping:
            rows = await self._claim()
            for index, row in enumerate(rows):
                if self._stopping:
                    # Claimed but not begun: give them back for the next run.
                    await self._give_back(rows[index:])
                    return finished
                outcome = await self.process(row)
                if outcome in ("sent", "failed", "missed", "cancelled"):
                    finished += 1
                await self._report_progress()
            if len(rows) < self.config.batch_size:
                break
        return finished

    async def _give_back(self, rows: list[Delivery]) -> None:
        async with self.app.deps.uow() as uow:
            for row in rows:
                assert row.id is not None
                await uow.deliveries.retry_later(row.id, row.due_at, row.last_error)
            await uow.commit()

    # -- one row ---------------------------------------------------------------

    async def process(self, row: Delivery) -> str:
        """Compose, send and record one claimed row; returns its outcome."""
        assert row.id is not None
        now = self.clock()
        if not await self._still_ours(row, now):
            return "lost"
        if self._too_late(row, now) and not await self._held_anyway(row, now):
            await self._finish(row, "missed", error=f"late by {now - row.due_at}")
            return "missed"
        try:
            async with self.app.deps.uow() as uow:
                until = await held_until(self.app.deps, uow, row, now)
                replies = None if until is not None else await compose(self.app.deps, uow, row)
                if until is not None:
                    await uow.deliveries.defer(row.id, until, f"held until {until.isoformat()}")
                    await uow.commit()
                    return "held"
        except (LookupError, ValueError, TypeError) as exc:
            # An unknown kind or a payload it cannot read: trying again cannot help.
            log.error(
                "delivery cannot be composed",
                extra={"delivery_id": row.id, "kind": row.kind, "error": type(exc).__name__},
            )
            await self._finish(row, "failed", error=f"cannot compose: {type(exc).__name__}: {exc}")
            return "failed"
        except Exception as exc:
            log.exception("composer failed", extra={"delivery_id": row.id, "kind": row.kind})
            return await self._transient(row, f"composer failed: {type(exc).__name__}")
        if not replies:
            await self._finish(row, "cancelled", error="obsolete" if replies is None else "empty")
            return "cancelled"
        pages = Pages()  # collects the earlier parts of a text sent as several messages
        try:
            sent = await send_all(self.port, replies, Origin(row.chat_id), pages)
        except Undeliverable as exc:
            await self._log_sent_before(row, exc, pages)
            return await self._refused(row, exc)
        except Exception as exc:  # not a Bot API answer we know: a network fault, a bug
            log.exception("delivery send failed", extra={"delivery_id": row.id, "kind": row.kind})
            return await self._transient(row, f"{type(exc).__name__}: {exc}")
        await self._finish_sent(row, sent, pages)
        return "sent"

    def _too_late(self, row: Delivery, now: datetime) -> bool:
        return not row.urgent and row.kind in LATE_KINDS and now - row.due_at > self.config.grace

    async def _held_anyway(self, row: Delivery, now: datetime) -> bool:
        """Whether a row found late would have been held (quiet hours) at its time
        until a moment within the grace window of ``now``, or later: then no one was
        made to wait by the delay (a worker down during the night), so the row goes
        on to the hold and the send as if it had been on time, not to ``missed``."""
        async with self.app.deps.uow() as uow:
            until = await held_until(self.app.deps, uow, row, row.due_at)
        return until is not None and now - until <= self.config.grace

    async def _still_ours(self, row: Delivery, now: datetime) -> bool:
        """A batch may take long (429 pauses): renew an old claim before another
        dispatcher takes it as abandoned; skip the row if that already happened."""
        assert row.id is not None
        if row.claimed_at is None or now - row.claimed_at < self.config.claim_timeout / 2:
            return True
        async with self.app.deps.uow() as uow:
            ours = await uow.deliveries.renew_claim(row.id, self.worker_id, now)
            await uow.commit()
        if not ours:
            log.warning("delivery claim lost; skipped", extra={"delivery_id": row.id})
        return ours

    async def _refused(self, row: Delivery, exc: Undeliverable) -> str:
        reason = f"{exc.failure.value}: {exc}"
        if exc.failure is Failure.FORBIDDEN:
            async with self.app.deps.uow() as uow:
                assert row.id is not None
                await uow.deliveries.finish(row.id, "failed", at=self.clock(), error=reason)
                stopped = 0
                if row.user_id is not None:
                    stopped = await uow.follows.deactivate_all(row.user_id)
                await uow.commit()
            log.info(
                "delivery refused: blocked or deactivated",
                extra={"delivery_id": row.id, "kind": row.kind, "follows_stopped": stopped},
            )
            return "failed"
        if exc.failure in (Failure.TRANSIENT, Failure.RETRY_AFTER):
            return await self._transient(row, reason)
        log.warning("delivery refused", extra={"delivery_id": row.id, "reason": exc.failure.value})
        await self._finish(row, "failed", error=reason)
        return "failed"

    async def _transient(self, row: Delivery, reason: str) -> str:
        assert row.id is not None
        if row.attempts >= self.config.max_attempts:
            log.warning(
                "delivery failed after %d attempts",
                row.attempts,
                extra={"delivery_id": row.id, "kind": row.kind},
            )
            await self._finish(row, "failed", error=reason)
            return "failed"
        due = self.clock() + self.config.backoff(row.attempts)
        async with self.app.deps.uow() as uow:
            await uow.deliveries.retry_later(row.id, due, reason)
            await uow.commit()
        log.info(
            "delivery will be retried",
            extra={"delivery_id": row.id, "kind": row.kind, "attempts": row.attempts},
        )
        return "retry"

    async def _finish(self, row: Delivery, status: str, *, error: str = "") -> None:
        assert row.id is not None
        async with self.app.deps.uow() as uow:
            await uow.deliveries.finish(row.id, status, at=self.clock(), error=error)
            await uow.commit()
        log.info(
            "delivery %s",
            status,
            extra={"delivery_id": row.id, "kind": row.kind, "outcome": status},
        )

    async def _finish_sent(self, row: Delivery, sent: list[Sent], pages: Pages) -> None:
        """Mark the row sent, in one transaction with its kind's ``after_sent`` hook and
        the record of every message it went out as in ``chat_messages`` (for the quick
        exit, and the earlier parts of a split text, so that a press on its buttons
        redoes it whole: ``handlers.safety.chat_log``)."""
        assert row.id is not None
        messages = tuple(SentMessage(s.message_id, s.poll_id) for s in sent)
        message_id = messages[-1].message_id if messages else None
        # A delivery's replies all go to its chat (only a private one is recorded).
        shown = SentReplies.of(
            [(row.chat_id, m) for s in sent for m in (*s.earlier, s.message_id)],
            None,
            pages.parts,
            pages.redone,
        )
        async with self.app.deps.uow() as uow:
            logged = await self._log_sent(uow, row, shown)
            try:
                await record_sent(self.app.deps, uow, row, messages)
            except Exception:
                # The message is out: record it as sent whatever the hook thought.
                log.exception("after-sent hook failed", extra={"delivery_id": row.id})
                await uow.rollback()
                if logged:  # rolled back with the hook's work: once more
                    await self._log_sent(uow, row, shown)
            await uow.deliveries.finish(row.id, "sent", at=self.clock(), message_id=message_id)
            await uow.commit()
        log.info("delivery sent", extra={"delivery_id": row.id, "kind": row.kind})

    async def _log_sent_before(self, row: Delivery, exc: Undeliverable, pages: Pages) -> None:
        """Record what went out before a refusal (earlier replies, the first parts of a
        long text), which stays in the chat: the quick exit must delete it too."""
        shown = SentReplies.of(exc.sent_before, None, pages.parts, pages.redone)
        if shown.empty:
            return
        async with self.app.deps.uow() as uow:
            if await self._log_sent(uow, row, shown):
                await uow.commit()

    async def _log_sent(self, uow: UnitOfWork, row: Delivery, shown: SentReplies) -> bool:
        """Record ``shown`` in ``uow``'s transaction (done first, so that a failure
        rolls back nothing else); whether it was. A failure loses the record, logged,
        never the row's outcome."""
        if shown.empty:
            return False
        try:
            await write_sent(uow, [shown], self.clock())
        except Exception:
            log.warning(
                "sent message ids not recorded", extra={"delivery_id": row.id}, exc_info=True
            )
            await uow.rollback()
            return False
        return True
