"""The poller confirms updates only after they are handled."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.transports import polling
from bot.transports.polling import Poller, RetryLater


async def test_an_update_that_could_not_be_stored_is_fetched_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(polling, "BACKOFF_SECONDS", (0.0,))
    offsets: list[int | None] = []
    handled: list[int] = []
    database_up = [False]
    poller: Poller[int]

    async def fetch(offset: int | None, timeout: int) -> Sequence[int]:
        offsets.append(offset)
        if timeout == 0:
            return []
        if offset is None or offset <= 1:
            return [1]
        poller.stop()
        return []

    async def handle(update: int) -> None:
        if not database_up[0]:
            database_up[0] = True
            raise RetryLater
        handled.append(update)

    poller = Poller(fetch, handle, lambda u: u)
    await asyncio.wait_for(poller.run(), 5)
    assert handled == [1]
    assert offsets[:3] == [None, None, 2]  # not confirmed until handled
    assert offsets[-1] == 2  # the final confirmation


async def test_a_failing_get_updates_is_retried(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(polling, "BACKOFF_SECONDS", (0.0,))
    calls = [0]
    poller: Poller[int]

    async def fetch(offset: int | None, timeout: int) -> Sequence[int]:
        calls[0] += 1
        if calls[0] < 3:
            raise ConnectionError("network down")
        poller.stop()
        return []

    async def handle(update: int) -> None:
        raise AssertionError("nothing to handle")

    poller = Poller(fetch, handle, lambda u: u)
    await asyncio.wait_for(poller.run(), 5)
    assert calls[0] >= 3
