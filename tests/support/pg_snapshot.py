"""Put a used PostgreSQL test database back as its template was, fast.

``tests/conftest.py`` hands each test a copy of a template database. Dropping a used
copy and creating the next one ``TEMPLATE`` the template costs a second or more on a
busy machine (the whole copy is written and fsynced); deleting the rows a test left
and copying the template's rows and sequence positions back costs about a tenth of
that. A test that changed the schema (a downgrade, say) is noticed by the schema's
fingerprint, and its database is not put back.
"""

from __future__ import annotations

import io

import asyncpg

# Every relation, column and constraint of the public schema, with its oid: a test that
# changed the schema (a downgrade, say) leaves a different answer, and its database is
# dropped rather than put back.
_SCHEMA_FINGERPRINT = """
SELECT coalesce((SELECT string_agg(c.oid || c.relkind || c.relname, ',' ORDER BY c.oid)
                 FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace), '')
    || '|' || coalesce((SELECT string_agg(a.attrelid || '.' || a.attnum || ':' || a.atttypid
                                          || a.attnotnull::text, ',' ORDER BY a.attrelid, a.attnum)
                        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                        WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0), '')
    || '|' || coalesce((SELECT string_agg(oid::text, ',' ORDER BY oid)
                        FROM pg_constraint WHERE connamespace = 'public'::regnamespace), '')
"""


class Snapshot:
    """A template database's rows and sequence positions, and its schema's fingerprint."""

    def __init__(
        self,
        fingerprint: str,
        tables: list[str],
        rows: dict[str, bytes],
        sequences: list[tuple[str, int, bool]],
    ) -> None:
        self.fingerprint = fingerprint
        self.tables = tables
        self.rows = rows
        self.sequences = sequences

    @classmethod
    async def of(cls, url: str) -> Snapshot:
        connection = await asyncpg.connect(url, timeout=5)
        try:
            fingerprint = await connection.fetchval(_SCHEMA_FINGERPRINT)
            tables = [
                row["tablename"]
                for row in await connection.fetch(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            ]
            rows: dict[str, bytes] = {}
            for table in tables:
                if await connection.fetchval(f'SELECT EXISTS (SELECT FROM "{table}")'):
                    out = io.BytesIO()
                    await connection.copy_from_table(table, output=out, format="binary")
                    rows[table] = out.getvalue()
            sequences = []
            for row in await connection.fetch(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
            ):
                name = row["sequencename"]
                state = await connection.fetchrow(f'SELECT last_value, is_called FROM "{name}"')
                assert state is not None
                sequences.append((name, int(state["last_value"]), bool(state["is_called"])))
        finally:
            await connection.close()
        return cls(fingerprint, tables, rows, sequences)

    async def restore(self, url: str) -> bool:
        """Put the database at ``url`` back as the template was; ``False`` if it cannot be."""
        connection = await asyncpg.connect(url, timeout=5)
        try:
            # Whatever the test left connected (a killed ``chinwag run``, say) goes first.
            await connection.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            if await connection.fetchval(_SCHEMA_FINGERPRINT) != self.fingerprint:
                return False
            async with connection.transaction():
                # Foreign keys are not checked while the rows go back in, in any order.
                await connection.execute(
                    "SET LOCAL session_replication_role = replica; SET LOCAL lock_timeout = '20s'"
                )
                await connection.execute(
                    "; ".join(f'DELETE FROM "{table}"' for table in self.tables)
                )
                for table, data in self.rows.items():
                    await connection.copy_to_table(table, source=io.BytesIO(data), format="binary")
                if self.sequences:
                    await connection.execute(
                        "SELECT "
                        + ", ".join(
                            f"setval('\"{name}\"', {value}, {str(called).lower()})"
                            for name, value, called in self.sequences
                        )
                    )
        finally:
            await connection.close()
        return True
