"""``/healthz``, ``/readyz`` and ``/metrics``: the same three on every server a worker runs.

- ``/healthz`` is liveness: the process answers (a restart would help if it did not).
- ``/readyz`` is readiness: the database answers and its schema is at the Alembic
  head; 503, naming the failing check, tells a load balancer to send updates to
  another worker (one whose database is reachable, or that is not mid-upgrade).
- ``/metrics`` is the Prometheus text format of ``app.metrics``.
"""

from __future__ import annotations

import asyncio
import functools
import logging

from aiohttp import web

from bot.bootstrap import App
from bot.metrics import CONTENT_TYPE
from storage.migrate import current_revision, head_revision

log = logging.getLogger("chinwag.ops")
READY_TIMEOUT_SECONDS = 3.0

head = functools.cache(head_revision)  # the scripts do not change while we run


class OpsRoutes:
    def __init__(self, app: App, transport: str) -> None:
        self.app = app
        self.transport = transport

    def add_to(self, router: web.UrlDispatcher) -> None:
        router.add_get("/healthz", self.health)
        router.add_get("/readyz", self.ready)
        router.add_get("/metrics", self.metrics)

    async def health(self, _request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "transport": self.transport})

    async def ready(self, _request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                current = await current_revision(self.app.engine)
        except Exception as exc:  # any driver error, or the timeout
            log.warning("not ready: database", extra={"error": type(exc).__name__})
            return self._not_ready("database", f"unreachable ({type(exc).__name__})")
        if current != head():
            return self._not_ready("migrations", f"schema at {current or 'none'}, head is {head()}")
        return web.json_response(
            {"status": "ready", "transport": self.transport, "revision": current}
        )

    def _not_ready(self, check: str, reason: str) -> web.Response:
        body = {"status": "not ready", "failed": check, "reason": reason}
        return web.json_response(body, status=503)

    async def metrics(self, _request: web.Request) -> web.Response:
        body = await self.app.metrics.exposition(self.app.engine, self.app.deps.clock())
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE})
