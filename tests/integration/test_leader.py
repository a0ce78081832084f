"""Only one worker leads the deliveries at a time, and another takes over when it goes."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App, build_app
from bot.dispatcher import Dispatcher
from bot.leader import JOB_NAME, LeaseElection, LockElection
from bot.scheduler import DeliveryScheduler, start_deliveries
from bot.settings import Settings
from bot.workers import this_host
from storage.migrate import upgrade
from tests.integration.test_dispatcher import FAST, Clock, FakePort, schedule, until


class WallClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def dead_worker() -> str:
    """The name a worker on this machine had, whose process has ended."""
    process = subprocess.Popen(["true"])
    process.wait()
    return f"{this_host()}:{process.pid}:deadbeef"


async def test_one_of_two_workers_leads_and_the_other_takes_over_when_it_steps_down(
    app: App,
) -> None:
    first = LeaseElection(app.deps.uow, "host-a:1:aaaa")
    second = LeaseElection(app.deps.uow, "host-b:2:bbbb")

    assert await first.attempt() is True
    assert await second.attempt() is False
    assert await first.attempt() is True  # renewing keeps it
    assert await second.attempt() is False

    await first.close()
    assert first.leading is False
    assert await second.attempt() is True
    assert await first.attempt() is False


async def test_a_lease_not_renewed_is_taken_over_when_it_expires(app: App) -> None:
    clock = WallClock()
    leader = LeaseElection(app.deps.uow, "host-a:1:aaaa", lease_seconds=10, clock=clock)
    other = LeaseElection(app.deps.uow, "host-b:2:bbbb", lease_seconds=10, clock=clock)
    assert await leader.attempt()

    clock.now += 9.5  # the leader stopped renewing (a stopped machine, a lost network)
    assert await other.attempt() is False
    clock.now += 1.0
    assert await other.attempt() is True
    assert await leader.attempt() is False  # back again, it follows


async def test_the_lease_of_a_killed_process_on_this_machine_is_taken_at_once(app: App) -> None:
    clock = WallClock()
    me = LeaseElection(app.deps.uow, f"{this_host()}:1:dddd", clock=clock)
    pid = dead_worker().split(":")[1]
    async with app.deps.uow() as uow:  # a process of that number on another machine
        assert await uow.leases.take(JOB_NAME, f"another-host:{pid}:cccc", clock.now, 3600)
        await uow.commit()
    assert await me.attempt() is False  # whether it died cannot be told from here

    async with app.deps.uow() as uow:
        await uow.leases.release(JOB_NAME, f"another-host:{pid}:cccc")
        assert await uow.leases.take(JOB_NAME, dead_worker(), clock.now, 3600)
        await uow.commit()
    assert await me.attempt() is True  # this machine's, and gone: no need to wait an hour


async def test_a_wake_on_a_follower_reaches_the_leader(app: App) -> None:
    clock = WallClock()
    leader = LeaseElection(app.deps.uow, "host-a:1:aaaa", clock=clock)
    follower = LeaseElection(app.deps.uow, "host-b:2:bbbb", clock=clock)
    woken: list[float] = []
    leader.on_wake = lambda: woken.append(clock.now)
    await leader.attempt()
    await follower.attempt()

    clock.now += 0.5
    await follower.wake_leader()
    clock.now += 0.5
    await leader.attempt()
    await leader.attempt()  # once per wake, not at every renewal
    assert woken == [clock.now]


async def test_only_the_leader_dispatches_and_the_follower_sends_once_it_leads(
    app: App, settings: Settings
) -> None:
    clock = Clock()
    second_app = await build_app(settings, apply_migrations=False)
    port = FakePort()
    workers = []
    for application, name in ((app, "host-a:1:aaaa"), (second_app, "host-b:2:bbbb")):
        dispatcher = Dispatcher(application, port, name, clock, FAST)
        election = LeaseElection(application.deps.uow, name)
        workers.append(DeliveryScheduler(dispatcher, 0.05, wake_delay=0.01, election=election))
    leader, follower = workers
    try:
        leader.start()
        await until(lambda: leader.leading)
        follower.start()
        await schedule(app, "first", clock.now)
        await until(lambda: port.texts() == ["<b>first</b>"])
        await asyncio.sleep(0.3)  # several ticks of both
        assert follower.leading is False and follower.runs == 0
        assert leader.runs > 0

        await leader.shutdown()  # steps down: the follower need not wait for the lease
        await until(lambda: follower.leading, timeout=5)
        await schedule(app, "second", clock.now)
        follower.wake()
        await until(lambda: port.texts() == ["<b>first</b>", "<b>second</b>"])
    finally:
        for scheduler in workers:
            await scheduler.shutdown()
        await second_app.close()
    assert port.texts() == ["<b>first</b>", "<b>second</b>"]


# -- PostgreSQL: an advisory lock on a connection of its own -----------------


@pytest.fixture
async def migrated_postgres(postgres_url: str) -> AsyncIterator[str]:
    await asyncio.to_thread(upgrade, postgres_url)
    yield postgres_url


async def _terminate_backends_holding(url: str, key: int) -> int:
    import asyncpg

    from storage.advisory_lock import asyncpg_dsn

    admin = await asyncpg.connect(asyncpg_dsn(url))
    try:
        # pg_locks splits a bigint advisory key into two 32-bit halves, and lists
        # every database's locks (other tests hold the same key in theirs).
        rows = await admin.fetch(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND ((classid::bigint << 32) | objid::bigint) = ($1::bigint & x'ffffffffffffffff'::bigint)",
            key,
        )
        for row in rows:
            await admin.execute("SELECT pg_terminate_backend($1)", row["pid"])
        return len(rows)
    finally:
        await admin.close()


async def until_leading(election: LockElection, timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if await election.attempt():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("no takeover")


@pytest.mark.postgres
async def test_the_advisory_lock_has_one_holder_and_passes_on_when_its_connection_dies(
    migrated_postgres: str,
) -> None:
    first = LockElection(migrated_postgres)
    second = LockElection(migrated_postgres)
    try:
        assert await first.attempt() is True
        assert await second.attempt() is False
        assert await first.attempt() is True

        # The leader's connection is cut, as when its process is killed or the
        # server restarts: PostgreSQL lets the lock go at once.
        assert await _terminate_backends_holding(migrated_postgres, first.lock.key) == 1
        await until_leading(second)  # the backend ends a moment after it is told to
        assert await first.attempt() is False  # it notices, and follows
        assert await second.attempt() is True
    finally:
        await first.close()
        await second.close()


@pytest.mark.postgres
async def test_stepping_down_frees_the_lock_and_notify_wakes_the_leader(
    migrated_postgres: str,
) -> None:
    leader = LockElection(migrated_postgres)
    follower = LockElection(migrated_postgres)
    woken = asyncio.Event()
    leader.on_wake = woken.set
    heard_by_follower: list[bool] = []
    follower.on_wake = lambda: heard_by_follower.append(True)
    try:
        assert await leader.attempt()
        assert not await follower.attempt()
        await follower.wake_leader()
        await asyncio.wait_for(woken.wait(), 5)
        await asyncio.sleep(0.1)
        assert heard_by_follower == []  # only the holder acts on a wake

        await leader.close()
        assert await follower.attempt() is True
    finally:
        await leader.close()
        await follower.close()


async def test_the_metrics_say_whether_this_worker_leads(app: App) -> None:
    assert app.metrics.leader_probe() is False
    scheduler = start_deliveries(app, FakePort(), config=FAST)
    try:
        await until(lambda: scheduler.leading)
        assert app.metrics.leader_probe() is True
    finally:
        await scheduler.shutdown()
    assert app.metrics.leader_probe() is False
