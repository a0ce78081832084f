"""The shared send rate on SQLite and PostgreSQL: one rate for every worker process.

Two engines on one database stand for two worker processes. Most tests run on a
fake wall clock that moves only when someone sleeps; the last ones run in real
time, concurrently, as workers do.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from bot.rate_limit import ReplyTally, SharedRateLimiter
from storage.database import create_engine, session_factory
from storage.migrate import upgrade
from storage.uow import UnitOfWork

Factory = Callable[[], UnitOfWork]


class FakeTime:
    """A wall clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(
    params=[
        pytest.param("sqlite", marks=pytest.mark.sqlite_only("the postgres case covers this run")),
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def url(request: pytest.FixtureRequest, db_url: str) -> str:
    if request.param == "sqlite":
        return db_url
    postgres: str = request.getfixturevalue("postgres_url")
    upgrade(postgres)
    return postgres


@pytest.fixture
async def workers(url: str) -> AsyncIterator[tuple[Factory, Factory]]:
    """Two unit-of-work factories on two engines, as two processes have."""
    engines = [create_engine(url), create_engine(url)]
    factories = [session_factory(engine) for engine in engines]
    yield (lambda: UnitOfWork(factories[0])), (lambda: UnitOfWork(factories[1]))
    for engine in engines:
        await engine.dispose()


async def reserve(uow: Factory, key: str, now: float, interval: float, burst: float = 0) -> float:
    async with uow() as u:
        start = await u.send_slots.reserve(key, now, interval, burst)
        await u.commit()
    return start


async def next_at(uow: Factory, key: str) -> float | None:
    async with uow() as u:
        return await u.send_slots.next_at(key)


# -- the repository ------------------------------------------------------------


async def test_slots_follow_one_another_from_either_worker(
    workers: tuple[Factory, Factory],
) -> None:
    one, two = workers
    starts = [await reserve((one, two)[i % 2], "global", 100.0, 0.25) for i in range(4)]
    assert starts == [100.0, 100.25, 100.5, 100.75]
    assert await next_at(one, "global") == 101.0


async def test_an_idle_key_starts_now_or_allows_its_burst(
    workers: tuple[Factory, Factory],
) -> None:
    one, _ = workers
    await reserve(one, "global", 100.0, 0.5)
    assert await reserve(one, "global", 500.0, 0.5) == 500.0  # idle time is not saved up
    starts = [await reserve(one, "chat:7", 900.0, 0.5, burst=1.0) for _ in range(4)]
    assert starts == [899.0, 899.5, 900.0, 900.5]  # a second of burst: two more go at once


async def test_a_push_back_holds_every_later_slot(workers: tuple[Factory, Factory]) -> None:
    one, two = workers
    await reserve(one, "global", 100.0, 0.5)
    async with two() as u:
        await u.send_slots.push_back("global", 110.0)
        await u.send_slots.push_back("global", 105.0)  # an earlier deadline changes nothing
        await u.send_slots.push_back("chat:1", 120.0)  # a new key
        await u.commit()
    assert await reserve(one, "global", 101.0, 0.5) == 110.0
    assert await next_at(one, "chat:1") == 120.0


async def test_pruning_forgets_only_chats_long_past(workers: tuple[Factory, Factory]) -> None:
    one, _ = workers
    for chat in range(5):
        await reserve(one, f"chat:{chat}", 100.0 + chat * 10, 1.0)
    await reserve(one, "global", 0.0, 1.0)  # long past, but never pruned
    async with one() as u:
        assert await u.send_slots.prune(125.0) == 3  # next free at 101, 111, 121
        await u.commit()
    for chat, expected in ((0, None), (2, None), (3, 131.0), (4, 141.0)):
        assert await next_at(one, f"chat:{chat}") == expected
    assert await next_at(one, "global") == 1.0


async def test_a_chat_id_beyond_32_bits_fits_the_key(workers: tuple[Factory, Factory]) -> None:
    one, _ = workers
    key = "chat:-1005000000000123"
    assert await reserve(one, key, 100.0, 1.0) == 100.0
    assert await next_at(one, key) == 101.0


# -- the shared limiter, on a fake clock ---------------------------------------


async def test_two_limiters_together_keep_one_rate(workers: tuple[Factory, Factory]) -> None:
    t = FakeTime()
    start = t.now
    limiters = [
        SharedRateLimiter(w, rate=10, per_chat_interval=0, clock=t, sleep=t.sleep) for w in workers
    ]
    for i in range(10):
        await limiters[i % 2].acquire(i)
    # 10 messages at 10 a second between both: the last goes 0.9 s after the first,
    # as it would from one worker; two in-process limiters would allow twice that.
    assert t.now - start == pytest.approx(0.9)


async def test_one_chat_is_spaced_across_workers(workers: tuple[Factory, Factory]) -> None:
    t = FakeTime()
    start = t.now
    one, two = (SharedRateLimiter(w, rate=100, clock=t, sleep=t.sleep) for w in workers)
    await one.acquire(42)
    assert await two.acquire(42) == pytest.approx(1.0)
    assert await two.acquire(43) == 0  # another chat need not wait (its global slot is past)
    assert t.now - start == pytest.approx(1.0)


async def test_a_429_in_one_worker_pauses_the_other(workers: tuple[Factory, Factory]) -> None:
    t = FakeTime()
    start = t.now
    slept: list[float] = []

    async def sleeps_elsewhere(seconds: float) -> None:  # the other process's time
        slept.append(seconds)

    one = SharedRateLimiter(
        workers[0], rate=100, per_chat_interval=0, clock=t, sleep=sleeps_elsewhere
    )
    two = SharedRateLimiter(workers[1], rate=100, per_chat_interval=0, clock=t, sleep=t.sleep)
    await one.acquire(1)
    one.pause_for(3.0)  # a 429 with retry_after 3
    await one.acquire(1)  # the pause is written with this worker's next reservation
    assert slept == [pytest.approx(3.0)]
    t.now += 1.0
    waited = await two.acquire(2)
    assert waited == pytest.approx(2.0 + 0.01)  # the deadline is fixed, not 3 s from now
    assert t.now - start == pytest.approx(3.01)


async def test_a_429_is_shared_at_once_not_with_the_next_send(
    workers: tuple[Factory, Factory],
) -> None:
    t = FakeTime()
    one = SharedRateLimiter(workers[0], rate=100, per_chat_interval=0, clock=t, sleep=t.sleep)
    one.pause_for(30.0)  # the send that got it sleeps ``retry_after`` before trying again
    for _ in range(100):
        if await next_at(workers[1], "global") == t.now + 30.0:
            break
        await asyncio.sleep(0.01)
    else:
        raise AssertionError("the pause was not written")
    two = SharedRateLimiter(workers[1], rate=100, per_chat_interval=0, clock=t, sleep=t.sleep)
    assert await two.acquire(2) == pytest.approx(30.0)


async def test_a_429_while_a_slot_is_awaited_books_again(
    workers: tuple[Factory, Factory],
) -> None:
    t = FakeTime()
    limiter = SharedRateLimiter(workers[0], rate=1, per_chat_interval=0, clock=t, sleep=t.sleep)
    start = t.now

    async def sleep(seconds: float) -> None:
        if not t.sleeps:
            limiter.pause_for(5.0)  # another send of this worker got a 429 meanwhile
        await t.sleep(seconds)

    limiter.sleep = sleep
    await limiter.acquire(1)  # free at once
    await limiter.acquire(2)  # waits a second, then learns of the pause and books again
    assert t.sleeps == [pytest.approx(1.0), pytest.approx(4.0)]
    assert t.now - start == pytest.approx(5.0)  # the slot after the pause's deadline


async def test_the_limiter_prunes_stale_chats_once_a_minute(
    workers: tuple[Factory, Factory],
) -> None:
    t = FakeTime()
    limiter = SharedRateLimiter(workers[0], rate=1000, clock=t, sleep=t.sleep)
    for chat in range(50):
        await limiter.acquire(chat)
    t.now += 30
    await limiter.acquire(1000)  # not yet a minute since the last prune
    async with workers[0]() as u:
        assert await u.send_slots.next_at("chat:0") is not None
    t.now += 100
    await limiter.acquire(1001)
    async with workers[0]() as u:
        assert await u.send_slots.next_at("chat:0") is None
        assert await u.send_slots.next_at("chat:1000") is None
        assert await u.send_slots.next_at("chat:1001") is not None
        assert await u.send_slots.next_at("global") is not None


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError):
        SharedRateLimiter(lambda: None, rate=0)  # type: ignore[arg-type, return-value]


# -- in real time, concurrently ------------------------------------------------


async def test_two_workers_sending_at_once_share_the_rate(
    workers: tuple[Factory, Factory],
) -> None:
    rate, count = 40.0, 20
    limiters = [SharedRateLimiter(w, rate=rate, per_chat_interval=0) for w in workers]
    sent: list[float] = []

    async def worker(limiter: SharedRateLimiter, chats: range) -> None:
        for chat in chats:
            await limiter.acquire(chat)
            sent.append(time.monotonic())

    started = time.monotonic()
    await asyncio.gather(
        worker(limiters[0], range(0, count, 2)), worker(limiters[1], range(1, count, 2))
    )
    elapsed = time.monotonic() - started
    assert elapsed >= (count - 1) / rate * 0.95  # not twice the rate
    assert elapsed < (count - 1) / rate + 1.0
    assert len(sent) == count


# -- replies, counted against the shared rate ------------------------------------


async def test_replies_sent_by_one_worker_make_the_others_bulk_wait(
    workers: tuple[Factory, Factory],
) -> None:
    t = FakeTime()
    replies = ReplyTally(workers[0], rate=10, clock=t)
    for sent in (2, 0, 1):  # three updates' replies: three messages in all
        replies.add(sent)
    await replies.flush()
    assert replies.writes == 1  # one write for them all
    bulk = SharedRateLimiter(workers[1], rate=10, per_chat_interval=0, clock=t, sleep=t.sleep)
    assert await bulk.acquire(42) == pytest.approx(0.3)  # after the three replies
    assert replies.pending == 0


async def test_the_tally_writes_on_its_own_a_period_later(
    workers: tuple[Factory, Factory],
) -> None:
    t = FakeTime()
    replies = ReplyTally(workers[0], rate=10, period=0.01, clock=t)
    replies.add(5)
    for _ in range(200):
        if replies.writes:
            break
        await asyncio.sleep(0.01)
    assert await next_at(workers[1], "global") == pytest.approx(t.now + 0.5)
    replies.add(1)  # a later reply starts a new write
    await replies.flush()
    assert replies.writes == 2
    assert await next_at(workers[1], "global") == pytest.approx(t.now + 0.6)


async def test_no_replies_write_nothing(workers: tuple[Factory, Factory]) -> None:
    replies = ReplyTally(workers[0], rate=10)
    replies.add(0)
    await replies.flush()
    assert replies.writes == 0 and await next_at(workers[0], "global") is None
