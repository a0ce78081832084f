"""The fake Bot API's flood limits, seen by a real framework and as raw JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramRetryAfter

from tests.fakes.bot_api import ApiError, FakeBotApi
from tests.fakes.send_limits import SendLimits

pytestmark = pytest.mark.e2e


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def limited() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi(send_limit=5) as api:
        yield api
        assert not api.server_errors, api.server_errors[0]


async def test_over_the_limit_the_answer_is_telegrams_429(limited: FakeBotApi) -> None:
    for chat in range(6):
        limited.user(2000 + chat)
    url = f"{limited.url}/bot{limited.token}/sendMessage"
    answers = []
    async with aiohttp.ClientSession() as http:
        for chat in range(6):
            async with http.post(url, data={"chat_id": 2000 + chat, "text": "hi"}) as response:
                answers.append((response.status, await response.json()))
    assert [status for status, _ in answers] == [200] * 5 + [429]
    assert answers[-1][1] == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 1",
        "parameters": {"retry_after": 1},
    }
    assert (limited.limits.sends, limited.limits.refused) == (6, 1)
    assert limited.limits.received == {2000 + chat: 1 for chat in range(5)}
    assert limited.sent_to(2005) == []


async def test_a_framework_raises_its_retry_after(limited: FakeBotApi) -> None:
    limited.user(3000)
    bot = Bot(limited.token, session=AiohttpSession(api=TelegramAPIServer.from_base(limited.url)))
    try:
        for _ in range(5):
            await bot.send_message(3000, "hi")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(3000, "one too many")
        await bot.get_me()  # not a send: never limited
    finally:
        await bot.session.close()
    assert caught.value.retry_after == 1
    assert limited.limits.received[3000] == 5


def test_the_window_slides_and_each_chat_waits_a_second() -> None:
    clock = Clock()
    limits = SendLimits(per_second=3, chat_interval=1.0, clock=clock)
    for chat in (1, 2, 3):
        limits.check("sendMessage", {"chat_id": chat})
    with pytest.raises(ApiError, match="retry after 1"):
        limits.check("sendMessage", {"chat_id": 4})
    clock.now += 0.5
    with pytest.raises(ApiError, match="retry after 1"):
        limits.check("sendMessage", {"chat_id": 4})  # the first three are still in the window
    clock.now += 0.6
    limits.check("sendMessage", {"chat_id": 4})
    with pytest.raises(ApiError, match="retry after 1"):
        limits.check("sendMessage", {"chat_id": 4})  # one a second to one chat
    limits.check("sendMessage", {"chat_id": 1})  # its last was 1.1 s ago
    limits.check("editMessageText", {"chat_id": 4})  # edits are not counted
    assert (limits.sends, limits.refused) == (8, 3)
    assert limits.refused_share == pytest.approx(3 / 8)


async def test_without_limits_nothing_is_refused_but_everything_is_counted() -> None:
    async with FakeBotApi() as api:
        api.user(4000)
        api.block(4001)
        api.user(4001)
        for _ in range(40):
            assert (await api.execute("sendMessage", {"chat_id": 4000, "text": "hi"}))[0] == 200
        assert (await api.execute("sendMessage", {"chat_id": 4001, "text": "hi"}))[0] == 403
    assert (api.limits.sends, api.limits.refused) == (41, 0)
    assert api.limits.received == {4000: 40}  # a blocked chat receives nothing
