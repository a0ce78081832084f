"""SQLite calls made straight from the event loop, behind the aiosqlite interface.

aiosqlite runs each connection in its own thread and hands every call (cursor,
execute, fetch, close, commit) over a queue and back with a future. SQLite itself
answers in microseconds here, so the hand-overs were the cost: measured in a
webhook worker under load, they were over 40% of the CPU the event loop spent per
update, against under 5% for SQLite's own work in the threads.

This module gives SQLAlchemy's ``sqlite+aiosqlite`` dialect (through
``create_async_engine(async_creator=...)``) a connection with aiosqlite's
coroutine methods that call :mod:`sqlite3` directly and return. Everything else
(SQL, types, pooling, the dialect's quirks) stays SQLAlchemy's own.

A call blocks the loop while SQLite works, which is short in WAL mode: readers
never wait, and writers queue in :mod:`storage.write_gate` before they reach
SQLite, so the busy timeout is only met when something outside Chinwag holds the
write lock (e.g. the ``sqlite3`` shell in the middle of a transaction).
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.engine import URL


class InlineCursor:
    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        self._cursor.close()

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        if parameters is None:
            self._cursor.execute(sql)
        else:
            self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        return self._cursor.fetchmany(size if size is not None else self._cursor.arraysize)

    async def fetchall(self) -> list[Any]:
        return self._cursor.fetchall()

    async def close(self) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value


class _RunNow:
    """Stands in for aiosqlite's request queue (SQLAlchemy sets isolation levels through it)."""

    def __init__(self, connection: InlineConnection) -> None:
        self._connection = connection

    def put_nowait(self, item: tuple[asyncio.Future[Any], Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as exc:
            future.set_exception(exc)


class InlineConnection:
    """The parts of ``aiosqlite.Connection`` that SQLAlchemy's dialect uses."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._conn = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _RunNow(self)

    def cursor(self) -> InlineCursor:
        return InlineCursor(self._conn.cursor())

    async def execute(self, sql: str, parameters: Any = None) -> InlineCursor:
        return await self.cursor().execute(sql, parameters)

    async def commit(self) -> None:
        self._conn.commit()

    async def rollback(self) -> None:
        self._conn.rollback()

    async def close(self) -> None:
        self.stop()

    def stop(self) -> None:
        if self._connection is not None:
            self._connection = None
            self._conn.close()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        self._conn.create_function(*args, **kwargs)

    @property
    def isolation_level(self) -> str | None:
        return self._conn.isolation_level

    @isolation_level.setter
    def isolation_level(self, value: str | None) -> None:
        self._conn.isolation_level = value  # type: ignore[assignment]


def inline_creator(url: URL) -> Callable[[], Any]:
    """An ``async_creator`` for ``create_async_engine`` opening the database of ``url``."""
    database = url.database or ":memory:"
    uri = str(url.query.get("uri", "")).lower() in ("true", "1")

    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(database, uri=uri, check_same_thread=False))

    return connect
