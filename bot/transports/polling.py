"""Long polling that confirms an update to Telegram only after it has been handled.

Frameworks' own polling loops move the offset on as soon as an update is read, so a
crash loses what was in flight. Here a batch is handled first (concurrently, each
chat in order) and only then is the offset advanced; together with the processed
update log in the database, every update is handled exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

log = logging.getLogger("chinwag.polling")

U = TypeVar("U")
Fetch = Callable[[int | None, int], Awaitable[Sequence[U]]]

BACKOFF_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


class RetryLater(Exception):
    """The update could not be stored now (database down): do not confirm it yet."""


class Poller(Generic[U]):
    def __init__(
        self,
        fetch: Fetch[U],
        handle: Callable[[U], Awaitable[None]],
        update_id: Callable[[U], int],
        *,
        timeout: int = 25,
    ) -> None:
        self._fetch = fetch
        self._handle = handle
        self._update_id = update_id
        self._timeout = timeout
        self._stopping = asyncio.Event()
        self.offset: int | None = None

    def stop(self) -> None:
        self._stopping.set()

    async def _next_batch(self) -> Sequence[U] | None:
        """The next updates, or ``None`` if asked to stop while waiting."""
        fetch = asyncio.ensure_future(self._fetch(self.offset, self._timeout))
        stop = asyncio.ensure_future(self._stopping.wait())
        done, _ = await asyncio.wait({fetch, stop}, return_when=asyncio.FIRST_COMPLETED)
        if fetch in done:
            stop.cancel()
            return fetch.result()
        fetch.cancel()
        await asyncio.gather(fetch, return_exceptions=True)
        return None

    async def run(self) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                batch = await self._next_batch()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
                failures += 1
                log.warning(
                    "getUpdates failed; retrying",
                    extra={"error": type(exc).__name__, "retry_in": delay},
                )
                await self._pause(delay)
                continue
            if not batch:
                failures = 0
                continue
            # Handle the whole batch before confirming it; a crash here means a
            # re-delivery, which the processed-update log turns into a no-op.
            results = await asyncio.gather(*(self._safe_handle(u) for u in batch))
            if all(results):
                failures = 0
                self.offset = max(self._update_id(u) for u in batch) + 1
                continue
            delay = BACKOFF_SECONDS[min(failures, len(BACKOFF_SECONDS) - 1)]
            failures += 1
            log.warning("database unavailable; updates kept for a retry", extra={"retry_in": delay})
            await self._pause(delay)

        await self._confirm()

    async def _pause(self, seconds: float) -> None:
        """Sleep, but wake at once when asked to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _confirm(self) -> None:
        """Tell Telegram what was handled, so a restart does not fetch it again."""
        if self.offset is None:
            return
        try:
            await asyncio.wait_for(self._fetch(self.offset, 0), 5)
        except Exception as exc:  # it is only an optimisation: duplicates are skipped anyway
            log.info("could not confirm the last updates", extra={"error": type(exc).__name__})

    async def _safe_handle(self, update: U) -> bool:
        """Handle one update; ``False`` means it must be fetched and handled again."""
        try:
            await self._handle(update)
        except RetryLater:
            return False
        except Exception:
            log.exception("update handling failed", extra={"update_id": self._update_id(update)})
        return True
