"""One SQLite writer at a time, handed over at once, within a process and between processes.

SQLite allows one writing transaction per database. A connection that finds the
write lock taken waits in SQLite's busy handler, which polls with growing sleeps
(up to 100 ms each): under load a waiter keeps missing the lock while others
take it, the hand-over wastes most of each sleep, and past the busy timeout the
update fails with "database is locked". Measured with 40 updates in flight in
one worker, updates waited 5 s and failed.

So a transaction takes this gate just before its first write statement and
gives it back when its connection returns to the pool (after COMMIT or ROLLBACK
has run): an ``asyncio.Lock`` queues the writers of this process in order, and
an ``flock`` on ``<database>.write-lock`` queues the processes (the kernel wakes
the next one the moment the lock is released). Reads take nothing: in WAL mode
they never wait. Waiting longer than the busy timeout raises the same
``database is locked`` error SQLite would, so callers retry as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_

WRITE_STATEMENT = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|ALTER)\b", re.I)
HOLDS = "chinwag_write_gate"  # key in the DBAPI connection's info: it holds the gate


class WriteGate:
    def __init__(self, lock_path: Path | None, timeout: float) -> None:
        self.lock_path = lock_path
        self.timeout = timeout
        self._lock = asyncio.Lock()
        self._fd: int | None = None

    def _file(self) -> int:
        if self._fd is None:
            assert self.lock_path is not None
            self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        return self._fd

    async def acquire(self) -> None:
        try:
            async with asyncio.timeout(self.timeout):
                await self._lock.acquire()
        except TimeoutError:
            raise sqlite3.OperationalError("database is locked") from None
        try:
            if self.lock_path is not None:
                await self._lock_file()
        except BaseException:
            self._lock.release()
            raise

    async def _lock_file(self) -> None:
        fd = self._file()
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
        try:
            await asyncio.wait_for(asyncio.shield(waiting), self.timeout)
        except BaseException as exc:
            # The thread may still get the lock later: give it straight back then.
            waiting.add_done_callback(self._unlock_if_locked)
            if isinstance(exc, TimeoutError):
                raise sqlite3.OperationalError("database is locked") from None
            raise

    def _unlock_if_locked(self, waited: asyncio.Future[None]) -> None:
        if not waited.cancelled() and waited.exception() is None:
            self._unlock_file()

    def _unlock_file(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def release(self) -> None:
        if self.lock_path is not None:
            self._unlock_file()
        self._lock.release()

    def close(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def install_write_gate(engine: AsyncEngine, timeout: float) -> WriteGate:
    """Make every write transaction on this SQLite ``engine`` pass through one gate."""
    database = engine.url.database
    lock_path = None
    if database and database != ":memory:" and not database.startswith("file:"):
        lock_path = (
            Path(database).expanduser().resolve().with_name(Path(database).name + ".write-lock")
        )
    gate = WriteGate(lock_path, timeout)

    def before_execute(
        conn: Any, _cursor: Any, statement: str, _params: Any, _context: Any, _many: bool
    ) -> None:
        info = conn.connection.info
        if not info.get(HOLDS) and WRITE_STATEMENT.match(statement):
            await_(gate.acquire())
            info[HOLDS] = True

    def give_back(_dbapi_connection: Any, record: Any, *_exception: Any) -> None:
        if record is not None and record.info.pop(HOLDS, False):
            gate.release()

    def disposed(_engine: Any) -> None:
        gate.close()

    sync_engine = engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", before_execute)
    event.listen(sync_engine, "engine_disposed", disposed)
    # Back in the pool (after COMMIT or ROLLBACK), or dropped after an error.
    event.listen(sync_engine.pool, "checkin", give_back)
    event.listen(sync_engine.pool, "invalidate", give_back)
    return gate
