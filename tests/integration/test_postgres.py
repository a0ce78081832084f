"""The same core on PostgreSQL: migrations both ways, 64-bit ids, concurrent updates."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.dispatch import UpdateInFlight, handle
from handlers.inbound import TextMessage
from storage.demo.loader import load_demo
from storage.migrate import downgrade, upgrade
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.support.resident import Resident


async def test_migrations_upgrade_and_downgrade_on_postgres(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    await asyncio.to_thread(downgrade, postgres_url, "base")
    await asyncio.to_thread(upgrade, postgres_url)


async def test_a_resident_conversation_on_postgres_with_64_bit_ids(postgres_url: str) -> None:
    app = await build_app(Settings(database_url=postgres_url))
    try:
        async with app.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        r = Resident(app.deps, 5_000_000_123)  # beyond 32 bits: PostgreSQL would refuse an INTEGER
        await walk_to_exists(r)
        await r.send("A community garden")
        answers = await answers_of(app.deps, 5_000_000_123)
        assert answers["exists"].text == "A community garden"
    finally:
        await app.close()


@pytest.fixture
async def two_workers(postgres_url: str) -> AsyncIterator[tuple[App, App]]:
    """Two apps (as two processes would be) on one migrated PostgreSQL with the demo data."""
    first = await build_app(Settings(database_url=postgres_url, flood_limit=100_000))
    second = await build_app(
        Settings(database_url=postgres_url, flood_limit=100_000), apply_migrations=False
    )
    async with first.deps.uow() as uow:
        await load_demo(uow)
        await uow.commit()
    yield first, second
    await first.close()
    await second.close()


async def test_two_workers_with_the_same_update_handle_it_once(
    two_workers: tuple[App, App],
) -> None:
    first, second = two_workers
    r = Resident(first.deps, 5_000_000_124)
    await walk_to_exists(r)
    event = TextMessage(sender=r.sender, update_id=777_000_001, text="only once")
    results = await asyncio.gather(
        handle(first.deps, event), handle(second.deps, event), return_exceptions=True
    )
    # One handles it; the other waited on the update's row, then is told to let
    # Telegram try again later (by then the first has sent its replies).
    assert sum(1 for r in results if isinstance(r, list) and r) == 1
    assert sum(1 for r in results if isinstance(r, UpdateInFlight)) == 1
    answers = await answers_of(first.deps, 5_000_000_124)
    assert answers["exists"].text == "only once" and "needs" not in answers


async def test_two_updates_of_one_user_on_two_workers_stay_consistent(
    two_workers: tuple[App, App],
) -> None:
    first, second = two_workers
    r = Resident(first.deps, 5_000_000_125)
    await walk_to_exists(r)
    a = TextMessage(sender=r.sender, update_id=777_000_010, text="answer A")
    b = TextMessage(sender=r.sender, update_id=777_000_011, text="answer B")
    await asyncio.gather(handle(first.deps, a), handle(second.deps, b))
    answers = await answers_of(first.deps, 5_000_000_125)
    # One answered "exists", the other the next question: never both the same step.
    assert {answers["exists"].text, answers["needs"].text} == {"answer A", "answer B"}


async def test_an_update_waits_while_another_update_of_the_same_person_is_open(
    two_workers: tuple[App, App],
) -> None:
    """Not only a shown prompt: every update of one person holds their row, so a
    second one (here: a menu command, with no prompt shown) starts only once the
    first has committed, and reads what it left."""
    first, second = two_workers
    r = Resident(first.deps, 5_000_000_126)
    await r.send("/start")
    async with first.deps.uow() as holding:
        held = await holding.users.hold(5_000_000_126)
        assert held is not None and not held.awaiting
        waiting = asyncio.create_task(
            handle(second.deps, TextMessage(sender=r.sender, update_id=777_000_020, text="/help"))
        )
        await asyncio.sleep(0.5)
        assert not waiting.done()  # on the person's row, behind the open transaction
        held.language = "cy"
        await holding.commit()
    replies = await asyncio.wait_for(waiting, 10)
    assert replies  # answered, once the first let go
    async with second.deps.uow() as uow:
        user = await uow.users.by_telegram_id(5_000_000_126)
        assert user is not None and user.language == "cy"  # the first's write stands
