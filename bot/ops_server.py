"""The operations endpoints on their own port (``CHINWAG_METRICS_LISTEN``).

In webhook mode the webhook server already serves them; in polling mode there is
no server, so this one gives Prometheus and the supervisor somewhere to ask.
"""

from __future__ import annotations

import logging

from aiohttp import web

from bot.bootstrap import App
from bot.errors import ConfigError
from bot.ops_routes import OpsRoutes
from bot.webhook import parse_listen

log = logging.getLogger("chinwag.ops")


class OpsServer:
    def __init__(self, app: App, transport: str, listen: str) -> None:
        self.routes = OpsRoutes(app, transport)
        self.host, self.port = parse_listen(listen, setting="CHINWAG_METRICS_LISTEN")
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        application = web.Application()
        self.routes.add_to(application.router)
        self._runner = web.AppRunner(application, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, self.host, self.port).start()
        except OSError as exc:
            await self.stop()
            raise ConfigError(
                f"CHINWAG_METRICS_LISTEN: cannot listen on {self.host}:{self.port} ({exc.strerror})"
            ) from None
        self.port = self._runner.addresses[0][1]  # the real one when 0 was asked for
        log.info("operations endpoints serving", extra={"listen": f"{self.host}:{self.port}"})

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


async def start_ops_server(app: App, transport: str) -> OpsServer | None:
    """Serve the operations endpoints on ``CHINWAG_METRICS_LISTEN``, if it is set."""
    if not app.settings.metrics_listen:
        return None
    server = OpsServer(app, transport, app.settings.metrics_listen)
    await server.start()
    return server
