"""Many SQLite writers at once, in one engine and across engines: none gets "database is locked"."""

from __future__ import annotations

import asyncio

from sqlalchemy import func
from sqlmodel import select

from storage.database import create_engine, session_factory
from storage.models import ProcessedUpdate
from storage.uow import UnitOfWork


async def test_two_engines_with_many_writers_each_lose_no_write(db_url: str) -> None:
    # Two engines stand for two worker processes: each has its own lock file descriptor.
    engines = [create_engine(db_url), create_engine(db_url)]
    sessions = [session_factory(engine) for engine in engines]

    async def write(index: int) -> None:
        async with UnitOfWork(sessions[index % 2]) as uow:
            await uow.updates.record(10_000 + index)
            await asyncio.sleep(0.01)  # hold the write lock across an await, as handlers do
            await uow.commit()

    try:
        await asyncio.gather(*(write(i) for i in range(120)))
        async with UnitOfWork(sessions[0]) as uow:
            count = (
                await uow.session.exec(select(func.count()).select_from(ProcessedUpdate))
            ).one()
        assert count == 120
    finally:
        for engine in engines:
            await engine.dispose()


async def test_a_rolled_back_writer_lets_the_next_one_in(db_url: str) -> None:
    engine = create_engine(db_url)
    sessions = session_factory(engine)
    try:
        async with UnitOfWork(sessions) as uow:
            await uow.updates.record(1)  # left without commit: rolled back on close
        async with asyncio.timeout(2), UnitOfWork(sessions) as uow:
            await uow.updates.record(1)
            await uow.commit()
    finally:
        await engine.dispose()
