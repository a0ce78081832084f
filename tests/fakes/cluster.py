"""N real webhook worker processes on one database, behind a load balancer, fed by the fake.

Production runs ``chinwag run --webhook-url URL --listen HOST:PORT`` as several
processes behind a load balancer, sharing one database. This harness builds the
same thing on 127.0.0.1:

    fake Bot API (parallel webhook, per-chat order) ──POST──▶ Balancer ──▶ worker 0..N-1
          ▲                                                                    │
          └───────────── sendMessage, editMessageText, ... ────────────────────┘

* The :class:`~tests.fakes.bot_api.FakeBotApi` delivers updates as Telegram does to a
  webhook: up to ``connections`` POSTs at once (Telegram's ``max_connections``,
  default 40), each chat's updates one at a time and in order, any non-2xx answer
  or failed connection retried after ``retry_delay`` and holding back only its chat.
* The :class:`~tests.fakes.balancer.Balancer` spreads the POSTs round-robin over
  the workers; a worker that refuses connections (killed, restarting) is skipped
  and the request goes to the next one at once.
* Every worker is a real process: ``python -m bot run`` by default (any command
  taking ``--webhook-url`` and ``--listen`` can be given, e.g. ``bench/echo_bot.py``),
  all registering the balancer's URL with ``setWebhook`` as production workers
  register the public one.

API::

    async with Cluster(db_url, workers=2) as cluster:   # starts the fake, balancer, workers
        alex = cluster.api.user(1001)                    # FakeBotApi as usual
        await alex.send("/start")
        cluster.kill(0)                                  # kill -9 worker 0 (returns at once)
        await cluster.start_worker(0)                    # start it again, same port
        await cluster.drain(timeout=30)                  # every queued update accepted
        stats = cluster.stats()                          # Stats: accepted, retried, latencies
        cluster.cpu_seconds()                            # user+system CPU of live workers
        cluster.log(0)                                   # worker 0's stderr so far

``Cluster(..., api=FakeBotApi(webhook_connections=40))`` uses a fake made by the
caller (to add faults with ``fail_next`` or limits); otherwise one is made with
``connections`` parallel deliveries. ``env`` adds or overrides worker environment
variables (``CHINWAG_FLOOD_LIMIT`` is high and the postcode and police services
point at a closed local port unless given). :meth:`Cluster.mark` and
``stats(since=mark)`` measure one stretch of a run. A database with the demo data
is made with :func:`prepare_database`.

Stats come from the fake's record of webhook POSTs: ``accepted`` updates (2xx),
``attempts`` that failed (non-2xx or no answer, each retried), ``duplicates``
(updates accepted more than once, which Telegram would not do), and for each
accepted POST its latency, POST sent to answer received (the worker answers only
once the update is handled, committed and its replies sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import aiohttp

from tests.fakes.balancer import Balancer
from tests.fakes.bot_api import FakeBotApi
from tests.support.cli import CHINWAG, chinwag_environment
from tests.support.demo_database import prepare_database as prepare_database  # re-exported

ROOT = Path(__file__).resolve().parents[2]
CHINWAG_RUN = (*CHINWAG, "run")
WEBHOOK_PATH = "/telegram/hook"
CLOSED_URL = "http://127.0.0.1:9"  # nothing listens: lookups fail fast, never leave the machine
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds_of(pid: int) -> float:
    """User plus system CPU time of a process so far, from /proc (0.0 if it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def percentile(values: Sequence[float], p: float) -> float:
    """The ``p``-th percentile (0-100, nearest rank); 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Stats:
    accepted: int = 0  # distinct updates answered 2xx
    attempts: int = 0  # POSTs made
    retried: int = 0  # POSTs answered non-2xx or not answered (each retried later)
    duplicates: int = 0  # updates answered 2xx more than once
    latencies: list[float] = field(default_factory=list)  # seconds, each 2xx POST
    statuses: Counter[int | None] = field(default_factory=Counter)

    def p(self, percent: float) -> float:
        return percentile(self.latencies, percent)


@dataclass
class Worker:
    index: int
    port: int
    log_path: Path
    process: asyncio.subprocess.Process | None = None
    log_file: IO[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.returncode is None


class Cluster:
    start_timeout = 60.0

    def __init__(
        self,
        db_url: str,
        workers: int = 2,
        *,
        command: Sequence[str] = CHINWAG_RUN,
        env: dict[str, str] | None = None,
        api: FakeBotApi | None = None,
        connections: int = 40,
    ) -> None:
        self.db_url = db_url
        self.command = tuple(command)
        self.extra_env = dict(env or {})
        self._own_api = api is None
        self.api = api if api is not None else FakeBotApi(webhook_connections=connections)
        self._logs = tempfile.TemporaryDirectory(prefix="chinwag-cluster-")
        self.workers = [
            Worker(i, free_port(), Path(self._logs.name) / f"worker-{i}.log")
            for i in range(workers)
        ]
        self.balancer = Balancer([w.url for w in self.workers])

    # -- lifecycle ---------------------------------------------------------------

    async def __aenter__(self) -> Cluster:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def start(self) -> None:
        if self._own_api:
            await self.api.start()
        await self.balancer.start()
        await asyncio.gather(*(self.start_worker(w.index) for w in self.workers))

    async def stop(self) -> None:
        """SIGTERM every live worker (kill -9 after 10 s), then the balancer and the fake."""
        try:
            await asyncio.gather(*(self.stop_worker(w.index) for w in self.workers))
        finally:
            await self.balancer.stop()
            if self._own_api:
                await self.api.stop()
            self._logs.cleanup()

    def environment(self) -> dict[str, str]:
        return chinwag_environment(
            {
                "CHINWAG_TELEGRAM_TOKEN": self.api.token,
                "CHINWAG_TELEGRAM_API_URL": self.api.url,
                "CHINWAG_DATABASE_URL": self.db_url,
                "CHINWAG_FLOOD_LIMIT": "1000000",
                "CHINWAG_POSTCODES_API_URL": CLOSED_URL,
                "CHINWAG_POLICE_API_URL": CLOSED_URL,
                "PYTHONPATH": str(ROOT),
                **self.extra_env,
            }
        )

    async def start_worker(self, index: int) -> None:
        """Start worker ``index`` (again) and wait until it serves and set its webhook."""
        worker = self.workers[index]
        if worker.alive:
            raise RuntimeError(f"worker {index} is already running")
        webhooks_before = len(self.api.calls("setWebhook"))
        if worker.log_file is not None:
            worker.log_file.close()
        worker.log_file = worker.log_path.open("ab")
        worker.process = await asyncio.create_subprocess_exec(
            *self.command,
            "--webhook-url",
            self.balancer.url + WEBHOOK_PATH,
            "--listen",
            f"127.0.0.1:{worker.port}",
            env=self.environment(),
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=worker.log_file,
        )
        await self._wait_ready(worker, webhooks_before)

    async def _wait_ready(self, worker: Worker, webhooks_before: int) -> None:
        deadline = time.monotonic() + self.start_timeout
        async with aiohttp.ClientSession() as session:
            while True:
                if not worker.alive:
                    raise RuntimeError(
                        f"worker {worker.index} exited while starting:\n{self.log(worker.index)}"
                    )
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"worker {worker.index} not ready in {self.start_timeout}s:\n"
                        f"{self.log(worker.index)}"
                    )
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(
                        worker.url + "/healthz", timeout=aiohttp.ClientTimeout(total=1)
                    ) as answer:
                        registered = len(self.api.calls("setWebhook")) > webhooks_before
                        if answer.status == 200 and registered:
                            return
                await asyncio.sleep(0.05)

    def kill(self, index: int) -> None:
        """kill -9 worker ``index``: whatever it had in hand is cut off mid-way."""
        worker = self.workers[index]
        if worker.alive:
            assert worker.process is not None
            worker.process.send_signal(signal.SIGKILL)

    async def wait_exit(self, index: int) -> int | None:
        process = self.workers[index].process
        return None if process is None else await process.wait()

    async def stop_worker(self, index: int, timeout: float = 10.0) -> int | None:
        """SIGTERM (as an orchestrator stops a worker); kill -9 if still there after ``timeout``."""
        worker = self.workers[index]
        process = worker.process
        if process is None:
            return None
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout)
            except TimeoutError:
                process.kill()
                await process.wait()
        if worker.log_file is not None:
            worker.log_file.close()
            worker.log_file = None
        return process.returncode

    # -- observing -----------------------------------------------------------------

    async def drain(self, timeout: float = 60.0) -> None:
        """Wait until every update queued so far was accepted (answered 2xx)."""
        deadline = time.monotonic() + timeout
        while self.api.pending_updates():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.api.pending_updates()} update(s) still not accepted after {timeout}s"
                )
            await self.api.signal.wait(0.2)

    def mark(self) -> int:
        """A point in the record of webhook POSTs, for ``stats(since=...)``."""
        return len(self.api.webhook_deliveries)

    def stats(self, since: int = 0) -> Stats:
        stats = Stats()
        accepted: Counter[int] = Counter()
        for delivery in self.api.webhook_deliveries[since:]:
            status = delivery["status"]
            stats.attempts += 1
            stats.statuses[status] += 1
            if status is not None and 200 <= status < 300:
                accepted[delivery["update_id"]] += 1
                stats.latencies.append(float(delivery["elapsed"]))
            else:
                stats.retried += 1
        stats.accepted = len(accepted)
        stats.duplicates = sum(n - 1 for n in accepted.values())
        return stats

    def cpu_seconds(self) -> dict[int, float]:
        """User+system CPU seconds used so far by each live worker, by index."""
        return {
            w.index: cpu_seconds_of(w.process.pid)
            for w in self.workers
            if w.alive and w.process is not None
        }

    def log(self, index: int) -> str:
        """Worker ``index``'s stderr (all its runs)."""
        path = self.workers[index].log_path
        if self.workers[index].log_file is not None:
            self.workers[index].log_file.flush()  # type: ignore[union-attr]
        return path.read_text(errors="replace") if path.exists() else ""


def latency_summary(stats: Stats) -> dict[str, Any]:
    """p50/p95/p99 in milliseconds, for printing."""
    return {f"p{p}": round(stats.p(p) * 1000, 1) for p in (50, 95, 99)}
