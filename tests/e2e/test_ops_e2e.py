"""The operations endpoints of a running bot, on both transports.

Webhook mode serves them next to the webhook; polling mode (a real ``chinwag run``
process) serves them on ``CHINWAG_METRICS_LISTEN``. Either way, updates handled by
the bot move the counters.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from storage.migrate import head_revision
from tests.e2e.conftest import RunningBot, free_port, start_bot
from tests.e2e.test_process import chinwag_run
from tests.fakes.bot_api import FakeBotApi
from tests.support.metrics_text import samples

COMMAND_OK = ("chinwag_updates_handled_total", (("event", "command"), ("outcome", "ok")))
PRESS_OK = ("chinwag_updates_handled_total", (("event", "button_press"), ("outcome", "ok")))
COMMANDS_TIMED = ("chinwag_handler_latency_seconds_count", (("event", "command"),))


async def fetch(base: str, path: str) -> tuple[int, str, Any]:
    async with aiohttp.ClientSession() as session, session.get(base + path) as response:
        text = await response.text()
        content_type = response.headers["Content-Type"]
        if content_type.startswith("application/json"):
            return response.status, content_type, await response.json()
        return response.status, content_type, text


async def scrape(base: str) -> dict[Any, float]:
    status, content_type, text = await fetch(base, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    return samples(text)


@pytest.fixture
async def webhook_bot(bot_settings: Settings) -> AsyncIterator[RunningBot]:
    bot = await start_bot(bot_settings, "webhook")
    yield bot
    await bot.stop()


async def test_the_webhook_server_counts_the_updates_it_handles(
    bot_api: FakeBotApi, webhook_bot: RunningBot
) -> None:
    assert webhook_bot.webhook is not None
    base = f"http://127.0.0.1:{webhook_bot.webhook.port}"
    before = await scrape(base)
    assert before.get(COMMAND_OK, 0) == 0
    user = bot_api.user(5_600_000_001)
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("Have your say")
    await user.wait_for(contains="Community Conversation")
    after = await scrape(base)
    assert after[COMMAND_OK] == 2
    assert after[COMMANDS_TIMED] == 2
    assert after[PRESS_OK] == 1
    assert after[("chinwag_database_up", ())] == 1
    assert after[("chinwag_scheduler_leader", ())] == 0
    assert await fetch(base, "/readyz") == (
        200,
        "application/json; charset=utf-8",
        {"status": "ready", "transport": webhook_bot.transport.name, "revision": head_revision()},
    )
    status, _, body = await fetch(base, "/healthz")
    assert (status, body["status"]) == (200, "ok")


async def test_polling_mode_serves_them_on_chinwag_metrics_listen(
    bot_api: FakeBotApi, db_url: str, transport: str
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    extra = {"CHINWAG_METRICS_LISTEN": f"127.0.0.1:{port}"}
    async with chinwag_run(bot_api, db_url, transport, extra):
        assert (await fetch(base, "/healthz"))[2] == {"status": "ok", "transport": transport}
        status, _, ready = await fetch(base, "/readyz")
        assert (status, ready["status"]) == (200, "ready")
        user = bot_api.user(5_600_000_002)
        await user.send("/start")
        await user.wait_for(contains="What would you like to do?")
        found = await scrape(base)
        assert found[COMMAND_OK] == 1
        assert found[("chinwag_database_up", ())] == 1
