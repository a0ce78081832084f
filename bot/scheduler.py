"""The clock of the delivery engine: APScheduler 3 wakes the dispatcher, nothing more.

What is due lives in the ``deliveries`` table; the scheduler keeps no jobs of its
own worth saving (an in-memory job store, never shared between processes: two
schedulers on one job store run jobs twice). Two jobs call ``Dispatcher.run_due``:

- ``tick``: every ``CHINWAG_DISPATCH_INTERVAL_SECONDS`` (and once at start, to catch
  up on what fell due while the bot was stopped);
- ``wake``: a one-off run soon, after something scheduled a delivery due now (e.g.
  a notice that a meeting was cancelled). It has a fixed id, so a burst of wakes
  makes one run; it waits ``wake_delay`` so that the transaction that scheduled the
  row has committed by then. A wake while a run is going makes that run look once
  more when it ends (after the same wait) instead: it may have looked last before
  the new row was there.

Both coalesce missed runs into one, never overlap themselves, and run however late
(``misfire_grace_time=None``): a late look at the table is still worth taking, and
the dispatcher's grace window, not the scheduler, decides what is too late to send.

With several workers only the leader (``bot.leader``) runs these jobs: an
``elect`` job tries to become or stay the leader every second. A worker that is
not the leader passes a wake on to the leader, wherever it runs.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.bootstrap import App, utc_clock
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.leader import ATTEMPT_SECONDS, Election, SoleElection, election_for
from bot.transports.port import BotApiPort
from bot.workers import worker_id
from handlers.events.series import top_up
from handlers.retention import apply_retention, prune_update_log

log = logging.getLogger("chinwag.scheduler")

TICK_JOB = "chinwag-deliveries-tick"
WAKE_JOB = "chinwag-deliveries-wake"
ELECT_JOB = "chinwag-leader-elect"
SHUTDOWN_TIMEOUT_SECONDS = 30.0


class _QuietOverlap(logging.Filter):
    """A tick while a run is still going is skipped (``max_instances=1``), as it should
    be: that run keeps claiming until nothing is due. APScheduler warns each time; drop it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances" not in str(record.msg)


_scheduler_log = logging.getLogger("apscheduler.scheduler.chinwag")
_scheduler_log.addFilter(_QuietOverlap())


SERIES_JOB = "events:series-top-up"
SERIES_TOP_UP_HOURS = 6
RETENTION_JOB = "privacy:retention"
RETENTION_HOURS = 24
UPDATE_LOG_JOB = "updates:prune"
UPDATE_LOG_MINUTES = 10


