"""The clock of the delivery engine: APScheduler 3 wakes the dispatcher, nothing more.

What is due lives in the ``deliveries`` table; the scheduler keeps no jobs of its
own worth saving (an in-memory job store, never shared between processes: two
schedulers on one job store run jobs twice). Two jobs call ``Dispatcher.run_due``:

- ``tick``: every ``CHINWAG_DISPATCH_INTERVAL_SECONDS`` (and once at start, to catch
  up on what fell due while the bot was stopped);
- ``wake``: a one-off run soon, after something scheduled a delivery due now (e.g.
  a notice that a meeting was cancelled). It has a fixed id, so a burst of wakes
  makes one run; it waits ``wake_delay`` so that the transaction that scheduled the
  row has committed by then.

Both coalesce missed runs into one, never overlap themselves, and run however late
(``misfire_grace_time=None``): a late look at the table is still worth taking, and
the dispatcher's grace window, not the scheduler, decides what is too late to send.
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
from bot.transports.port import BotApiPort
from bot.workers import worker_id
from handlers.events.series import top_up
from handlers.retention import apply_retention

log = logging.getLogger("chinwag.scheduler")

TICK_JOB = "chinwag-deliveries-tick"
WAKE_JOB = "chinwag-deliveries-wake"
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


class DeliveryScheduler:
    def __init__(
        self, dispatcher: Dispatcher, interval_seconds: float = 5.0, *, wake_delay: float = 0.5
    ) -> None:
        self.dispatcher = dispatcher
        self.interval_seconds = interval_seconds
        self.wake_delay = wake_delay
        self.runs = 0  # how many runs the jobs made (for tests and logs)
        self._stopping = False
        self.scheduler = AsyncIOScheduler(
            timezone=UTC,
            jobstores={"default": MemoryJobStore()},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
            logger=_scheduler_log,
        )

    @property
    def running(self) -> bool:
        return bool(self.scheduler.running) and not self._stopping

    def start(self) -> None:
        """Start the jobs; call it inside the running event loop."""
        asyncio.get_running_loop()  # AsyncIOScheduler needs one; fail clearly without
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
        self.scheduler.start()
        log.info("delivery scheduler started", extra={"interval": self.interval_seconds})

    def wake(self) -> None:
        """Look for due deliveries soon (within ``wake_delay``), not at the next tick."""
        if not self.running:
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

    async def _tick(self) -> None:
        if self._stopping:
            return
        self.runs += 1
        try:
            await self.dispatcher.run_due()
        except Exception:  # the database away, a bug: log it; the next tick tries again
            log.exception("delivery run failed")

    async def _top_up(self) -> None:
        if self._stopping:
            return
        try:
            added = await top_up(self.dispatcher.app.deps.uow, self.dispatcher.clock())
        except Exception:
            log.exception("topping up repeating events failed")
            return
        if added:
            log.info("repeating events topped up", extra={"dates_added": added})

    async def _retention(self) -> None:
        if self._stopping:
            return
        try:
            changed = await apply_retention(self.dispatcher.app.deps, self.dispatcher.clock())
        except Exception:
            log.exception("applying the retention rule failed")
            return
        if changed:
            log.info("old answers anonymised", extra={"conversations": changed})

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
        log.info("delivery scheduler stopped")


def start_deliveries(
    app: App,
    port: BotApiPort,
    *,
    only_chat: int | None = None,
    clock: Callable[[], datetime] = utc_clock,
    config: DispatchConfig | None = None,
) -> DeliveryScheduler:
    """Build the dispatcher for ``port``, start its scheduler, and let handlers wake it."""
    dispatcher = Dispatcher(app, port, worker_id(), clock, config, only_chat=only_chat)
    scheduler = DeliveryScheduler(dispatcher, app.settings.dispatch_interval_seconds)
    scheduler.start()
    app.deps = dataclasses.replace(app.deps, wake=scheduler.wake)
    return scheduler
