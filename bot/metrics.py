"""What one worker process tells Prometheus, in its own registry (never the global one).

Counted in the process: updates handled (by event kind and outcome) and how long the
core took over each. Read from the database at scrape time: deliveries by status and
reminders already due. Those database figures are the same from every worker (one
database), so aggregate them across instances with ``max``, not ``sum``. If the
database cannot be read the scrape still answers, with ``chinwag_database_up 0`` and
no delivery figures rather than stale ones.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import col

from storage.models import Delivery

log = logging.getLogger("chinwag.metrics")

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
DELIVERY_STATUSES = ("pending", "sending", "sent", "failed", "missed", "cancelled")
QUEUED = ("pending", "sending")
SCRAPE_QUERY_SECONDS = 3.0


def event_kind(event: object) -> str:
    """``TextMessage`` -> ``text_message``: a label value from the event's class."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(event).__name__).lower()


@dataclass(frozen=True)
class DatabaseFigures:
    by_status: dict[str, int]
    reminders_due: int


async def read_figures(engine: AsyncEngine, now: datetime) -> DatabaseFigures:
    """Two cheap statements: a GROUP BY on the indexed status, and a range on (status, due_at)."""
    status, due_at, kind = col(Delivery.status), col(Delivery.due_at), col(Delivery.kind)
    async with engine.connect() as connection:
        rows = (await connection.execute(select(status, func.count()).group_by(status))).all()
        due = (
            await connection.execute(
                select(func.count()).where(status == "pending", due_at <= now, kind == "reminder")
            )
        ).scalar_one()
    counts = dict.fromkeys(DELIVERY_STATUSES, 0)
    counts.update({str(name): int(count) for name, count in rows})
    return DatabaseFigures(counts, int(due))


class DatabaseCollector(Collector):
    """Yields the figures of the latest read, or only ``database_up 0`` if it failed."""

    def __init__(self) -> None:
        self.figures: DatabaseFigures | None = None

    def describe(self) -> Iterable[Metric]:
        return []

    def collect(self) -> Iterable[Metric]:
        up = GaugeMetricFamily(
            "chinwag_database_up", "1 if the database answered this scrape's queries, else 0"
        )
        up.add_metric([], 1 if self.figures is not None else 0)
        yield up
        if self.figures is None:
            return
        deliveries = GaugeMetricFamily(
            "chinwag_deliveries",
            "Rows of the deliveries table by status (every worker's, from the database)",
            labels=["status"],
        )
        for name, count in sorted(self.figures.by_status.items()):
            deliveries.add_metric([name], count)
        yield deliveries
        yield GaugeMetricFamily(
            "chinwag_deliveries_queued",
            "Deliveries waiting or being sent (pending + sending)",
            value=sum(self.figures.by_status.get(name, 0) for name in QUEUED),
        )
        yield GaugeMetricFamily(
            "chinwag_reminders_due",
            "Pending reminders whose time has come (a growing figure means nothing is sending)",
            value=self.figures.reminders_due,
        )


class Metrics:
    """One per ``App``; ``leader_probe`` is read at every scrape."""

    def __init__(self) -> None:
        self.leader_probe: Callable[[], bool] = lambda: False
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "chinwag_updates_handled",
            "Updates handled by the core, by event kind and outcome (ok, apology, retry, cancelled)",
            ["event", "outcome"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "chinwag_handler_latency_seconds",
            "Time the core took over one update, transaction included",
            ["event"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.leader = Gauge(
            "chinwag_scheduler_leader",
            "1 if this worker is the scheduler leader (it looks for due deliveries)",
            registry=self.registry,
        )
        self.leader.set_function(self._leading)
        self.database = DatabaseCollector()
        self.registry.register(self.database)
        self._scrape = asyncio.Lock()

    def _leading(self) -> float:
        try:
            return 1.0 if self.leader_probe() else 0.0
        except Exception:  # a broken probe must not break the scrape
            log.exception("leader probe failed")
            return 0.0

    def observe(self, event: object, outcome: str, seconds: float) -> None:
        kind = event_kind(event)
        self.updates.labels(event=kind, outcome=outcome).inc()
        self.latency.labels(event=kind).observe(seconds)

    async def exposition(self, engine: AsyncEngine, now: datetime) -> bytes:
        """The text format Prometheus scrapes, the database read first (never raises for it)."""
        async with self._scrape:
            try:
                async with asyncio.timeout(SCRAPE_QUERY_SECONDS):
                    self.database.figures = await read_figures(engine, now)
            except Exception as exc:  # any driver error, or the timeout: report it as down
                log.warning("metrics: database not readable", extra={"error": type(exc).__name__})
                self.database.figures = None
            return generate_latest(self.registry)