class DeliveryScheduler:
    def __init__(
        self,
        dispatcher: Dispatcher,
        interval_seconds: float = 5.0,
        *,
        wake_delay: float = 0.5,
        election: Election | None = None,
    ) -> None:
        self.dispatcher = dispatcher
        self.interval_seconds = interval_seconds
        self.wake_delay = wake_delay
        self.election = election or SoleElection()
        self.election.on_wake = self._wake_here
        self.runs = 0  # how many runs the jobs made (for tests and logs)
        self._stopping = False
        self._running = 0  # runs going now
        self._look_again = False  # woken during a run: it looks once more when done
        self._background: set[asyncio.Task[None]] = set()
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            jobstores={"default": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            logger=_scheduler_log,
        )

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running) and not self._stopping

    @property
    def leading(self) -> bool:
        """Whether this worker runs the deliveries and the periodic jobs now."""
        return self.running and self.election.leading

    def start(self) -> None:
        """Start the jobs; call it inside the running event loop."""
        asyncio.get_running_loop()  # AsyncIOScheduler needs one; fail clearly without
        self.scheduler.add_job(
            self._elect,
            IntervalTrigger(seconds=ATTEMPT_SECONDS, timezone=UTC),
            id=ELECT_JOB,
            name="leader: become or stay the leader",
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._tick,
            IntervalTrigger(seconds=self.interval_seconds, timezone=UTC),
            id=TICK_JOB,
            name="deliveries: look for due rows",
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._top_up,
            IntervalTrigger(hours=SERIES_TOP_UP_HOURS, timezone=UTC),
            id=SERIES_JOB,
            name="events: keep repeating events' next dates",
            next_run_time=datetime.now(UTC),
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._retention,
            IntervalTrigger(hours=RETENTION_HOURS, timezone=UTC),
            id=RETENTION_JOB,
            name="privacy: anonymise old answers, forget old message ids",
            next_run_time=datetime.now(UTC) + timedelta(minutes=1),  # once started up
            replace_existing=True,
        )
        self.scheduler.add_job(
            self._prune_update_log,
            IntervalTrigger(minutes=UPDATE_LOG_MINUTES, timezone=UTC),
            id=UPDATE_LOG_JOB,
            name="updates: forget kept replies and old update ids",
            replace_existing=True,
        )
        self.scheduler.start()
        log.info("delivery scheduler started", extra={"interval": self.interval_seconds})

    def wake(self) -> None:
        """Look for due deliveries soon (within ``wake_delay``), not at the next tick.

        On a worker that is not the leader, the leader is told instead.
        """
        if not self.running:
            return
        if not self.election.leading:
            task = asyncio.get_running_loop().create_task(self._wake_leader())
            self._background.add(task)
            task.add_done_callback(self._background.discard)
            return
        self._wake_here()

    async def _wake_leader(self) -> None:
        try:
            await self.election.wake_leader()
        except Exception:  # the next tick of the leader finds the row anyway
            log.warning("could not wake the leader", exc_info=True)

    def _wake_here(self) -> None:
        if not self.running:
            return
        if self._running:
            # A wake job now would be skipped (``max_instances=1``) and the run going
            # may have made its last look before the new row was written: it looks again.
            self._look_again = True
            return
        run_at = datetime.now(UTC) + timedelta(seconds=self.wake_delay)
        pending = self.scheduler.get_job(WAKE_JOB)
        if pending is not None and pending.next_run_time and pending.next_run_time <= run_at:
            return  # a wake is already on its way; do not push it back
        self.scheduler.add_job(
            self._tick,
            DateTrigger(run_date=run_at, timezone=UTC),
            id=WAKE_JOB,
            name="deliveries: wake",
            replace_existing=True,
        )

    async def _elect(self) -> None:
        if self._stopping:
            return
        was_leading = self.election.leading
        try:
            leading = await self.election.attempt()
        except Exception:
            log.exception("leader election failed")
            return
        if leading and not was_leading:
            log.info(
                "leading: this worker runs the deliveries",
                extra={"worker": self.dispatcher.worker_id},
            )
            self._wake_here()  # catch up on what fell due while nobody led
            self.scheduler.modify_job(SERIES_JOB, next_run_time=datetime.now(UTC))
        elif was_leading and not leading:
            log.warning("no longer leading", extra={"worker": self.dispatcher.worker_id})

    async def _tick(self) -> None:
        if self._stopping or not self.election.leading:
            return
        self._running += 1
        try:
            while True:
                self._look_again = False
                self.runs += 1
                try:
                    await self.dispatcher.run_due()
                except Exception:  # the database away, a bug: log it; the next tick tries again
                    log.exception("delivery run failed")
                if not self._look_again or self._stopping or not self.election.leading:
                    break
                await asyncio.sleep(self.wake_delay)  # as a wake job waits for the commit
        finally:
            self._running -= 1

    async def _top_up(self) -> None:
        if self._stopping or not self.election.leading:
            return
        try:
            added = await top_up(self.dispatcher.app.deps.uow, self.dispatcher.clock())
        except Exception:
            log.exception("topping up repeating events failed")
            return
        if added:
            log.info("repeating events topped up", extra={"dates_added": added})

    async def _retention(self) -> None:
        if self._stopping or not self.election.leading:
            return
        try:
            changed = await apply_retention(self.dispatcher.app.deps, self.dispatcher.clock())
        except Exception:
            log.exception("applying the retention rule failed")
            return
        if changed:
            log.info("old answers anonymised", extra={"conversations": changed})

    async def _prune_update_log(self) -> None:
        if self._stopping or not self.election.leading:
            return
        try:
            removed = await prune_update_log(self.dispatcher.app.deps, self.dispatcher.clock())
        except Exception:
            log.exception("pruning the update log failed")
            return
        if removed:
            log.info("old update ids forgotten", extra={"updates": removed})

    async def shutdown(self, timeout: float = SHUTDOWN_TIMEOUT_SECONDS) -> None:
        """Stop waking; let the row in flight finish (its outcome is recorded)."""
        if self._stopping:
            return
        self._stopping = True
        self.dispatcher.stop()
        try:
            await asyncio.wait_for(self.dispatcher.idle(), timeout)
        except TimeoutError:
            log.warning("a delivery was still being sent at shutdown")
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down on the loop's next turn
        try:
            await self.election.close()  # another worker may lead at once
        except Exception:
            log.warning("could not step down as leader", exc_info=True)
        log.info("delivery scheduler stopped")


def start_deliveries(
    app: App,
    port: BotApiPort,
    *,
    only_chat: int | None = None,
    clock: Callable[[], datetime] = utc_clock,
    config: DispatchConfig | None = None,
) -> DeliveryScheduler:
    """Build the dispatcher for ``port``, start its scheduler, and let handlers wake it.

    The terminal (``only_chat``) is a process of its own and always leads; a Telegram
    worker leads only when elected.
    """
    me = worker_id()
    dispatcher = Dispatcher(app, port, me, clock, config, only_chat=only_chat)
    election = (
        SoleElection()
        if only_chat is not None
        else election_for(app.settings.database_url, app.deps.uow, dispatcher.worker_id)
    )
    scheduler = DeliveryScheduler(
        dispatcher, app.settings.dispatch_interval_seconds, election=election
    )
    scheduler.start()
    app.deps = dataclasses.replace(app.deps, wake=scheduler.wake)
    app.metrics.leader_probe = lambda: scheduler.leading
    return scheduler
