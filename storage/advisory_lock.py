"""A PostgreSQL advisory lock held on a connection of its own, with LISTEN/NOTIFY.

A session-level advisory lock belongs to one database connection: PostgreSQL lets
it go the moment that connection ends, which is also what happens when the process
holding it is killed. So the lock lives on a dedicated asyncpg connection outside
SQLAlchemy's pool (a pool would recycle or share the connection). The same
connection listens on a channel, so that workers that are not the holder can ask it
to look for work now (``NOTIFY``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from storage.database import normalise_url

log = logging.getLogger(__name__)
CONNECT_TIMEOUT_SECONDS = 5.0


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks take a bigint)."""
    digest = hashlib.sha256(f"chinwag:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def asyncpg_dsn(url: str) -> str:
    return (
        make_url(normalise_url(url))
        .set(drivername="postgresql")
        .render_as_string(hide_password=False)
    )


class AdvisoryLock:
    """``try_hold()`` takes the lock or checks it is still ours; ``notify()`` wakes the holder."""

    def __init__(self, url: str, name: str, on_notify: Callable[[], None]) -> None:
        self._dsn = asyncpg_dsn(url)
        self.key = lock_key(name)
        self.channel = f"chinwag_{name.replace('-', '_')}"
        self._on_notify = on_notify
        self._connection: Any = None
        self.held = False

    async def _connect(self) -> Any:
        if self._connection is None or self._connection.is_closed():
            self.held = False
            self._connection = await asyncpg.connect(self._dsn, timeout=CONNECT_TIMEOUT_SECONDS)
            await self._connection.add_listener(self.channel, self._heard)
        return self._connection

    def _heard(self, _connection: Any, _pid: int, _channel: str, _payload: str) -> None:
        if self.held:
            self._on_notify()

    async def try_hold(self) -> bool:
        """``True`` if this connection holds the lock (taken now or earlier).

        A lost connection (PostgreSQL restarted, the network gone) means the lock is
        lost too: it is dropped here and taken again, if free, on a new connection.
        """
        try:
            connection = await self._connect()
            if self.held:
                await connection.fetchval("SELECT 1")
            else:
                self.held = bool(
                    await connection.fetchval("SELECT pg_try_advisory_lock($1)", self.key)
                )
        except Exception as exc:  # asyncpg's errors for a cut connection are many kinds
            log.warning("leader lock connection lost", extra={"error": type(exc).__name__})
            await self._drop()
        return self.held

    async def notify(self) -> None:
        connection = await self._connect()
        await connection.execute("SELECT pg_notify($1, '')", self.channel)

    async def _drop(self) -> None:
        self.held = False
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.terminate()

    async def close(self) -> None:
        """Release the lock by ending its connection."""
        self.held = False
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
