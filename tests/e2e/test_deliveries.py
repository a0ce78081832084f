"""``chinwag run`` in this process: due deliveries go out through the real framework's Bot.

The bot is started with ``bot.runner.run_bot`` exactly as the command does (polling
or webhook, aiogram or python-telegram-bot), against the fake Bot API server, and
stopped with a real SIGTERM, which must let it finish and exit 0.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.bootstrap import build_app
from bot.runner import run_bot
from bot.settings import Settings
from handlers.deliveries import message_payload
from handlers.outbound import Button, keyboard
from storage.models import Community, Delivery, Follow, User
from tests.e2e.conftest import free_port
from tests.fakes.bot_api import FakeBotApi

ROBIN, SAM = 1001, 1002


async def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot")
        await asyncio.sleep(0.02)


async def prepare(settings: Settings, rows: list[tuple[int, str, datetime]]) -> dict[str, int]:
    """Users for the chats, each following a community, and a message delivery per row."""
    app = await build_app(settings, apply_migrations=False)
    ids: dict[str, int] = {}
    try:
        async with app.deps.uow() as uow:
            community = (await uow.session.exec(select(Community).limit(1))).one()
            for chat, key, due in rows:
                user = await uow.users.by_telegram_id(chat) or await uow.users.add(
                    User(telegram_id=chat, chat_id=chat, first_name="Robin")
                )
                assert user.id is not None and community.id is not None
                await uow.follows.follow(user.id, community.id)
                row = await uow.deliveries.schedule(
                    key=key,
                    kind="message",
                    chat_id=chat,
                    user_id=user.id,
                    due_at=due,
                    payload=message_payload(
                        f"⏰ <b>{key}</b>", keyboard([Button("Open the event", "ev:1")])
                    ),
                )
                assert row.id is not None
                ids[key] = row.id
            await uow.commit()
    finally:
        await app.close()
    return ids


async def add_delivery(settings: Settings, chat: int, key: str) -> None:
    await prepare(settings, [(chat, key, datetime.now(UTC))])


async def rows(settings: Settings) -> dict[str, Delivery]:
    app = await build_app(settings, apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            return {d.key: d for d in (await uow.session.exec(select(Delivery))).all()}
    finally:
        await app.close()


async def follows_active(settings: Settings, chat: int) -> list[bool]:
    app = await build_app(settings, apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            user = await uow.users.by_telegram_id(chat)
            assert user is not None
            query = select(Follow).where(Follow.user_id == user.id)
            return [f.active for f in (await uow.session.exec(query)).all()]
    finally:
        await app.close()


def texts(bot_api: FakeBotApi, chat: int) -> list[str]:
    return [str(m.get("text", "")) for m in bot_api.sent_to(chat)]


async def stop_with_sigterm(task: asyncio.Task[int]) -> int:
    # run_bot installed its handler (right after starting the scheduler): SIGTERM
    # would otherwise kill the test run itself.
    assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, None)
    os.kill(os.getpid(), signal.SIGTERM)
    return await asyncio.wait_for(task, 15)


def run_settings(bot_settings: Settings, mode: str) -> Settings:
    update: dict[str, object] = {"dispatch_interval_seconds": 0.1}
    if mode == "webhook":
        port = free_port()
        update.update(
            webhook_url=f"http://127.0.0.1:{port}/telegram/hook", listen=f"127.0.0.1:{port}"
        )
    return bot_settings.model_copy(update=update)


async def test_chinwag_run_delivers_due_rows_through_the_framework(
    bot_api: FakeBotApi, bot_settings: Settings, mode: str
) -> None:
    robin = bot_api.user(ROBIN, "Robin")
    bot_api.user(SAM, "Sam")
    settings = run_settings(bot_settings, mode)
    now = datetime.now(UTC)
    await prepare(
        settings,
        [
            (ROBIN, "due-at-start", now - timedelta(minutes=2)),
            (ROBIN, "tomorrow", now + timedelta(days=1)),
            (ROBIN, "stale", now - timedelta(hours=2)),  # beyond the grace window
        ],
    )
    task = asyncio.create_task(run_bot(settings))
    try:
        await until(lambda: texts(bot_api, ROBIN) == ["⏰ due-at-start"])
        await add_delivery(settings, SAM, "while-running")  # found by the next tick
        await until(lambda: texts(bot_api, SAM) == ["⏰ while-running"])
    finally:
        if not task.done():
            assert await stop_with_sigterm(task) == 0

    assert robin.buttons() == ["Open the event"]
    stored = await rows(settings)
    sent = bot_api.sent_to(ROBIN)
    assert stored["due-at-start"].status == "sent"
    assert stored["due-at-start"].message_id == sent[0]["message_id"]
    assert stored["while-running"].message_id == bot_api.sent_to(SAM)[0]["message_id"]
    assert texts(bot_api, ROBIN) == ["⏰ due-at-start"]
    assert stored["tomorrow"].status == "pending"
    assert stored["stale"].status == "missed"


async def test_a_blocked_user_and_a_429_through_the_framework(
    bot_api: FakeBotApi, bot_settings: Settings
) -> None:
    bot_api.user(ROBIN, "Robin")
    bot_api.user(SAM, "Sam")
    bot_api.block(SAM)
    settings = run_settings(bot_settings, "polling")
    now = datetime.now(UTC)
    await prepare(
        settings, [(SAM, "to-blocked", now - timedelta(minutes=1)), (ROBIN, "after-429", now)]
    )
    bot_api.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    started = time.monotonic()
    task = asyncio.create_task(run_bot(settings))
    try:
        await until(lambda: texts(bot_api, ROBIN) == ["⏰ after-429"])
    finally:
        if not task.done():
            assert await stop_with_sigterm(task) == 0

    assert time.monotonic() - started >= 1.0  # retry_after was obeyed
    stored = await rows(settings)
    assert stored["to-blocked"].status == "failed"
    assert "forbidden" in stored["to-blocked"].last_error
    assert stored["after-429"].status == "sent"
    assert await follows_active(settings, SAM) == [False]
    assert await follows_active(settings, ROBIN) == [True]
    blocked_sends = [p for p in bot_api.calls("sendMessage") if p.get("chat_id") == SAM]
    assert len(blocked_sends) <= 2  # one refusal (perhaps the 429 first), never retried after
