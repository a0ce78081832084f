"""Chinwag's aiogram session sends calls as JSON, and reads answers as aiogram does."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramBadRequest, TelegramNetworkError, TelegramServerError
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.transports.aiogram_session import JsonBodySession
from tests.fakes.bot_api import FakeBotApi

pytestmark = pytest.mark.e2e


@pytest.fixture
async def bot(bot_api: FakeBotApi) -> AsyncIterator[Bot]:
    session = JsonBodySession(api=TelegramAPIServer.from_base(bot_api.url))
    bot = Bot(
        bot_api.token, session=session, default=DefaultBotProperties(parse_mode=ParseMode.HTML)
    )
    yield bot
    await bot.session.close()
    assert not bot_api.server_errors, bot_api.server_errors[0]


async def test_a_message_with_buttons_goes_as_one_json_body(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.user(5_600_000_001)
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Yes ✅", callback_data="y:1")]]
    )
    sent = await bot.send_message(user.chat_id, "<b>Hello</b> & welcome", reply_markup=markup)
    assert bot_api.encodings[-1] == ("sendMessage", "application/json")
    params = bot_api.calls("sendMessage")[-1]
    assert params["parse_mode"] == "HTML"  # the bot's default, filled in
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Yes ✅", "callback_data": "y:1"}]]
    }
    shown = user.messages[-1]
    assert shown["message_id"] == sent.message_id and shown["text"] == "Hello & welcome"


async def test_a_file_still_goes_as_a_form(bot_api: FakeBotApi, bot: Bot) -> None:
    user = bot_api.user(5_600_000_002)
    await bot.send_document(user.chat_id, BufferedInputFile(b"a,b\n1,2\n", "answers.csv"))
    method, content_type = bot_api.encodings[-1]
    assert (method, content_type) == ("sendDocument", "multipart/form-data")
    assert bot_api.calls("sendDocument")[-1]["document"].content == b"a,b\n1,2\n"


async def test_errors_are_aiograms_own(bot_api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(42, "nobody is here")
    bot_api.flaky(1.0, ("sendMessage",))  # half answer 502, half drop the connection
    user = bot_api.user(5_600_000_003)
    seen: set[type[Exception]] = set()
    for _ in range(10):
        with pytest.raises((TelegramServerError, TelegramNetworkError)) as raised:
            await bot.send_message(user.chat_id, "hello")
        seen.add(raised.type)
    assert seen == {TelegramServerError, TelegramNetworkError}
