"""A page too long for one message, with buttons, over real HTTP on both transports.

An event written to every field's limit makes a page longer than Telegram's 4096
units: it goes as two messages, the buttons on the second. Pressing "Going" there
used to edit that second message into the new page's first part and send the rest
after it, so the resident saw the page's start twice (the old one above, stale) and
the message they pressed turned into the top of the page. Now the page is redone in
its own messages: each part is edited in place, the buttons stay at the end.

Which messages the page went out as is recorded in the database (``chat_messages``),
so the press is handled as well by a worker that did not send the page, and after a
restart (or kill -9) of the one that did.
"""

from __future__ import annotations

from typing import Any

from bot.bootstrap import build_app
from bot.settings import Settings
from tests.e2e.conftest import RunningBot, start_bot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.cluster import Cluster
from tests.fakes.fake_user import FakeUser
from tests.support.long_event import full_event

RESIDENT = 5_610_000_001
EMOJI_WORDS = "Music & games for all 🎶 "  # an emoji counts 2 UTF-16 units


def texts(user: FakeUser) -> list[dict[str, Any]]:
    return [m for m in user.messages if "text" in m]


async def to_the_events(user: FakeUser) -> None:
    await user.send("/officer")
    await user.wait_for(contains="Send your postcode")
    await user.send("CH3 8EH")
    await user.wait_for(contains="your PCSO")
    await user.send("/events")
    await user.wait_for(contains="What is on near Tarvin")


async def open_long_page(user: FakeUser, *, listed: bool = False) -> list[dict[str, Any]]:
    """The resident opens the event's page: two messages, the buttons on the second."""
    if not listed:
        await to_the_events(user)
    await user.press("Tea & cake")
    await user.wait_for(lambda m: bool(m.get("reply_markup")) and "Going" in str(m))
    await user.wait_idle()
    before = texts(user)
    first, last = before[-2], before[-1]
    assert first["text"].startswith("📅 Tea & cake"), first["text"][:80]  # the page's two parts
    assert not user.buttons(first) and user.buttons(last)
    return before


async def press_going(user: FakeUser, before: list[dict[str, Any]]) -> None:
    """A press of "Going" on the last part: the same two messages are redone in place."""
    await user.press("Going", before[-1])
    await user.wait_for(contains="You said you are going")
    await user.wait_idle()
    after = texts(user)
    # The same two messages, nothing added: the start is shown once, at the top.
    assert [m["message_id"] for m in after] == [m["message_id"] for m in before]
    assert after[-2]["text"].startswith("📅 Tea & cake") and not user.buttons(after[-2])
    assert not after[-1]["text"].startswith("📅 Tea & cake")
    assert "You said you are going" in after[-1]["text"] and user.buttons(after[-1])
    assert sum(m["text"].startswith("📅 Tea & cake") for m in after) == 1


async def test_going_on_a_split_event_page_redoes_the_page_in_place(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    await full_event(running_bot.app, EMOJI_WORDS)
    user = bot_api.user(RESIDENT, "Rae")
    before = await open_long_page(user)
    await press_going(user, before)


async def test_a_press_after_a_restart_still_redoes_the_page(
    bot_api: FakeBotApi, running_bot: RunningBot, bot_settings: Settings, mode: str
) -> None:
    """The bot is stopped between the page and the press, and a new one started (a
    new process would know nothing of the old one's memory)."""
    await full_event(running_bot.app, EMOJI_WORDS)
    user = bot_api.user(RESIDENT + 1, "Sam")
    before = await open_long_page(user)
    await running_bot.stop()
    again = await start_bot(bot_settings, mode)
    try:
        await press_going(user, before)
    finally:
        await again.stop()


async def test_a_press_handled_by_another_worker_process_redoes_the_page(db_url: str) -> None:
    """Two real webhook workers behind the balancer: the one that sent the page is
    killed (kill -9) before the press, so the other one handles it."""
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        await full_event(app, EMOJI_WORDS)
    finally:
        await app.close()
    async with Cluster(db_url, workers=2, connections=4) as cluster:
        user = cluster.api.user(RESIDENT + 2, "Tal")
        await to_the_events(user)
        await cluster.drain(timeout=30)
        counts = dict(cluster.balancer.forwarded)
        before = await open_long_page(user, listed=True)
        await cluster.drain(timeout=30)
        (sender,) = [  # the worker that sent the page (one update: one worker)
            w.index
            for w in cluster.workers
            if cluster.balancer.forwarded[w.url] > counts.get(w.url, 0)
        ]
        cluster.kill(sender)
        await cluster.wait_exit(sender)
        await press_going(user, before)
        await cluster.drain(timeout=30)
        other = cluster.workers[1 - sender]
        assert cluster.balancer.forwarded[other.url] > counts.get(other.url, 0)
        assert "Traceback" not in cluster.log(1 - sender)
