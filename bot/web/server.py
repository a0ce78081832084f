"""Serving the dashboard with uvicorn, in the caller's event loop.

    chinwag web [--listen HOST:PORT]   the dashboard alone (CHINWAG_WEB_LISTEN)
    chinwag run                        the bot, and the dashboard too when
                                       CHINWAG_WEB_ENABLED=true

The socket is bound here, so a port in use is a one-line configuration error and
port 0 gives a free one. uvicorn's own signal handling is switched off: whoever
runs the loop decides when to stop (``chinwag run`` on SIGTERM stops the bot and
the dashboard together).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import socket
from collections.abc import Iterator

import uvicorn

from bot.bootstrap import App
from bot.errors import ConfigError
from bot.settings import Settings
from bot.signals import on_stop_signals
from bot.web.app import create_web_app
from bot.webhook import parse_listen

log = logging.getLogger("chinwag.web")
SETTING = "CHINWAG_WEB_LISTEN"
GRACE_SECONDS = 2


class _Server(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the application's own handlers stay in place


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"{SETTING}: cannot listen on {host}:{port} ({exc.strerror})") from None
    sock.setblocking(False)
    return sock


class WebServer:
    def __init__(self, app: App, listen: str) -> None:
        self.host, self.port = parse_listen(listen, SETTING)
        config = uvicorn.Config(
            create_web_app(app),
            log_config=None,
            access_log=False,
            lifespan="off",
            server_header=False,
            proxy_headers=False,
            # Open room-screen streams never finish by themselves: stopping waits
            # this long for them, then cancels them.
            timeout_graceful_shutdown=GRACE_SECONDS,
        )
        self._server = _Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        sock = _bind(self.host, self.port)
        self.port = int(sock.getsockname()[1])
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]))
        while not self._server.started:
            if self._task.done():
                await self._task  # its error, if it failed to start
                raise ConfigError(f"{SETTING}: the dashboard did not start")
            await asyncio.sleep(0.01)
        log.info("dashboard serving", extra={"listen": f"{self.host}:{self.port}"})

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def stop(self) -> None:
        if self._task is None:
            return
        self._server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None


async def start_web_server(app: App) -> WebServer | None:
    """The dashboard beside the bot, if CHINWAG_WEB_ENABLED is true."""
    if not app.settings.web_enabled:
        return None
    server = WebServer(app, app.settings.web_listen)
    await server.start()
    return server


async def run_web(settings: Settings, args: argparse.Namespace) -> int:
    """``chinwag web``: serve the dashboard until SIGINT or SIGTERM."""
    from bot.bootstrap import build_app

    listen = args.listen or settings.web_listen
    parse_listen(listen, SETTING)  # before anything starts
    app = await build_app(settings)
    server = WebServer(app, listen)
    stopping = asyncio.Event()
    on_stop_signals(stopping.set)
    try:
        await server.start()
        await stopping.wait()
    finally:
        await server.stop()
        await app.close()
    log.info("dashboard stopped")
    return 0
