"""A small round-robin HTTP load balancer with failover, on 127.0.0.1, for tests.

It stands where production has nginx or a cloud load balancer in front of N
``chinwag run`` webhook workers. Each request is forwarded to the next backend in
turn, body and headers as they came; the backend's status, headers and body go
back unchanged (a 503 from a worker reaches the sender, which retries as Telegram
does). When a backend cannot be connected to, the request goes to the next one at
once, as nginx's ``proxy_next_upstream error`` does, and that backend is skipped
for :attr:`Balancer.down_for` seconds; if none can be reached the answer is 502.
A backend that fails after the request was sent (killed mid-request, timed out)
is not asked again for that request: the answer is 502 and the sender retries.

    balancer = Balancer(["http://127.0.0.1:8001", "http://127.0.0.1:8002"])
    await balancer.start()          # balancer.url: http://127.0.0.1:PORT
    balancer.forwarded              # {backend: requests answered by it}
    await balancer.stop()
"""

from __future__ import annotations

import time
from collections import Counter

import aiohttp
from aiohttp import web

HOP_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "host", "upgrade"}
)


class Balancer:
    down_for = 1.0  # seconds a backend that refused a connection is skipped
    request_timeout = 30.0

    def __init__(self, backends: list[str], host: str = "127.0.0.1", port: int = 0) -> None:
        self.backends = list(backends)
        self.host = host
        self.port = port
        self.forwarded: Counter[str] = Counter()  # answered (any status), by backend
        self.failovers = 0  # connections refused and tried elsewhere
        self.failed = 0  # requests answered 502 by the balancer itself
        self._next = 0
        self._down_until: dict[str, float] = {}
        self._session: aiohttp.ClientSession | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0),
            timeout=aiohttp.ClientTimeout(total=self.request_timeout),
            auto_decompress=False,
        )
        app = web.Application(client_max_size=10 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    def mark_down(self, backend: str) -> None:
        self._down_until[backend] = time.monotonic() + self.down_for

    def _order(self) -> list[str]:
        """Every backend once, starting with the next in turn; ones marked down last."""
        count = len(self.backends)
        start = self._next % count if count else 0
        self._next += 1
        turn = self.backends[start:] + self.backends[:start]
        now = time.monotonic()
        up = [b for b in turn if self._down_until.get(b, 0.0) <= now]
        return up + [b for b in turn if b not in up]

    async def _forward(self, request: web.Request) -> web.StreamResponse:
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        for backend in self._order():
            try:
                async with self._session.request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as answer:
                    payload = await answer.read()
                    self.forwarded[backend] += 1
                    kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
                    return web.Response(status=answer.status, body=payload, headers=kept)
            except aiohttp.ClientConnectorError:
                self.failovers += 1
                self.mark_down(backend)
                continue
            except (aiohttp.ClientError, TimeoutError):
                break
        self.failed += 1
        return web.Response(status=502, text="bad gateway")
