"""A fake data.police.uk for tests: the documented JSON shapes, served on 127.0.0.1.

    async with FakePoliceApi() as api:          # api.url ends in /api, like the real one
        api.fail("/cheshire/WR12/events", "500", times=2)
        ...                                      # point CHINWAG_POLICE_API_URL at api.url
        assert api.max_in_one_second() <= 9

The data is ``cheshire_fixture()``: a force with three neighbourhoods that between
them have HTML in descriptions and biographies, rank strings written several ways,
a location with ``null`` coordinates, events either side of the clock change, one
neighbourhood whose events are a 404 and one whose events are ``[]``. Tests may
change ``api.data`` between runs.

Faults (``fail(path, kind, times)``): ``"500"`` (or any status, e.g. ``"403"``),
``"429"`` with a ``Retry-After`` header, ``"timeout"`` (the answer comes after
``slow_seconds``, longer than the client waits) and ``"bad-json"`` (a 200 whose
body is cut short). ``times=None`` fails every time. Every request is logged with
its arrival time, to check the client's rate.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

FAULT_KINDS = ("500", "timeout", "bad-json", "429")


@dataclass
class Neighbourhood:
    detail: dict[str, Any]
    boundary: list[dict[str, str]] | None = field(default_factory=list)
    people: list[dict[str, Any]] | None = field(default_factory=list)
    events: list[dict[str, Any]] | None = field(default_factory=list)  # None: 404

    def part(self, name: str) -> list[dict[str, Any]] | None:
        value: list[dict[str, Any]] | None = getattr(self, name)
        return value


@dataclass
class ForceData:
    force: dict[str, Any]
    neighbourhoods: dict[str, Neighbourhood]


@dataclass
class Fault:
    kind: str
    remaining: int | None  # None: for ever
    retry_after: str


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    at: float  # time.monotonic()


def _square(lat: float, lon: float) -> list[dict[str, str]]:
    """A small closed boundary around a point, with the API's string coordinates."""
    corners = [(lat - 0.01, lon - 0.01), (lat - 0.01, lon + 0.01), (lat + 0.01, lon + 0.01)]
    corners += [(lat + 0.01, lon - 0.01), (lat - 0.01, lon - 0.01)]
    return [{"latitude": f"{a:.6f}", "longitude": f"{b:.6f}"} for a, b in corners]


def cheshire_fixture() -> ForceData:
    """Fictional people and places in the shapes data.police.uk uses (a fresh copy)."""
    force = {
        "id": "cheshire",
        "name": "Cheshire Constabulary",
        "description": "<p>Cheshire Constabulary serves the county of Cheshire.</p>",
        "url": "https://www.cheshire.police.uk/",
        "telephone": "101",
        "engagement_methods": [
            {"url": "https://x.com/cheshirepolice", "description": None, "title": "twitter"}
        ],
    }
    hoole = Neighbourhood(
        detail={
            "id": "NC04",
            "name": "Hoole & Newton",
            "url_force": "https://www.cheshire.police.uk/area/your-area/hoole-newton/",
            "description": (
                "<p>Welcome to <b>Hoole &amp; Newton</b>.</p>"
                "<script>alert('x')</script><p>Come and see us.</p>"
            ),
            "population": "0",
            "welcome_message": None,
            "centre": {"latitude": "53.1965", "longitude": "-2.8770"},
            "contact_details": {
                "email": "hoole.newton@cheshire.example",
                "telephone": "101",
                "twitter": "https://x.com/hoolecops",
                "facebook": "",
            },
            "links": [],
            "locations": [
                {
                    "name": "Blacon Police Station",
                    "address": "Blacon Avenue<br/>Chester",
                    "postcode": "ch1 5bb",
                    "latitude": "53.2045",
                    "longitude": "-2.9261",
                    "type": "station",
                    "description": None,
                }
            ],
        },
        boundary=_square(53.1965, -2.8770),
        people=[
            {
                "name": "Sam Okafor",
                "rank": "Sergeant",
                "bio": "<p>Sam leads the <em>Hoole</em> team.</p>",
                "contact_details": {"email": "sam.okafor@cheshire.example"},
            },
            {
                "name": "Jo Price",
                "rank": "PC",
                "bio": None,
                "contact_details": {"mobile": "07700 900123", "twitter": "https://x.com/pcjo"},
            },
            {
                "name": "Ali Khan",
                "rank": "PCSO",
                "bio": "Ali walks the beat &amp; runs the surgeries.",
                "contact_details": {},
            },
        ],
        events=[
            {
                "title": "Street surgery",
                "description": "<p>Drop in and talk to us.</p>",
                "address": "Hoole Road shops",
                "type": "meeting",
                "start_date": "2030-07-18T18:30:00",  # BST: 17:30 UTC
                "end_date": "2030-07-18T19:30:00",
                "contact_details": {},
            },
            {
                "title": "Community Conversation",
                "description": None,
                "address": "Newton Community Centre",
                "type": "meeting",
                "start_date": "2030-01-10T10:00:00",  # GMT: 10:00 UTC
                "end_date": None,
                "contact_details": {},
            },
        ],
    )
    warrington = Neighbourhood(
        detail={
            "id": "WR12",
            "name": "Warrington Town Centre",
            "url_force": "https://www.cheshire.police.uk/area/your-area/warrington-town/",
            "description": "<p>The town centre &amp; <a href='/x'>Bridge Street</a>.</p>",
            "population": "0",
            "centre": {"latitude": "53.3900", "longitude": "-2.5970"},
            "contact_details": {"telephone": "101"},
            "links": [],
            "locations": [
                {
                    "name": None,
                    "address": "Arpley Street, Warrington",
                    "postcode": "WA1 1LQ",
                    "latitude": None,
                    "longitude": None,
                    "type": "station",
                    "description": "<p>Front desk closed at weekends.</p>",
                }
            ],
        },
        boundary=_square(53.39, -2.597),
        people=[
            {
                "name": "Pat Morgan",
                "rank": "Inspector",
                "bio": "<p>Pat is the <strong>LPU</strong> inspector.</p>",
                "contact_details": {},
            },
            {
                "name": "Chris Lee",
                "rank": "Police Community Support Officer",
                "bio": None,
                "contact_details": {"telephone": "01925 000000", "facebook": "fb.com/wpcso"},
            },
            {"name": "Dee Shah", "rank": "Police Constable", "bio": None, "contact_details": {}},
        ],
        events=None,  # the API answers 404 for a neighbourhood with no events
    )
    crewe = Neighbourhood(
        detail={
            "id": "CE03",
            "name": "Crewe South",
            "url_force": "https://www.cheshire.police.uk/area/your-area/crewe-south/",
            "description": None,
            "population": "0",
            "centre": {"latitude": "53.0900", "longitude": "-2.4400"},
            "contact_details": {},
            "links": [],
            "locations": [],
        },
        boundary=_square(53.09, -2.44),
        people=[
            {"name": "Mo Ahmed", "rank": "sgt", "bio": None, "contact_details": {}},
            {"name": "Kim Wu", "rank": "pcso", "bio": "", "contact_details": {}},
            {"name": "Lee Hart", "rank": "Chief Superintendent", "bio": None},
        ],
        events=[],
    )
    return ForceData(force, {"NC04": hoole, "WR12": warrington, "CE03": crewe})


