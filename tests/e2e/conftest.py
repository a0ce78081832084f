"""End-to-end fixtures: the real aiogram or python-telegram-bot application, talking
HTTP to a fake Bot API server on 127.0.0.1, over a real database.

Every test here runs once per transport (``transport`` is parametrized), and those
that use ``running_bot`` once per mode as well: long polling and webhook.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from bot.bootstrap import App, build_app
from bot.runner import make_transport
from bot.settings import Settings
from bot.transports.telegram_base import TelegramTransport
from bot.webhook import WebhookServer, derive_secret
from tests.fakes.bot_api import FakeBotApi

TRANSPORTS = ["aiogram", "ptb"]
MODES = ["polling", "webhook"]


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


@pytest.fixture
def bot_settings(db_url: str, bot_api: FakeBotApi, transport: str) -> Settings:
    return Settings(
        database_url=db_url,
        telegram_token=SecretStr(bot_api.token),
        telegram_api_url=bot_api.url,
        transport=transport,
        flood_limit=100_000,
    )


@dataclass
class RunningBot:
    app: App
    transport: TelegramTransport[Any]
    task: asyncio.Task[None]
    webhook: WebhookServer | None = None

    async def stop(self) -> None:
        if self.webhook is not None:
            self.webhook.stop()
        else:
            self.transport.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 15)
        await self.transport.reply_tally.flush()  # as ``bot.runner`` does
        await self.transport.close()
        await self.app.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start_bot(settings: Settings, mode: str = "polling") -> RunningBot:
    """The real transport, as ``chinwag run`` starts it, in this process."""
    app = await build_app(settings, apply_migrations=False)
    transport = make_transport(settings, app)
    await transport.prepare()
    if mode == "polling":
        return RunningBot(app, transport, asyncio.create_task(transport.run_polling()))
    port = free_port()
    server = WebhookServer(
        transport,
        f"http://127.0.0.1:{port}/telegram/hook",
        f"127.0.0.1:{port}",
        derive_secret(settings.token()),
    )
    task = asyncio.create_task(server.serve())
    await asyncio.wait_for(server.started.wait(), 10)
    return RunningBot(app, transport, task, server)


@pytest.fixture(params=MODES)
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def running_bot(bot_settings: Settings, mode: str) -> AsyncIterator[RunningBot]:
    bot = await start_bot(bot_settings, mode)
    yield bot
    if not bot.task.done():
        await bot.stop()
