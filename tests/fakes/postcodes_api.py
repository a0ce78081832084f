"""A postcodes.io stand-in on 127.0.0.1, answering in its documented formats."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

# Postcode → (latitude, longitude, police force area name); fictional but well-formed.
POSTCODES: dict[str, tuple[float, float, str]] = {
    "CH3 8EH": (53.1960, -2.7630, "Cheshire"),
    "CH4 7AA": (53.1800, -2.8800, "Cheshire"),
    "WA7 9ZZ": (53.3300, -2.6900, "Cheshire"),
    "M1 1AE": (53.4808, -2.2426, "Greater Manchester"),
    "SY14 9QQ": (53.0200, -2.7700, "Cheshire"),
}
OUTCODES: dict[str, tuple[float, float]] = {"CH3": (53.1900, -2.8000), "M1": (53.4800, -2.2400)}


def _postcode_result(postcode: str, lat: float, lon: float, pfa: str) -> dict[str, Any]:
    outcode, incode = postcode.split(" ")
    return {
        "postcode": postcode,
        "outcode": outcode,
        "incode": incode,
        "quality": 1,
        "latitude": lat,
        "longitude": lon,
        "country": "England",
        "admin_district": "Cheshire West and Chester",
        "admin_ward": "Tarvin & Kelsall",
        "parish": "Tarvin",
        "pfa": pfa,
        "codes": {"pfa": "E23000006"},
    }


class FakePostcodesApi:
    def __init__(self) -> None:
        self.requests: list[str] = []
        self.down = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _postcode(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        if self.down:
            return web.json_response({"status": 500, "error": "Server error"}, status=500)
        compact = request.match_info["postcode"].replace(" ", "").upper()
        for postcode, (lat, lon, pfa) in POSTCODES.items():
            if postcode.replace(" ", "") == compact:
                return web.json_response(
                    {"status": 200, "result": _postcode_result(postcode, lat, lon, pfa)}
                )
        return web.json_response({"status": 404, "error": "Postcode not found"}, status=404)

    async def _outcode(self, request: web.Request) -> web.Response:
        self.requests.append(request.path)
        if self.down:
            return web.json_response({"status": 500, "error": "Server error"}, status=500)
        outcode = request.match_info["outcode"].upper()
        if outcode not in OUTCODES:
            return web.json_response({"status": 404, "error": "Outcode not found"}, status=404)
        lat, lon = OUTCODES[outcode]
        return web.json_response(
            {
                "status": 200,
                "result": {
                    "outcode": outcode,
                    "latitude": lat,
                    "longitude": lon,
                    "admin_district": ["Cheshire West and Chester"],
                    "admin_ward": [],
                    "parish": [],
                },
            }
        )

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/postcodes/{postcode}", self._postcode)
        app.router.add_get("/outcodes/{outcode}", self._outcode)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            await asyncio.sleep(0)
