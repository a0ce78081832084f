"""The PostgreSQL test databases are put back exactly as their template was.

``tests/conftest.py`` reuses one PostgreSQL database per pytest process for the
``db_url`` tests, putting it back between them (``tests.support.pg_snapshot``):
rows, and where each sequence stands, must be the template's again, and a database
whose schema a test changed must not be handed out again.
"""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg

from storage.migrate import upgrade
from tests.support.demo_database import prepare_database
from tests.support.pg_snapshot import Snapshot


async def everything(url: str) -> dict[str, Any]:
    """Every row of every table, and where every sequence stands."""
    connection = await asyncpg.connect(url)
    try:
        tables = [
            r["tablename"]
            for r in await connection.fetch(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        rows = {
            t: sorted(map(repr, await connection.fetch(f'SELECT * FROM "{t}"'))) for t in tables
        }
        sequences = [
            r["sequencename"]
            for r in await connection.fetch(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        positions = {
            s: tuple(await connection.fetchrow(f'SELECT last_value, is_called FROM "{s}"'))
            for s in sequences
        }
        return {"rows": rows, "sequences": positions}
    finally:
        await connection.close()


async def test_a_used_database_is_put_back_as_the_template_was(postgres_url: str) -> None:
    await prepare_database(postgres_url)
    snapshot = await Snapshot.of(postgres_url)
    before = await everything(postgres_url)
    assert before["rows"]["communities"] and any(
        called for _, called in before["sequences"].values()
    )

    connection = await asyncpg.connect(postgres_url)
    try:
        await connection.execute("UPDATE communities SET name = 'Renamed' WHERE id = 1")
        await connection.execute("DELETE FROM team_members")
        await connection.execute("SELECT nextval('communities_id_seq')")
        assert await everything(postgres_url) != before
        # A connection left open by the test (as a killed process leaves one) is ended.
        lingering = await asyncpg.connect(postgres_url)
        await lingering.execute("BEGIN; LOCK TABLE communities IN ACCESS EXCLUSIVE MODE")
        assert await snapshot.restore(postgres_url)
        assert lingering.is_closed() or not await _alive(lingering)
        lingering.terminate()
    finally:
        await connection.close()
    assert await everything(postgres_url) == before


async def _alive(connection: Any) -> bool:
    try:
        await connection.fetchval("SELECT 1")
    except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
        return False
    return True


async def test_a_database_whose_schema_changed_is_not_put_back(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    snapshot = await Snapshot.of(postgres_url)
    connection = await asyncpg.connect(postgres_url)
    try:
        await connection.execute("ALTER TABLE communities ADD COLUMN extra text")
    finally:
        await connection.close()
    assert not await snapshot.restore(postgres_url)
