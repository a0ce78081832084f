"""Benchmark: one broadcast to N followers through `chinwag run`, within Telegram's limits.

Usage: .venv/bin/python bench/broadcast.py [--followers 10000] [--rate 29] [--quick] [--no-kill]

For 1,000 and for ``--followers`` followers (``--quick``: 100 and 300), each pass
builds a fresh SQLite database (the demo communities, N users following one of
them, quiet hours off), creates a broadcast and fans it out with the broadcast
service (one ``deliveries`` row per follower). A fake Bot API server in this
process enforces Telegram's limits (30 messages a second overall over a sliding
second, one a second per chat, answered 429 with ``retry_after``), and 2% of the
followers have blocked the bot (403). ``chinwag run`` is started as a subprocess in
polling mode against it, with ``CHINWAG_SEND_RATE`` set to ``--rate``, and the pass
ends when every delivery row is final.

Each size runs twice: straight through, then with a kill -9 of the worker at 50%
(at the moment the fake receives the middle send, so that one is in flight and
unanswered) and a restart, which takes back the rows the killed worker had
claimed; ``--no-kill`` skips those passes.

It prints, per pass: the followers; the elapsed time (start of the worker to the
last row final) and the time spent sending (the same less gaps of over 3 s
between two sends: the worker starting, and starting again after a kill); the
achieved messages a second while sending (every send answered 200 or 403, over
the sending time) against the configured rate and against the 30/s limit; the
share of sends answered 429; duplicates (messages beyond the first in a chat; at
a kill, the one in flight is allowed); losses (followers who did not block the bot
and got nothing); blocked users whose follows were stopped; and the worker's peak
memory (VmHWM, the largest of both workers at a kill). The goal: at least 95% of
the configured rate, under 1% of sends answered 429, no duplicate beyond the one
in flight, no loss, every blocked user stopped, and peak memory that does not grow
with the number of followers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func, insert
from sqlmodel import col, select

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.broadcasts.service import send_now
from storage.database import create_engine, session_factory
from storage.models import Broadcast, Community, Delivery, Follow, User
from storage.repositories.deliveries import FINAL
from storage.uow import UnitOfWork
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.send_limits import SEND_METHODS, TELEGRAM_PER_SECOND, SendLimits
from tests.support.demo_database import prepare_database

ROOT = Path(__file__).resolve().parents[1]
FIRST_ID = 7_000_000_000  # Telegram ids beyond 32 bits, as real ones are
BLOCKED_EVERY = 50  # 2% of the followers blocked the bot
IDLE_GAP = 3.0  # seconds between two sends beyond which the worker was not sending
CLAIM_TIMEOUT = 300.0  # at most the engine's claim timeout, should a kill need it


class Watch(SendLimits):
    """Telegram's limits, plus when each send was let through, and a kill -9 on cue."""

    def __init__(self) -> None:
        super().__init__(TELEGRAM_PER_SECOND, 1.0)
        self.times: list[float] = []
        self.kill_at: int | None = None  # kill the worker when this send arrives
        self.victim: int | None = None

    def check(self, method: str, params: dict[str, Any]) -> None:
        super().check(method, params)  # a 429 raises here and is not a send
        if method not in SEND_METHODS:
            return
        self.times.append(self.clock())
        if len(self.times) == self.kill_at and self.victim is not None:
            os.kill(self.victim, signal.SIGKILL)  # this send is in flight: nobody hears "ok"

    def sending_seconds(self) -> float:
        gaps = (b - a for a, b in zip(self.times, self.times[1:], strict=False))
        return sum(gap for gap in gaps if gap <= IDLE_GAP)


@dataclass
class Result:
    followers: int
    kill: bool
    rate_setting: float
    blocked_chats: list[int] = field(default_factory=list)
    elapsed: float = 0.0
    sending: float = 0.0
    sends: int = 0
    requests: int = 0
    refused: int = 0
    duplicates: int = 0
    losses: int = 0
    stopped: int = 0
    peak_kib: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def blocked(self) -> int:
        return len(self.blocked_chats)

    def rate(self) -> float:
        return (self.sends - 1) / self.sending if self.sending > 0 else 0.0


# -- the database ----------------------------------------------------------------


