"""A broadcast survives ``kill -9`` of the real ``chinwag run`` process half-way.

On restart it carries on: everybody gets it, and nobody twice, except at most the
one message that was in flight at the moment of the kill.
"""

from __future__ import annotations

import asyncio
import signal
from collections import Counter
from datetime import UTC, datetime

from sqlmodel import select

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.broadcasts.service import send_now
from storage.models import Broadcast, Community, Delivery, User
from tests.e2e.test_process import chinwag_run, wait_until
from tests.fakes.bot_api import FakeBotApi

FOLLOWERS = 60
FIRST_CHAT = 5_800_000_000
RUN = {"CHINWAG_SEND_RATE": "20", "CHINWAG_DISPATCH_INTERVAL_SECONDS": "0.2"}


async def queue_broadcast(db_url: str) -> int:
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            tarvin = (
                await uow.session.exec(select(Community).where(Community.name == "Tarvin"))
            ).one()
            assert tarvin.id is not None
            for chat in range(FIRST_CHAT, FIRST_CHAT + FOLLOWERS):
                user = await uow.users.add(User(telegram_id=chat, chat_id=chat, first_name="F"))
                assert user.id is not None
                await uow.follows.follow(user.id, tarvin.id)
            broadcast = await uow.broadcasts.add(
                Broadcast(
                    sender_name="Test",
                    sender_role="urgent test",
                    audience="community",
                    community_id=tarvin.id,
                    text="Road closed at the crossroads",
                    urgent=True,  # whatever the hour the test runs at
                )
            )
            assert broadcast.id is not None
            assert await send_now(uow, broadcast.id, datetime.now(UTC)) == FOLLOWERS
            await uow.commit()
            return broadcast.id
    finally:
        await app.close()


async def finished(db_url: str, broadcast_id: int) -> tuple[str, Counter[str]]:
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            record = await uow.broadcasts.get(broadcast_id)
            assert record is not None
            rows = (
                await uow.session.exec(
                    select(Delivery.status).where(Delivery.broadcast_id == broadcast_id)
                )
            ).all()
            return record.status, Counter(rows)
    finally:
        await app.close()


async def test_kill_9_mid_broadcast_resumes_and_nobody_is_skipped_or_doubled(
    bot_api: FakeBotApi, db_url: str, transport: str
) -> None:
    chats = range(FIRST_CHAT, FIRST_CHAT + FOLLOWERS)
    for chat in chats:
        bot_api.user(chat, "Follower")
    broadcast_id = await queue_broadcast(db_url)

    def received() -> int:
        return sum(1 for chat in chats if bot_api.sent_to(chat))

    async with chinwag_run(bot_api, db_url, transport, RUN) as process:
        await wait_until(lambda: received() >= FOLLOWERS // 3, 30)
        process.send_signal(signal.SIGKILL)
        await process.wait()
    at_kill = received()
    assert at_kill < FOLLOWERS, "the kill came too late to test anything"

    async with chinwag_run(bot_api, db_url, transport, RUN):
        await wait_until(lambda: received() == FOLLOWERS, 60)
        for _ in range(100):  # the run's last progress report closes the broadcast
            if (await finished(db_url, broadcast_id))[0] == "sent":
                break
            await asyncio.sleep(0.1)
    copies = Counter({chat: len(bot_api.sent_to(chat)) for chat in chats})
    assert min(copies.values()) == 1
    assert sum(n - 1 for n in copies.values()) <= 1  # at most the one in flight
    status, rows = await finished(db_url, broadcast_id)
    assert status == "sent"
    assert rows["sent"] == FOLLOWERS and rows["pending"] == 0 and rows["sending"] == 0
