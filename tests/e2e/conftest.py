"""End-to-end fixtures: the real aiogram or python-telegram-bot application, talking
HTTP to a fake Bot API server on 127.0.0.1, over a real database.

Every test here runs once per transport (``transport`` is parametrized).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from pydantic import SecretStr

from bot.bootstrap import App, build_app
from bot.runner import make_transport
from bot.settings import Settings
from bot.transports.telegram_base import TelegramTransport
from tests.fakes.bot_api import FakeBotApi

TRANSPORTS = ["aiogram", "ptb"]


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
    )


@dataclass
class RunningBot:
    app: App
    transport: TelegramTransport[object]
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.transport.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(self.task, 10)
        await self.transport.close()
        await self.app.close()


async def start_bot(settings: Settings) -> RunningBot:
    app = await build_app(settings, apply_migrations=False)
    transport = make_transport(settings, app)
    await transport.prepare()
    task = asyncio.create_task(transport.run_polling())
    return RunningBot(app, transport, task)


@pytest.fixture
async def running_bot(bot_settings: Settings) -> AsyncIterator[RunningBot]:
    bot = await start_bot(bot_settings)
    yield bot
    if not bot.task.done():
        await bot.stop()
