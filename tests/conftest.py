"""Shared fixtures: a migrated database per test, and the core's dependencies.

``CHINWAG_TEST_DATABASE`` picks the backend of every test that reaches the
database through these fixtures: ``sqlite`` (the default) or ``postgresql``.
Either way the schema is built once per session with the real Alembic migrations,
from empty, into a template (one with the demo data, one without any rows), and
each test gets its own copy, which is much faster than migrating again: a copied
SQLite file, or a PostgreSQL database created ``TEMPLATE`` the session's template
and, after the test, put back as the template was for the next one (see
``tests.support.pg_snapshot``), or dropped if the test changed its schema. Names carry the process
id, so two pytest processes can share one server.

PostgreSQL is the server at ``CHINWAG_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``). On the SQLite run the tests that
need it skip, saying why, when it does not answer; on the PostgreSQL run an
unreachable server is an error, never a skip. Tests about SQLite itself (its file,
folder, WAL, ``sqlite:`` URLs) carry ``@pytest.mark.sqlite_only("why")`` and skip on
the PostgreSQL run, saying so.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.context import Deps
from storage.migrate import upgrade
from tests.support.demo_database import load_demo_data
from tests.support.pg_snapshot import Snapshot

POSTGRES_URL = os.environ.get(
    "CHINWAG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
BACKENDS = ("sqlite", "postgresql")
BACKEND = os.environ.get("CHINWAG_TEST_DATABASE", "sqlite").strip().lower() or "sqlite"
if BACKEND not in BACKENDS:
    raise pytest.UsageError(
        f"CHINWAG_TEST_DATABASE={BACKEND!r}: expected one of {', '.join(BACKENDS)}"
    )
ON_POSTGRES = BACKEND == "postgresql"


# --- which backend this run uses -----------------------------------------------------


def _backend_line() -> str:
    if ON_POSTGRES:
        return f"database backend: postgresql at {POSTGRES_URL} (CHINWAG_TEST_DATABASE)"
    return "database backend: sqlite (CHINWAG_TEST_DATABASE=postgresql for PostgreSQL)"


def pytest_report_header(config: pytest.Config) -> str:
    return _backend_line()


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    # ``-q`` hides the header; say which backend this run uses all the same.
    return _backend_line() if config.get_verbosity() < 0 else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not ON_POSTGRES:
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            why = marker.args[0] if marker.args else marker.kwargs.get("reason", "")
            reason = "SQLite only, and this run is on PostgreSQL"
            item.add_marker(pytest.mark.skip(reason=f"{reason}: {why}" if why else reason))


# --- PostgreSQL ------------------------------------------------------------------------


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


async def _admin(server_url: str, sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(server_url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


def _database_url(name: str) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"


def _drop(name: str) -> None:
    asyncio.run(_admin(POSTGRES_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@contextmanager
def _postgres_database(template: str | None = None) -> Iterator[str]:
    """A new PostgreSQL database (empty, or a copy of ``template``), dropped afterwards."""
    name = f"chinwag_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    copy = f' TEMPLATE "{template}"' if template else ""
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield _database_url(name)
    finally:
        _drop(name)


class _Copies:
    """Copies of one template database, one per test, put back as they were after it."""

    def __init__(self, template: str) -> None:
        self.template = template
        self.snapshot = asyncio.run(Snapshot.of(_database_url(template)))
        self.free: list[str] = []

    @contextmanager
    def one(self) -> Iterator[str]:
        name = self.free.pop() if self.free else self._create()
        try:
            yield _database_url(name)
        finally:
            self._put_back(name)

    def _create(self) -> str:
        name = f"chinwag_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        return name

    def _put_back(self, name: str) -> None:
        try:
            restored = asyncio.run(self.snapshot.restore(_database_url(name)))
        except Exception:
            restored = False
        if restored:
            self.free.append(name)
        else:
            _drop(name)

    def close(self) -> None:
        while self.free:
            _drop(self.free.pop())


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server URL, or a visible skip saying why there is none.

    On the PostgreSQL run (``CHINWAG_TEST_DATABASE=postgresql``) a missing server
    fails the test instead: that run must not pass by skipping.
    """
    reason = _postgres_available(POSTGRES_URL)
    if reason is not None:
        if ON_POSTGRES:
            pytest.fail(f"CHINWAG_TEST_DATABASE=postgresql but {reason}", pytrace=False)
        pytest.skip(reason)
    return POSTGRES_URL


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    with _postgres_database() as url:
        yield url


# --- the database of each test, on this run's backend --------------------------------------


def _template(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, *, demo: bool
) -> Iterator[Path | _Copies]:
    """Migrate a template from empty, with the demo data if ``demo``.

    Yields a SQLite file's path, or on the PostgreSQL run the copies of the template
    database.
    """
    kind = "demo" if demo else "schema"
    if not ON_POSTGRES:
        path = tmp_path_factory.mktemp(f"template-{kind}") / "chinwag.db"
        upgrade(f"sqlite:///{path}")
        if demo:
            asyncio.run(load_demo_data(f"sqlite:///{path}"))
        yield path
        return
    request.getfixturevalue("postgres_server")
    name = f"chinwag_template_{os.getpid()}_{kind}"
    _drop(name)  # a process id comes round again after a killed run: start clean
    asyncio.run(_admin(POSTGRES_URL, f'CREATE DATABASE "{name}"'))
    try:
        upgrade(_database_url(name))
        if demo:
            asyncio.run(load_demo_data(_database_url(name)))
        copies = _Copies(name)
        try:
            yield copies
        finally:
            copies.close()
    finally:
        _drop(name)


@contextmanager
def _copy_of(template: Path | _Copies, path: Path) -> Iterator[str]:
    """A copy of ``template``: a file at ``path`` for SQLite, else a PostgreSQL database."""
    if isinstance(template, Path):
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
    else:
        with template.one() as url:
            yield url


@pytest.fixture(scope="session")
def template_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path | _Copies]:
    yield from _template(request, tmp_path_factory, demo=True)


@pytest.fixture(scope="session")
def schema_template_db(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path | _Copies]:
    yield from _template(request, tmp_path_factory, demo=False)


@pytest.fixture
def db_url(template_db: Path | _Copies, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database holding the demo communities."""
    with _copy_of(template_db, tmp_path / "chinwag.db") as url:
        yield url


@pytest.fixture
def schema_db_url(schema_template_db: Path | _Copies, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database with no rows at all."""
    with _copy_of(schema_template_db, tmp_path / "schema.db") as url:
        yield url


@pytest.fixture
def blank_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even the schema (for ``chinwag`` to migrate)."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        return
    request.getfixturevalue("postgres_server")
    with _postgres_database() as url:
        yield url


# --- the application over that database ------------------------------------------------


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