class FakePoliceApi:
    def __init__(
        self,
        data: ForceData | None = None,
        *,
        slow_seconds: float = 2.0,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.data = data or cheshire_fixture()
        self.slow_seconds = slow_seconds
        self.host, self.port = host, port
        self.requests: list[LoggedRequest] = []
        self._faults: dict[str, Fault] = {}
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/api"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/api/{tail:.*}", self._handle)
        self._runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=0.5, handler_cancellation=True
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakePoliceApi:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # Faults and the request log -------------------------------------------------

    def fail(self, path: str, kind: str, times: int | None = 1, *, retry_after: str = "1") -> None:
        """The next ``times`` requests for ``path`` (e.g. "/cheshire/NC04") fail as ``kind``."""
        if kind not in FAULT_KINDS and not kind.isdigit():
            raise ValueError(f"unknown fault {kind!r}")
        self._faults[path] = Fault(kind, times, retry_after)

    def heal(self) -> None:
        self._faults.clear()

    def hits(self, path: str) -> int:
        return sum(1 for request in self.requests if request.path == path)

    def max_in_one_second(self) -> int:
        """The most requests that arrived within any one second."""
        times = sorted(request.at for request in self.requests)
        most, first = 0, 0
        for last, moment in enumerate(times):
            while moment - times[first] >= 1.0:
                first += 1
            most = max(most, last - first + 1)
        return most

    # Serving ---------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        self.requests.append(LoggedRequest(path, time.monotonic()))
        fault = self._faults.get(path)
        if fault is not None and fault.remaining != 0:
            if fault.remaining is not None:
                fault.remaining -= 1
            if fault.kind == "timeout":
                await asyncio.sleep(self.slow_seconds)
            elif fault.kind == "bad-json":
                return web.Response(text='[{"id": "NC04", "na', content_type="application/json")
            elif fault.kind == "429":
                return web.json_response(
                    {"error": "Too Many Requests"},
                    status=429,
                    headers={"Retry-After": fault.retry_after},
                )
            else:
                return web.Response(status=int(fault.kind), text="<html>Server error</html>")
        answer = self._answer(path.strip("/").split("/"))
        if answer is None:
            return web.Response(status=404, text="<html>Not found</html>")
        return web.Response(text=json.dumps(answer), content_type="application/json")

    def _answer(self, parts: list[str]) -> Any:
        force = self.data.force
        if parts == ["forces"]:
            return [{"id": force["id"], "name": force["name"]}]
        if len(parts) == 2 and parts[0] == "forces":
            return copy.deepcopy(force) if parts[1] == force["id"] else None
        if not parts or parts[0] != force["id"] or len(parts) not in (2, 3):
            return None
        if parts[1:] == ["neighbourhoods"]:
            return [
                {"id": key, "name": item.detail["name"]}
                for key, item in self.data.neighbourhoods.items()
            ]
        neighbourhood = self.data.neighbourhoods.get(parts[1])
        if neighbourhood is None:
            return None
        if len(parts) == 2:
            return copy.deepcopy(neighbourhood.detail)
        if parts[2] not in ("boundary", "people", "events"):
            return None
        return copy.deepcopy(neighbourhood.part(parts[2]))
