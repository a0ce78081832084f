"""What real traffic brings, on both transports: Bot API errors, odd inputs, bugs."""

from __future__ import annotations

import time

import pytest

from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi


async def test_a_429_is_obeyed_and_the_reply_still_arrives(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    user = bot_api.user(5_300_000_001)
    bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?", timeout=10)
    assert time.monotonic() - started >= 0.9  # it waited as told
    assert len(bot_api.calls("sendMessage")) >= 2


async def test_server_errors_are_retried(bot_api: FakeBotApi, running_bot: RunningBot) -> None:
    user = bot_api.user(5_300_000_002)
    bot_api.fail_next("sendMessage", 502, "Bad Gateway", times=2)
    await user.send("/help")
    await user.wait_for(contains="How to use Chinwag", timeout=10)


async def test_a_user_who_blocked_the_bot_does_not_stop_it(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    blocked, other = bot_api.user(5_300_000_003), bot_api.user(5_300_000_004)
    bot_api.block(blocked.id)
    await blocked.send("/start")
    await blocked.wait_idle()
    await other.send("/start")
    await other.wait_for(contains="What would you like to do?")
    assert not blocked.messages or all(
        m.get("from", {}).get("is_bot") is False for m in blocked.messages
    )


@pytest.mark.parametrize("action", ["send_sticker", "send_photo", "send_voice"])
async def test_unsupported_messages_get_a_short_answer(
    bot_api: FakeBotApi, running_bot: RunningBot, action: str
) -> None:
    user = bot_api.user(5_300_000_005)
    await getattr(user, action)()
    await user.wait_for(contains="I can only read text messages")


async def test_edits_groups_and_channel_posts_are_ignored(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    user = bot_api.user(5_300_000_006)
    base = {"date": 1_700_000_000, "from": user.wire, "text": "hello"}
    bot_api.enqueue(
        "edited_message",
        {
            **base,
            "message_id": 1,
            "edit_date": 1_700_000_100,
            "chat": {"id": user.id, "type": "private", "first_name": "A"},
        },
        user.id,
    )
    bot_api.enqueue(
        "message",
        {**base, "message_id": 2, "chat": {"id": -100123, "type": "group", "title": "Village"}},
        None,
    )
    bot_api.enqueue(
        "channel_post",
        {
            "message_id": 3,
            "date": 1_700_000_000,
            "text": "news",
            "chat": {"id": -100999, "type": "channel", "title": "News"},
        },
        None,
    )
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.wait_idle()
    assert [
        m for m in bot_api.requests if m[0] == "sendMessage" and m[1].get("chat_id") != user.id
    ] == []
    assert sum(1 for m in user.messages if m.get("from", {}).get("is_bot")) == 1


async def test_a_handler_bug_is_answered_politely_and_the_bot_keeps_serving(
    bot_api: FakeBotApi, running_bot: RunningBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(ctx: object) -> list[object]:
        raise RuntimeError("bug")

    user = bot_api.user(5_300_000_007)
    monkeypatch.setattr("handlers.dispatch.route", broken)
    await user.send("/start")
    await user.wait_for(contains="Sorry, something went wrong")
    monkeypatch.undo()
    await user.press("Main menu")
    await user.wait_for(contains="What would you like to do?")
