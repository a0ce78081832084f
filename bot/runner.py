"""``chinwag run``: start the chosen transport, and stop it cleanly on SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Protocol

from bot.bootstrap import App, build_app
from bot.settings import Settings

log = logging.getLogger("chinwag.run")


class Transport(Protocol):
    name: str

    async def prepare(self) -> None: ...
    async def run_polling(self) -> None: ...
    def stop(self) -> None: ...
    async def close(self) -> None: ...


def make_transport(settings: Settings, app: App) -> Transport:
    kind = settings.check_transport()
    token = settings.token()
    if kind == "ptb":
        from bot.transports.ptb_app import PtbTransport

        return PtbTransport(app, token, settings.telegram_api_url)
    from bot.transports.aiogram_app import AiogramTransport

    return AiogramTransport(app, token, settings.telegram_api_url)


def _on_signals(callback: object) -> None:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):  # Windows, or not main thread
            loop.add_signal_handler(sig, callback)  # type: ignore[arg-type]


async def run_bot(settings: Settings) -> int:
    settings.check_transport()
    settings.token()
    app = await build_app(settings)
    transport = make_transport(settings, app)
    try:
        await transport.prepare()
        _on_signals(transport.stop)
        log.info("bot started", extra={"transport": transport.name, "mode": "polling"})
        await transport.run_polling()
        log.info("bot stopped")
    finally:
        await transport.close()
        await app.close()
    return 0
