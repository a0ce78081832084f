"""Webhook mode on both transports: secret-checked, healthy, exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.settings import Settings
from bot.webhook import SECRET_HEADER, WebhookServer
from storage.models import ProcessedUpdate
from tests.e2e.conftest import start_bot
from tests.e2e.test_conversation import walk_to_exists
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import FakeUser
from tests.integration.test_resident_conversation import answers_of


@pytest.fixture
async def webhook(bot_settings: Settings) -> AsyncIterator[WebhookServer]:
    bot = await start_bot(bot_settings, "webhook")
    assert bot.webhook is not None
    yield bot.webhook
    await bot.stop()


async def test_a_conversation_over_the_webhook(bot_api: FakeBotApi, webhook: WebhookServer) -> None:
    assert bot_api.webhook is not None
    assert bot_api.webhook["secret_token"] == webhook.secret
    user = bot_api.user(5_400_000_001)
    await walk_to_exists(user)
    await user.send("The community centre")
    await user.wait_for(contains="What is missing")
    answers = await answers_of(webhook.transport.app.deps, 5_400_000_001)
    assert answers["exists"].text == "The community centre"
    assert bot_api.calls("getUpdates") == []
    assert all(d["status"] == 200 for d in bot_api.webhook_deliveries)


async def have_your_say(user: FakeUser) -> dict[str, Any]:
    """/start, then the "Have your say" button: the questionnaire's first message."""
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("Have your say")
    return await user.wait_for(contains="Community Conversation")


async def test_a_button_press_is_answered_in_the_webhooks_own_answer(
    bot_api: FakeBotApi, webhook: WebhookServer
) -> None:
    user = bot_api.user(5_400_000_002)
    await have_your_say(user)
    await user.wait_idle()
    press = bot_api.webhook_deliveries[-1]
    assert press["status"] == 200 and press["method"] == "answerCallbackQuery"
    # answered once, by the webhook's answer: no request of its own
    answers = bot_api.calls("answerCallbackQuery")
    assert len(answers) == 1 and answers[0]["callback_query_id"] in bot_api.callback_answers


async def test_a_press_notice_travels_in_the_webhooks_answer(
    bot_api: FakeBotApi, webhook: WebhookServer
) -> None:
    user = bot_api.user(5_400_000_003)
    intro = await have_your_say(user)
    await user.press("Start")
    await user.wait_for(contains="your privacy")
    await user.press("Start", intro["message_id"])  # a button of an earlier message
    await user.wait_idle()
    assert bot_api.webhook_deliveries[-1]["method"] == "answerCallbackQuery"
    notice = bot_api.calls("answerCallbackQuery")[-1]
    assert notice["text"] == "That button is from an earlier message."
    assert not notice.get("show_alert")


async def test_a_missing_or_wrong_secret_is_refused_and_not_processed(
    webhook: WebhookServer,
) -> None:
    update = {
        "update_id": 999_001,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 42, "type": "private", "first_name": "Eve"},
            "from": {"id": 42, "is_bot": False, "first_name": "Eve"},
        },
    }
    url = f"http://127.0.0.1:{webhook.port}{webhook.path}"
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {SECRET_HEADER: "wrong"}, {SECRET_HEADER: webhook.secret[:-1]}):
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 403
        async with session.get(f"http://127.0.0.1:{webhook.port}/healthz") as response:
            assert response.status == 200
            assert (await response.json())["status"] == "ok"
    async with webhook.transport.app.deps.uow() as uow:
        count = (await uow.session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
    assert count == 0


async def test_polling_removes_an_existing_webhook(
    bot_api: FakeBotApi, bot_settings: Settings
) -> None:
    await bot_api.execute("setWebhook", {"url": "http://127.0.0.1:9/elsewhere"})
    assert bot_api.webhook is not None
    bot = await start_bot(bot_settings)
    try:
        user = bot_api.user(5_400_000_002)
        await user.send("/start")
        await user.wait_for(contains="What would you like to do?")
        assert bot_api.webhook is None
    finally:
        await bot.stop()
