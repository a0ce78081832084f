"""Engine creation for SQLite (one machine) and PostgreSQL (several)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.sqlite_inline import inline_creator
from storage.write_gate import install_write_gate

SQLITE_BUSY_TIMEOUT_MS = 5000


def normalise_url(url: str) -> str:
    """Accept the plain URLs people write and pick the async driver for them."""
    parsed = make_url(url)
    driver = parsed.drivername
    if driver in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif driver in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+psycopg"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    url = normalise_url(url)
    if is_sqlite(url):
        kwargs.pop("pool_size", None)  # one file: SQLAlchemy's own pool for SQLite
        kwargs.setdefault("async_creator", inline_creator(make_url(url)))
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        install_write_gate(engine, SQLITE_BUSY_TIMEOUT_MS / 1000)
        return engine
    # Telegram sends a webhook at most 40 updates at once (its default max_connections),
    # so a worker may hold 40 transactions. A smaller pool opened and closed a
    # connection (TLS probe, server capabilities, ...) for every update beyond it,
    # which cost more CPU than the update itself. Connections open only when needed:
    # a worker keeps at most what it has needed at once. There is no ping before each
    # checkout (a round trip per transaction): when a restarted server drops the
    # connections, the first statement to find out fails (its update is answered 503
    # and comes again) and SQLAlchemy renews the whole pool.
    kwargs.setdefault("pool_size", 40)
    kwargs.setdefault("max_overflow", 10)
    return create_async_engine(url, **kwargs)


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


# What the drivers say when the database cannot be written, whatever the statement.
_WRITE_FAILURES = (
    ("disk is full", "the disk is full"),  # SQLite: SQLITE_FULL
    ("no space left on device", "the disk is full"),  # PostgreSQL: 53100 disk_full
    ("readonly database", "the database is read-only"),  # SQLite: SQLITE_READONLY
    ("read-only", "the database is read-only"),  # PostgreSQL: 25006 read_only_sql_transaction
)


def write_failure(exc: BaseException) -> str | None:
    """Why the database refuses writes (full disk, read-only), if that is the error."""
    text = str(exc).lower()
    for marker, reason in _WRITE_FAILURES:
        if marker in text:
            return reason
    return None


# SQLSTATE classes that mean "not now": connection exceptions, the server shutting
# down or starting (operator intervention), out of resources; and transaction
# rollbacks (serialization failure, deadlock) that succeed when tried again.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "57", "53", "40")


def is_transient(exc: BaseException) -> bool:
    """Whether a database error will likely pass if the work is tried again later."""
    seen: BaseException | None = exc
    for _ in range(5):  # SQLAlchemy's error, the adapted DBAPI error, the driver's own
        if seen is None:
            break
        code = getattr(seen, "sqlstate", None) or getattr(seen, "pgcode", None)
        if isinstance(code, str) and code[:2] in _TRANSIENT_SQLSTATE_CLASSES:
            return True
        seen = getattr(seen, "orig", None) or seen.__cause__
    return False