async def prepare(url: str, followers: int) -> int:
    """Demo communities, ``followers`` users following one, a broadcast fanned out."""
    await prepare_database(url)
    app = await build_app(Settings(database_url=url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            query = select(Community).order_by(col(Community.id)).limit(1)
            community = (await uow.session.exec(query)).one()
            now = datetime.now(UTC)
            users = [
                {
                    "telegram_id": FIRST_ID + i,
                    "chat_id": FIRST_ID + i,
                    "first_name": f"Follower {i}",
                    "language": "en",
                    "quiet_hours": "",  # the benchmark measures sending, not waiting for 8 a.m.
                    "created_at": now,
                    "last_seen_at": now,
                }
                for i in range(followers)
            ]
            await uow.session.exec(insert(User), params=users)  # type: ignore[call-overload]
            ids = (
                await uow.session.exec(select(User.id).where(col(User.telegram_id) >= FIRST_ID))
            ).all()
            follows = [
                {"user_id": i, "community_id": community.id, "active": True, "created_at": now}
                for i in ids
            ]
            await uow.session.exec(insert(Follow), params=follows)  # type: ignore[call-overload]
            broadcast = Broadcast(
                sender_name="Tarvin neighbourhood team",
                audience="community",
                community_id=community.id,
                text="<b>Road closure</b> on the High Street on Saturday, 9:00 to 17:00.",
                status="draft",
            )
            uow.session.add(broadcast)
            await uow.session.flush()
            assert broadcast.id is not None
            queued = await send_now(uow, broadcast.id, now)
            await uow.commit()
        if queued != followers:
            raise RuntimeError(f"fanned out {queued} rows for {followers} followers")
        return broadcast.id
    finally:
        await app.close()


async def still_open(uow: UnitOfWork, broadcast_id: int) -> int:
    query = (
        select(func.count())
        .select_from(Delivery)
        .where(col(Delivery.broadcast_id) == broadcast_id, col(Delivery.status).not_in(FINAL))
    )
    return int((await uow.session.exec(query)).one())


async def stopped_follows(uow: UnitOfWork, blocked: list[int]) -> int:
    """How many of the blocked users have no active follow left."""
    query = (
        select(func.count(func.distinct(col(User.id))))
        .join(Follow, col(Follow.user_id) == col(User.id))
        .where(col(User.chat_id).in_(blocked), col(Follow.active).is_(True))
    )
    return len(blocked) - int((await uow.session.exec(query)).one())


# -- the worker ------------------------------------------------------------------


async def start_worker(api: FakeBotApi, url: str, rate: float, log: Path) -> Any:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    env.update(
        {
            "CHINWAG_TELEGRAM_TOKEN": api.token,
            "CHINWAG_TELEGRAM_API_URL": api.url,
            "CHINWAG_DATABASE_URL": url,
            "CHINWAG_SEND_RATE": str(rate),
            "CHINWAG_DISPATCH_INTERVAL_SECONDS": "0.5",
            "CHINWAG_LOG_LEVEL": "WARNING",
        }
    )
    with log.open("ab") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=env,
            cwd=ROOT,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


def peak_kib(pid: int) -> int | None:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


async def watch_memory(process: Any, result: Result) -> None:
    while process.returncode is None:
        peak = peak_kib(process.pid)
        if peak is not None:
            result.peak_kib = max(result.peak_kib, peak)
        await asyncio.sleep(0.2)


async def until_done(
    uow: Any, broadcast_id: int, process: Any, deadline: float, *, or_exit: bool = False
) -> bool:
    """Wait until every row is final (or, with ``or_exit``, the worker is gone)."""
    while time.monotonic() < deadline:
        if or_exit and process.returncode is not None:
            return True
        if process.returncode is not None:
            raise RuntimeError(f"the worker exited with {process.returncode}")
        async with uow() as u:
            if await still_open(u, broadcast_id) == 0:
                return True
        await asyncio.sleep(0.5)
    return False


async def stop(process: Any) -> None:
    if process.returncode is None:
        process.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(process.wait(), 15)
        except TimeoutError:
            process.kill()
            await process.wait()


# -- one pass --------------------------------------------------------------------


def fake_api(chats: list[int], blocked: list[int]) -> tuple[FakeBotApi, Watch]:
    api = FakeBotApi()
    api.limits = watch = Watch()
    for chat in chats:
        api.user(chat, "Follower")
    for chat in blocked:
        api.block(chat)
    return api, watch


async def drive(
    api: FakeBotApi, watch: Watch, url: str, broadcast_id: int, result: Result, log: Path
) -> None:
    """Run the worker (killed at 50% and started again, for a kill pass) to the end."""
    engine = create_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    rate = result.rate_setting
    deadline = time.monotonic() + result.followers / rate * 3 + 60
    deadline += CLAIM_TIMEOUT if result.kill else 0
    workers: list[Any] = []
    memory: list[asyncio.Task[None]] = []
    started = time.monotonic()
    try:
        for attempt in range(2 if result.kill else 1):
            worker = await start_worker(api, url, rate, log)
            workers.append(worker)
            memory.append(asyncio.create_task(watch_memory(worker, result)))
            if attempt == 0 and result.kill:
                watch.kill_at, watch.victim = result.followers // 2, worker.pid
                await until_done(uow, broadcast_id, worker, deadline, or_exit=True)
                if await worker.wait() != -signal.SIGKILL:
                    result.problems.append(f"the worker was not killed ({worker.returncode})")
        done = await until_done(uow, broadcast_id, workers[-1], deadline)
        result.elapsed = time.monotonic() - started
        await stop(workers[-1])
        await asyncio.gather(*memory)
        async with uow() as u:
            if not done:
                result.problems.append(f"{await still_open(u, broadcast_id)} rows still open")
            result.stopped = await stopped_follows(u, result.blocked_chats)
    finally:
        for worker in workers:
            if worker.returncode is None:
                worker.kill()
                await worker.wait()
        await engine.dispose()


def tally(result: Result, watch: Watch, chats: list[int], api: FakeBotApi, log: Path) -> None:
    blocked = set(result.blocked_chats)
    received = watch.received
    result.sending = watch.sending_seconds()
    result.sends = len(watch.times)
    result.requests, result.refused = watch.sends, watch.refused
    result.duplicates = sum(max(n - 1, 0) for n in received.values())
    result.losses = sum(1 for chat in chats if chat not in blocked and received[chat] == 0)
    if any(received[chat] for chat in blocked):
        result.problems.append("a blocked chat received a message")
    if api.server_errors:
        result.problems.append(f"the fake Bot API failed: {api.server_errors[0]}")
    if result.problems:
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        result.problems.append(f"worker log (end):\n{tail}")


async def run_pass(followers: int, rate: float, kill: bool, folder: Path) -> Result:
    chats = [FIRST_ID + i for i in range(followers)]
    result = Result(followers, kill, rate, blocked_chats=chats[::BLOCKED_EVERY])
    name = f"{followers}-{'kill' if kill else 'straight'}"
    url, log = f"sqlite:///{folder / f'bench-{name}.db'}", folder / f"worker-{name}.log"
    broadcast_id = await prepare(url, followers)
    api, watch = fake_api(chats, result.blocked_chats)
    await api.start()
    try:
        await drive(api, watch, url, broadcast_id, result, log)
    finally:
        await api.stop()
    tally(result, watch, chats, api, log)
    return result


# -- the report ------------------------------------------------------------------

HEADER = (
    f"{'followers':>9} {'pass':<9}{'elapsed s':>10}{'sending s':>10}{'msg/s':>8}"
    f"{'% rate':>8}{'% 30/s':>8}{'% 429':>7}{'dup':>5}{'lost':>6}{'blocked':>9}{'peak MiB':>10}"
)


def row(result: Result, rate: float) -> str:
    achieved = result.rate()
    refused = 100 * result.refused / result.requests if result.requests else 0.0
    stopped = f"{result.stopped}/{result.blocked}"
    return (
        f"{result.followers:>9} {'kill -9' if result.kill else 'straight':<9}"
        f"{result.elapsed:>10.1f}{result.sending:>10.1f}{achieved:>8.2f}"
        f"{100 * achieved / rate:>8.1f}{100 * achieved / TELEGRAM_PER_SECOND:>8.1f}"
        f"{refused:>7.2f}{result.duplicates:>5}{result.losses:>6}{stopped:>9}"
        f"{result.peak_kib / 1024:>10.1f}"
    )


def verdict(results: list[Result], rate: float) -> list[str]:
    failures = []
    for r in results:
        label = f"{r.followers} followers, {'kill -9' if r.kill else 'straight'}"
        if r.rate() < 0.95 * rate:
            failures.append(f"{label}: {r.rate():.2f} msg/s is under 95% of {rate:g}")
        if r.requests and r.refused / r.requests >= 0.01:
            failures.append(f"{label}: {r.refused} of {r.requests} sends answered 429")
        if r.duplicates > (1 if r.kill else 0):
            failures.append(f"{label}: {r.duplicates} duplicates")
        if r.losses:
            failures.append(f"{label}: {r.losses} followers got nothing")
        if r.stopped != r.blocked:
            failures.append(f"{label}: {r.blocked - r.stopped} blocked users still followed")
        failures += [f"{label}: {p}" for p in r.problems]
    for kill in (False, True):
        runs = sorted((r for r in results if r.kill == kill), key=lambda r: r.followers)
        if len(runs) >= 2 and runs[-1].peak_kib > runs[0].peak_kib * 1.10 + 8 * 1024:
            failures.append(
                f"peak memory grew from {runs[0].peak_kib // 1024} MiB ({runs[0].followers}) "
                f"to {runs[-1].peak_kib // 1024} MiB ({runs[-1].followers})"
            )
    return failures


async def bench(sizes: list[int], rate: float, kill: bool) -> list[Result]:
    results = []
    print(f"send rate {rate:g}/s, fake Bot API limit {TELEGRAM_PER_SECOND}/s and 1/s per chat")
    print(HEADER, flush=True)
    with tempfile.TemporaryDirectory() as folder:
        for followers in sizes:
            for killed in (False, True) if kill else (False,):
                result = await run_pass(followers, rate, killed, Path(folder))
                results.append(result)
                print(row(result, rate), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=29.0)
    parser.add_argument("--quick", action="store_true", help="100 and 300 followers")
    parser.add_argument("--no-kill", action="store_true", help="skip the kill -9 passes")
    args = parser.parse_args()
    sizes = [100, 300] if args.quick else sorted({1000, args.followers})
    results = asyncio.run(bench(sizes, args.rate, not args.no_kill))
    failures = verdict(results, args.rate)
    print("\n".join(["", "not met:", *failures]) if failures else "\nall goals met")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
