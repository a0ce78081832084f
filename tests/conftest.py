"""Shared fixtures: a migrated database per test, and the core's dependencies.

The schema is built once per session with the real Alembic migrations into a
template SQLite file; each test gets a copy, which is much faster than migrating
again. PostgreSQL is used where ``CHINWAG_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) answers; otherwise those tests skip
and say why.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.context import Deps
from storage.demo.loader import load_demo
from storage.migrate import upgrade

POSTGRES_URL = os.environ.get(
    "CHINWAG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "chinwag.db"
    url = f"sqlite:///{path}"
    upgrade(url)

    async def fill() -> None:
        app = await build_app(Settings(database_url=url), apply_migrations=False)
        async with app.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        await app.close()

    asyncio.run(fill())
    return path


@pytest.fixture
def db_url(template_db: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database holding the demo communities."""
    path = tmp_path / "chinwag.db"
    shutil.copy(template_db, path)
    return f"sqlite:///{path}"


@pytest.fixture
def settings(db_url: str) -> Settings:
    # Tests walk through whole questionnaires in milliseconds: no flood limit here
    # (tests/integration/test_robustness.py sets its own).
    return Settings(database_url=db_url, telegram_token=None, flood_limit=100_000)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[App]:
    application = await build_app(settings, apply_migrations=False)
    yield application
    await application.close()


@pytest.fixture
def deps(app: App) -> Deps:
    return app.deps


def fixed_clock(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _postgres_available(url: str) -> str | None:
    """``None`` if PostgreSQL answers at ``url``, else the reason it does not."""

    async def probe() -> None:
        import asyncpg

        connection = await asyncpg.connect(
            url.replace("postgresql+asyncpg", "postgresql"), timeout=3
        )
        await connection.close()

    try:
        asyncio.run(probe())
    except Exception as exc:
        return f"PostgreSQL not reachable at {url}: {exc}"
    return None


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, or a visible skip saying why there is none."""
    reason = _postgres_available(POSTGRES_URL)
    if reason is not None:
        pytest.skip(reason)
    return POSTGRES_URL


async def _admin(server_url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server_url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    name = f"chinwag_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    asyncio.run(_admin(postgres_server, f'CREATE DATABASE "{name}"'))
    base = postgres_server.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        asyncio.run(_admin(postgres_server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
