"""The multi-worker harness itself: two real webhook workers behind the balancer."""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlmodel import select

from bot.bootstrap import build_app
from bot.settings import Settings
from storage.models import ProcessedUpdate
from tests.e2e.test_conversation import walk_to_exists
from tests.fakes.cluster import Cluster


async def processed_counts(db_url: str) -> tuple[int, int]:
    """Rows in processed_updates, and distinct update ids among them."""
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            rows = (await uow.session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
            distinct = (
                await uow.session.exec(select(func.count(func.distinct(ProcessedUpdate.update_id))))
            ).one()
        return int(rows), int(distinct)
    finally:
        await app.close()


async def test_two_workers_share_the_load_and_each_update_is_accepted_once(db_url: str) -> None:
    async with Cluster(db_url, workers=2, connections=8) as cluster:
        users = [cluster.api.user(5_900_000_001 + i, f"Res{i}") for i in range(4)]
        await asyncio.gather(*(walk_to_exists(user) for user in users))
        await cluster.drain(timeout=30)
        stats = cluster.stats()
        assert stats.accepted == 4 * 5 and stats.duplicates == 0 and stats.retried == 0
        assert all(n > 0 for n in cluster.balancer.forwarded.values())
        assert len(cluster.balancer.forwarded) == 2
        assert len(stats.latencies) == stats.accepted and stats.p(50) > 0
        assert all(seconds > 0 for seconds in cluster.cpu_seconds().values())

        # kill -9 one worker: the balancer sends everything to the other one.
        cluster.kill(0)
        await cluster.wait_exit(0)
        mark = cluster.mark()
        for user in users:
            await user.send(f"A hall for {user.wire['first_name']}")
        await asyncio.gather(*(user.wait_for(contains="What is missing") for user in users))
        await cluster.drain(timeout=30)
        assert cluster.stats(since=mark).accepted == 4
        assert cluster.balancer.failovers >= 1

        # Started again, it takes its share once more.
        await cluster.start_worker(0)
        before = cluster.balancer.forwarded[cluster.workers[0].url]
        for user in users:
            await user.send("Something for teenagers")
        await asyncio.gather(
            *(user.wait_for(contains="issues in your community now") for user in users)
        )
        await cluster.drain(timeout=30)
        assert cluster.balancer.forwarded[cluster.workers[0].url] > before
        final = cluster.stats()
        assert final.duplicates == 0
        assert "Traceback" not in cluster.log(1)
        # Each `chinwag run` froze its start-up heap before serving (bot.heap).
        assert all("heap settled" in cluster.log(w.index) for w in cluster.workers)
    rows, distinct = await processed_counts(db_url)
    assert rows == distinct == final.accepted == 4 * 7
