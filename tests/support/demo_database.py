"""A database with the demo communities, as ``chinwag demo load`` leaves it.

One place for "migrate this URL and load the demo data", used by the test fixtures'
templates, the webhook cluster harness and the benchmarks.
"""

from __future__ import annotations

import asyncio

from bot.bootstrap import build_app
from bot.settings import Settings
from storage.demo.loader import load_demo
from storage.migrate import upgrade


async def load_demo_data(url: str) -> None:
    """Load the demo communities into the already migrated database at ``url``."""
    app = await build_app(Settings(database_url=url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
    finally:
        await app.close()


async def prepare_database(url: str) -> None:
    """Migrate ``url`` and load the demo communities (as ``chinwag demo load`` does)."""
    await asyncio.to_thread(upgrade, url)
    await load_demo_data(url)
