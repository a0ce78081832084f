"""Two delivery engines on one database send at the configured rate between them."""

from __future__ import annotations

import asyncio
from collections import Counter

from bot.bootstrap import build_app
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.settings import Settings
from handlers.deliveries import message_payload
from tests.integration.test_dispatcher import CHAT, START, Clock, FakePort


async def test_two_dispatchers_share_one_rate(db_url: str) -> None:
    rate, count = 20.0, 20
    first = await build_app(Settings(database_url=db_url), apply_migrations=False)
    second = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with first.deps.uow() as uow:
            for i in range(count):
                await uow.deliveries.schedule(
                    key=f"shared:{i}",
                    kind="message",
                    chat_id=CHAT + i,
                    due_at=START,
                    payload=message_payload(f"shared:{i}"),
                )
            await uow.commit()
        port = FakePort()  # one Bot API for both: it sees every send
        clock = Clock()
        config = DispatchConfig(rate=rate, per_chat_interval=1.0, batch_size=4)
        one = Dispatcher(first, port, "worker-1", clock, config)
        two = Dispatcher(second, port, "worker-2", clock, config)

        first_run = asyncio.create_task(one.run_due())
        await asyncio.wait_for(port.entered.wait(), 5)  # one has claimed its first batch
        done = [*await asyncio.gather(first_run, two.run_due())]

        assert sum(done) == count and all(done)  # both took part
        assert Counter(port.texts()) == Counter(f"shared:{i}" for i in range(count))
        span = max(port.call_times) - min(port.call_times)
        # 20 messages at 20 a second between both: about a second, not half of one.
        assert (count - 1) / rate * 0.95 <= span < (count - 1) / rate + 1.0
    finally:
        await first.close()
        await second.close()
