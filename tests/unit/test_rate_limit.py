"""The delivery engine's limiter, on a fake monotonic clock: nothing really waits."""

from __future__ import annotations

import asyncio

import pytest

from bot.rate_limit import ChatSpacing, LimitedPort, RateLimiter, TokenBucket
from bot.transports.port import Classified, Failure
from handlers.outbound import Keyboard


class FakeTime:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_the_bucket_allows_a_burst_then_the_rate() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=10, burst=3, clock=t)
    assert [bucket.reserve() for _ in range(3)] == [0, 0, 0]
    assert bucket.reserve() == pytest.approx(0.1)
    assert bucket.reserve() == pytest.approx(0.2)  # queued behind the one before


def test_the_bucket_refills_with_time_but_not_beyond_its_burst() -> None:
    t = FakeTime()
    bucket = TokenBucket(rate=2, burst=2, clock=t)
    bucket.reserve()
    bucket.reserve()
    t.now += 100  # a long quiet spell saves at most ``burst`` tokens
    assert [bucket.reserve() for _ in range(2)] == [0, 0]
    assert bucket.reserve() == pytest.approx(0.5)


def test_the_default_burst_is_one_second_of_rate() -> None:
    bucket = TokenBucket(rate=25, clock=FakeTime())
    assert bucket.capacity == 25
    with pytest.raises(ValueError):
        TokenBucket(rate=0)


def test_one_chat_waits_between_messages_and_other_chats_do_not() -> None:
    t = FakeTime()
    spacing = ChatSpacing(1.0, clock=t)
    assert spacing.reserve(7) == 0
    assert spacing.reserve(8) == 0
    assert spacing.reserve(7) == pytest.approx(1.0)
    assert spacing.reserve(7) == pytest.approx(2.0)
    t.now += 5
    assert spacing.reserve(7) == 0


def test_chat_spacing_forgets_quiet_chats() -> None:
    t = FakeTime()
    spacing = ChatSpacing(1.0, clock=t)
    for chat in range(ChatSpacing.PRUNE_ABOVE + 10):
        spacing.reserve(chat)
    t.now += 2
    spacing.reserve(-1)
    assert len(spacing) == 1  # memory follows the chats being written to now


async def test_the_limiter_holds_the_global_rate() -> None:
    t = FakeTime()
    limiter = RateLimiter(rate=5, per_chat_interval=0, burst=1, clock=t, sleep=t.sleep)
    for chat in range(6):
        await limiter.acquire(chat)
    assert t.now - 1000.0 == pytest.approx(1.0)  # 6 messages at 5 a second, burst of 1


async def test_the_limiter_spaces_one_chat() -> None:
    t = FakeTime()
    limiter = RateLimiter(rate=1000, per_chat_interval=1.0, clock=t, sleep=t.sleep)
    for _ in range(3):
        await limiter.acquire(42)
    assert t.now - 1000.0 == pytest.approx(2.0)


async def test_a_429_pauses_every_send_until_its_deadline() -> None:
    t = FakeTime()
    limiter = RateLimiter(rate=1000, per_chat_interval=0, clock=t, sleep=t.sleep)
    limiter.pause_for(3.0)
    t.now += 1.0
    waited = await limiter.acquire(1)
    assert waited == pytest.approx(2.0)  # the deadline is fixed, not "3 s from now"
    assert await limiter.acquire(2) == 0


class Refusing:
    """A port whose first send answers 429 (retry after 4 s)."""

    def __init__(self) -> None:
        self.sent: list[int] = []
        self.refuse = True

    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int:
        if self.refuse:
            self.refuse = False
            raise RuntimeError("429")
        self.sent.append(chat_id)
        return len(self.sent)

    def classify(self, exc: BaseException) -> Classified | None:
        return Classified(Failure.RETRY_AFTER, 4.0) if str(exc) == "429" else None


async def test_the_limited_port_pauses_the_limiter_on_a_429() -> None:
    t = FakeTime()
    limiter = RateLimiter(rate=1000, per_chat_interval=0, clock=t, sleep=t.sleep)
    inner = Refusing()
    port = LimitedPort(inner, limiter)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError):
        await port.send_text(1, "hi", (), (), None, False)
    assert await port.send_text(2, "hi", (), (), None, False) == 1
    assert t.now - 1000.0 == pytest.approx(4.0)
    assert inner.sent == [2]


async def test_concurrent_callers_share_the_rate() -> None:
    t = FakeTime()
    limiter = RateLimiter(rate=10, per_chat_interval=0, burst=1, clock=t, sleep=t.sleep)
    await asyncio.gather(*(limiter.acquire(chat) for chat in range(4)))
    assert t.now - 1000.0 == pytest.approx(0.3)  # 4 messages, 10 a second, burst of 1
