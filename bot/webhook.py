"""Webhook mode: an aiohttp server that takes Telegram's POSTs, and serves the
operations endpoints (``/healthz``, ``/readyz``, ``/metrics``, in ``bot/ops_routes.py``).

A request without the right ``X-Telegram-Bot-Api-Secret-Token`` gets 403 and is not
processed. An update is answered 200 only after it is handled and committed; if the
database is down the answer is 503, so Telegram delivers it again later. The answer
to a button press (``answerCallbackQuery``) travels in that 200's body, which the Bot
API carries out as a call: one request fewer for every press.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web

from bot.errors import ConfigError
from bot.ops_routes import OpsRoutes
from bot.transports.polling import RetryLater
from bot.transports.telegram_base import TelegramTransport

log = logging.getLogger("chinwag.webhook")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1_000_000


def derive_secret(token: str) -> str:
    """A stable secret from the token, so every worker registers and expects the same one."""
    return hmac.new(token.encode(), b"chinwag-webhook", hashlib.sha256).hexdigest()


def parse_listen(value: str, setting: str = "CHINWAG_LISTEN") -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not port.isdigit() or not 0 <= int(port) < 65536:
        raise ConfigError(f"{setting}: expected HOST:PORT such as 0.0.0.0:8080, not {value!r}")
    return host.strip("[]") or "0.0.0.0", int(port)


def webhook_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ConfigError(f"CHINWAG_WEBHOOK_URL: expected https://HOST/PATH, not {url!r}")
    return parts.path or "/"


class WebhookServer:
    def __init__(
        self, transport: TelegramTransport[Any], url: str, listen: str, secret: str
    ) -> None:
        self.transport = transport
        self.url = url
        self.path = webhook_path(url)
        self.host, self.port = parse_listen(listen)
        self.secret = secret
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.in_flight = 0
        self.started = asyncio.Event()

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(self.path, self._update)
        OpsRoutes(self.transport.app, self.transport.name).add_to(app.router)
        return app

    async def _update(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "")
        # Undecodable header bytes arrive as lone surrogates: compare them as bytes.
        if not hmac.compare_digest(given.encode(errors="surrogateescape"), self.secret.encode()):
            log.warning(
                "webhook request with a missing or wrong secret refused",
                extra={"remote": request.remote},
            )
            return web.Response(status=403, text="forbidden")
        if self._stopping.is_set():
            return web.Response(status=503, text="shutting down")
        try:
            data = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return web.Response(status=400, text="bad json")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        update_id: int = data["update_id"]
        self.in_flight += 1
        try:
            await self.transport.feed_json(data)
            await self.transport.raise_if_retry(update_id)
        except RetryLater:
            return web.Response(status=503, text="try again")
        except Exception:
            log.exception("webhook update failed", extra={"update_id": update_id})
        finally:
            self.in_flight -= 1
            answer = self.transport.take_webhook_answer(update_id)
        if answer is not None:
            # The Bot API carries out a method call given in the webhook's answer.
            return web.json_response(answer)
        return web.Response(text="ok")

    async def start(self) -> None:
        self.transport.answer_in_webhook = True
        self._runner = web.AppRunner(self.make_app(), access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        await self.transport.set_webhook(self.url, self.secret)
        self.started.set()
        log.info("webhook serving", extra={"listen": f"{self.host}:{self.port}", "path": self.path})

    def stop(self) -> None:
        self._stopping.set()

    async def serve(self) -> None:
        await self.start()
        await self._stopping.wait()
        for _ in range(100):  # let updates in hand finish (at most about 10 s)
            if self.in_flight == 0:
                break
            await asyncio.sleep(0.1)
        assert self._runner is not None
        await self._runner.cleanup()
