"""postcodes.io (or a self-hosted copy): the ``PostcodeLocator`` used by the officer finder.

Only two requests are needed: ``/postcodes/{postcode}`` and ``/outcodes/{outcode}``.
Answers are cached in the database by the caller, so each postcode is asked once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from handlers.officers.locator import Location, LocatorUnavailable

TIMEOUT_SECONDS = 3.0


class PostcodesIo:
    def __init__(self, base_url: str, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def _get(self, path: str) -> dict[str, Any] | None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        try:
            async with self._session.get(f"{self.base_url}{path}") as response:
                if response.status == 404:
                    return None
                if response.status != 200:
                    raise LocatorUnavailable(f"postcodes service answered {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise LocatorUnavailable(str(exc) or type(exc).__name__) from exc
        result = body.get("result") if isinstance(body, dict) else None
        return result if isinstance(result, dict) else None

    @staticmethod
    def _location(result: dict[str, Any] | None, force_key: str | None) -> Location | None:
        if result is None or result.get("latitude") is None or result.get("longitude") is None:
            return None
        force = str(result.get(force_key) or "") if force_key else ""
        return Location(float(result["latitude"]), float(result["longitude"]), force)

    async def postcode(self, postcode: str) -> Location | None:
        return self._location(await self._get(f"/postcodes/{quote(postcode)}"), "pfa")

    async def outcode(self, outcode: str) -> Location | None:
        return self._location(await self._get(f"/outcodes/{quote(outcode)}"), None)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
