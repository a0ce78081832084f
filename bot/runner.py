"""``chinwag run``: start the chosen transport, and stop it cleanly on SIGINT or SIGTERM."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot import heap
from bot.bootstrap import App, build_app
from bot.ops_server import OpsServer, start_ops_server
from bot.scheduler import DeliveryScheduler, start_deliveries
from bot.settings import Settings
from bot.signals import on_stop_signals
from bot.transports.telegram_base import TelegramTransport
from bot.webhook import WebhookServer, derive_secret, parse_listen, webhook_path

if TYPE_CHECKING:
    from bot.web.server import WebServer

log = logging.getLogger("chinwag.run")


def make_transport(settings: Settings, app: App) -> TelegramTransport[Any]:
    kind = settings.check_transport()
    token = settings.token()
    if kind == "ptb":
        from bot.transports.ptb_app import PtbTransport

        return PtbTransport(app, token, settings.telegram_api_url)
    from bot.transports.aiogram_app import AiogramTransport

    return AiogramTransport(app, token, settings.telegram_api_url)


def _calling(*callbacks: Callable[[], None]) -> Callable[[], None]:
    def call_all() -> None:
        for callback in callbacks:
            callback()

    return call_all


async def run_bot(settings: Settings, *, own_process: bool = False) -> int:
    """Run the bot until SIGINT or SIGTERM. ``own_process``: the process is only this
    worker (``chinwag run``), so its heap is settled once everything has started
    (``bot.heap``); not for a bot run inside another program, such as the tests."""
    settings.check_transport()
    token = settings.token()
    if settings.webhook_url:  # check before anything starts
        webhook_path(settings.webhook_url)
        parse_listen(settings.listen)
    if settings.metrics_listen:
        parse_listen(settings.metrics_listen, "CHINWAG_METRICS_LISTEN")
    if settings.web_enabled:
        parse_listen(settings.web_listen, "CHINWAG_WEB_LISTEN")
    app = await build_app(settings)
    transport = make_transport(settings, app)
    deliveries: DeliveryScheduler | None = None
    ops: OpsServer | None = None
    dashboard: WebServer | None = None
    try:
        await transport.prepare()
        ops = await start_ops_server(app, transport.name)  # if CHINWAG_METRICS_LISTEN is set
        if settings.web_enabled:  # the dashboard too, in this loop
            from bot.web.server import start_web_server

            dashboard = await start_web_server(app)
        # Reminders, notices and polls go out through the same Bot as the replies.
        deliveries = start_deliveries(app, transport.port)
        if own_process:
            log.info("heap settled", extra={"frozen_objects": heap.settle()})
        if settings.webhook_url:
            secret = (
                settings.webhook_secret.get_secret_value()
                if settings.webhook_secret
                else derive_secret(token)
            )
            server = WebhookServer(transport, settings.webhook_url, settings.listen, secret)
            on_stop_signals(_calling(server.stop, deliveries.dispatcher.stop))
            log.info("bot started", extra={"transport": transport.name, "mode": "webhook"})
            await server.serve()
        else:
            on_stop_signals(_calling(transport.stop, deliveries.dispatcher.stop))
            log.info("bot started", extra={"transport": transport.name, "mode": "polling"})
            await transport.run_polling()
        log.info("bot stopped")
    finally:
        if dashboard is not None:
            await dashboard.stop()
        if ops is not None:
            await ops.stop()
        if deliveries is not None:  # the message in flight is recorded before the database closes
            await deliveries.shutdown()
        await transport.reply_tally.flush()  # the replies of the last second still count
        await transport.close()
        await app.close()
    return 0
