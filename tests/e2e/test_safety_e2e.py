"""Quick exit and emergency advice over real HTTP, on both transports and both modes."""

from __future__ import annotations

from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import message_text


async def test_quick_exit_deletes_the_chat_and_leaves_one_neutral_message(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    user = bot_api.user(5_300_000_001, "Sam")
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("Have your say")
    await user.wait_for(contains="Community Conversation")
    await user.send("/help")
    await user.wait_for(contains="How to use Chinwag")
    chat = bot_api.world.chats[user.id]
    before = set(chat.messages)
    assert {m.from_bot for m in chat.messages.values()} == {True, False}

    await user.press("🚪 Quick exit")
    await user.wait_for(contains="Have a good day!")
    await user.wait_idle()

    assert before <= set(bot_api.deleted[user.id])
    left = list(chat.messages.values())
    assert len(left) == 1 and left[0].from_bot
    assert message_text(left[0].record()) == "Have a good day!"
    assert user.buttons() == []


async def test_an_emergency_like_message_gets_the_advice_first(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    user = bot_api.user(5_300_000_002, "Kit")
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.send("Please help me, he is hitting me")
    menu = await user.wait_for(contains="What would you like to do?")
    advice = await user.wait_for(contains="999")
    assert "press 55" in message_text(advice) and "101" in message_text(advice)
    assert advice["message_id"] < menu["message_id"]
