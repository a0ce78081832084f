"""The migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.database import create_engine
from storage.migrate import downgrade, head_revision, upgrade


async def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()


@pytest.mark.sqlite_only("migrates a SQLite file")
async def test_sqlite_migrations_match_the_models_and_go_down_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    await asyncio.to_thread(upgrade, url)
    assert await schema_differences(url) == []
    await asyncio.to_thread(downgrade, url, "base")
    await asyncio.to_thread(upgrade, url)
    assert head_revision() is not None


async def test_postgres_migrations_match_the_models(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    assert await schema_differences(postgres_url) == []
