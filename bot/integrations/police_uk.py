"""An async client for data.police.uk: forces, neighbourhoods, their boundaries, teams, events.

The API allows 15 requests a second (a leaky bucket with a burst of 30) and answers
429 beyond that. We stay well under it: requests are spaced evenly at ``rate`` a
second (8 by default) by one ``RequestSpacer`` per client, shared by every request
the client makes, retries included.

A request that times out, cannot connect, gets a 5xx or a 429, or gets an answer
that is not JSON is tried again after an exponential backoff (or after the
``Retry-After`` the server asked for). After the last attempt ``PoliceApiError``
names the path and the reason. A 404 for a neighbourhood's boundary, team or events
means "none", not an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any
from urllib.parse import quote

import aiohttp

log = logging.getLogger(__name__)

DEFAULT_RATE = 8.0  # requests per second; the API allows 15
DEFAULT_TIMEOUT = 20.0  # seconds for one request, answer included
DEFAULT_ATTEMPTS = 5
DEFAULT_BACKOFF = 1.0  # seconds before the second attempt, doubling after that
MAX_BACKOFF = 30.0
MAX_RETRY_AFTER = 120.0  # a longer Retry-After is cut to this


class PoliceApiError(Exception):
    """data.police.uk did not give a usable answer for ``path``."""

    def __init__(self, path: str, reason: str, *, status: int | None = None) -> None:
        super().__init__(f"GET {path}: {reason}")
        self.path = path
        self.reason = reason
        self.status = status


class _TryAgain(Exception):
    """One attempt failed in a way that may go away (a timeout, a 5xx, a 429...)."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class RequestSpacer:
    """Starts requests at most ``rate`` a second, evenly spaced (no bursts).

    Each caller takes the next free slot and sleeps until it; a slot is never in
    the past, so a quiet spell does not build up a burst for later.
    """

    def __init__(self, rate: float) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self._next = 0.0

    async def wait(self) -> None:
        now = asyncio.get_running_loop().time()
        slot = max(now, self._next)
        self._next = slot + self.interval
        if slot > now:
            await asyncio.sleep(slot - now)

    def pause(self, seconds: float) -> None:
        """Hold every request back for ``seconds`` (the server asked us to wait)."""
        now = asyncio.get_running_loop().time()
        self._next = max(self._next, now + seconds)


def retry_after_seconds(value: str | None) -> float | None:
    """The wait a ``Retry-After`` header asks for: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        seconds = (moment - datetime.now(UTC)).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


def segment(value: str) -> str:
    """A value made safe to be one segment of a URL path."""
    return quote(value, safe="")


class PoliceUkClient:
    """``async with PoliceUkClient(url) as client: await client.neighbourhoods("cheshire")``."""

    def __init__(
        self,
        base_url: str,
        *,
        rate: float = DEFAULT_RATE,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = DEFAULT_ATTEMPTS,
        backoff: float = DEFAULT_BACKOFF,
        max_backoff: float = MAX_BACKOFF,
    ) -> None:
        if attempts < 1:
            raise ValueError("attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.spacer = RequestSpacer(rate)
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
        self.max_backoff = max_backoff
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> PoliceUkClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                headers={"Accept": "application/json", "User-Agent": "chinwag-sync"},
                raise_for_status=False,
            )
        return self._session

    # The resources -------------------------------------------------------------

    async def force(self, force: str) -> dict[str, Any]:
        return await self._object(f"/forces/{segment(force)}")

    async def neighbourhoods(self, force: str) -> list[dict[str, Any]]:
        return await self._list(f"/{segment(force)}/neighbourhoods")

    async def neighbourhood(self, force: str, neighbourhood: str) -> dict[str, Any]:
        return await self._object(f"/{segment(force)}/{segment(neighbourhood)}")

    async def boundary(self, force: str, neighbourhood: str) -> list[dict[str, Any]]:
        return await self._part(force, neighbourhood, "boundary")

    async def people(self, force: str, neighbourhood: str) -> list[dict[str, Any]]:
        return await self._part(force, neighbourhood, "people")

    async def events(self, force: str, neighbourhood: str) -> list[dict[str, Any]]:
        return await self._part(force, neighbourhood, "events")

    async def _part(self, force: str, neighbourhood: str, part: str) -> list[dict[str, Any]]:
        path = f"/{segment(force)}/{segment(neighbourhood)}/{part}"
        return await self._list(path, missing_is_empty=True)

    async def _object(self, path: str) -> dict[str, Any]:
        answer = await self.get_json(path)
        if not isinstance(answer, dict):
            raise PoliceApiError(path, f"expected a JSON object, got {type(answer).__name__}")
        return answer

    async def _list(self, path: str, *, missing_is_empty: bool = False) -> list[dict[str, Any]]:
        answer = await self.get_json(path, missing_ok=missing_is_empty)
        if answer is None:
            return []
        if not isinstance(answer, list) or not all(isinstance(item, dict) for item in answer):
            raise PoliceApiError(path, "expected a JSON list of objects")
        return answer

    # Requests, retries and backoff ----------------------------------------------

    async def get_json(self, path: str, *, missing_ok: bool = False) -> Any:
        """The decoded answer for ``path``; ``None`` for a 404 when ``missing_ok``."""
        reason = ""
        for attempt in range(1, self.attempts + 1):
            await self.spacer.wait()
            try:
                return await self._attempt(path, missing_ok)
            except _TryAgain as failure:
                reason = failure.reason
                if attempt == self.attempts:
                    break
                delay = self._backoff(attempt)
                if failure.retry_after is not None:
                    delay = max(delay, failure.retry_after)
                    self.spacer.pause(delay)
                log.info(
                    "GET %s: %s; attempt %d of %d in %.1fs",
                    path,
                    reason,
                    attempt + 1,
                    self.attempts,
                    delay,
                )
                await asyncio.sleep(delay)
        raise PoliceApiError(path, f"gave up after {self.attempts} attempt(s): {reason}")

    def _backoff(self, attempt: int) -> float:
        return float(min(self.backoff * 2 ** (attempt - 1), self.max_backoff))

    async def _attempt(self, path: str, missing_ok: bool) -> Any:
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        try:
            async with self._client().get(self.base_url + path, timeout=timeout) as response:
                status = response.status
                if status == 404 and missing_ok:
                    return None
                if status == 429:
                    wait = retry_after_seconds(response.headers.get("Retry-After"))
                    raise _TryAgain("HTTP 429 (too many requests)", retry_after=wait)
                if status >= 500:
                    raise _TryAgain(f"HTTP {status}")
                if status != 200:
                    raise PoliceApiError(path, f"HTTP {status}", status=status)
                body = await response.read()
        except TimeoutError:  # before ClientError: aiohttp's timeouts are both
            raise _TryAgain(f"no answer within {self.timeout:g}s") from None
        except aiohttp.ClientError as exc:
            raise _TryAgain(f"connection failed ({exc or type(exc).__name__})") from None
        try:
            return json.loads(body)
        except ValueError as exc:  # UnicodeDecodeError is one too
            raise _TryAgain(f"bad JSON ({exc})") from None
