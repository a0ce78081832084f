"""``chinwag doctor``: can this machine run the bot? One line per check, with a verdict.

Usage:
    chinwag doctor

The checks run in order: settings, database, migrations, token (getMe against
``CHINWAG_TELEGRAM_API_URL``). Each prints ``ok``, ``FAIL`` or ``skip``, its name
and what it found; a check is skipped when one it needs failed, or when there is
nothing to check (no token set). Exit code 0 when no check failed, 1 otherwise.
Nothing is changed: an SQLite file that does not exist yet is not created.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import aiohttp
from alembic.script import ScriptDirectory
from alembic.script.revision import RevisionError
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bootstrap import emergency_matcher
from bot.errors import ConfigError
from bot.settings import Settings, load_settings
from bot.webhook import parse_listen, webhook_path
from storage.database import create_engine, normalise_url
from storage.migrate import alembic_config, current_revision, head_revision

TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Verdict:
    status: Literal["ok", "FAIL", "skip"]
    check: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.check:<10} {self.detail}"


def first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__


# -- settings -------------------------------------------------------------------


def settings_problems(settings: Settings) -> list[str]:
    """What ``load_settings`` lets through but ``chinwag run`` would refuse."""
    problems: list[str] = []
    checks: list[Callable[[], Any]] = [
        settings.check_transport,
        lambda: emergency_matcher(settings),
    ]
    if settings.telegram_token is not None and settings.telegram_token.get_secret_value():
        checks.append(settings.token)  # unset is not wrong here: the token check says skip
    if settings.webhook_url:
        checks += [
            lambda: webhook_path(settings.webhook_url or ""),
            lambda: parse_listen(settings.listen),
        ]
    if settings.metrics_listen:
        checks.append(lambda: parse_listen(settings.metrics_listen or "", "CHINWAG_METRICS_LISTEN"))
    for check in checks:
        try:
            check()
        except ConfigError as exc:
            problems.append(str(exc))
    return problems


def check_settings() -> tuple[Verdict, Settings | None]:
    try:
        settings = load_settings()
    except ConfigError as exc:
        return Verdict("FAIL", "settings", str(exc)), None
    problems = settings_problems(settings)
    if problems:
        return Verdict("FAIL", "settings", "; ".join(problems)), settings
    mode = f"webhook {settings.webhook_url}" if settings.webhook_url else "long polling"
    found = f"{settings.transport}, {settings.timezone}, {mode}"
    return Verdict("ok", "settings", found), settings


# -- database -------------------------------------------------------------------


def shown(url: URL) -> str:
    """The database as a person would write it, without a password."""
    if url.get_backend_name() == "sqlite":
        return f"sqlite {url.database or ':memory:'}"
    where = f"{url.host or 'localhost'}{f':{url.port}' if url.port else ''}/{url.database or ''}"
    return f"{url.get_backend_name()} {f'{url.username}@' if url.username else ''}{where}"


def sqlite_file_problem(path: Path) -> str | None:
    folder = path.expanduser().resolve().parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"the folder {folder} is not writable (SQLite writes its journal there)"
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        return f"{path} is not readable and writable by this user"
    return None


@dataclass
class Database:
    engine: AsyncEngine | None  # None: an SQLite file not created yet


def check_sqlite_file(url: URL, name: str) -> tuple[Verdict, Database | None] | None:
    """A verdict without connecting (the folder is wrong, or the file is not there yet),
    or ``None`` when it is time to connect."""
    file = url.database if url.get_backend_name() == "sqlite" else None
    if not file or file == ":memory:":
        return None
    problem = sqlite_file_problem(Path(file))
    if problem:
        return Verdict("FAIL", "database", f"{name}: {problem}"), None
    if not Path(file).expanduser().exists():
        detail = f"{name} not created yet (its folder is writable)"
        return Verdict("ok", "database", detail), Database(None)
    return None


async def check_database(settings: Settings) -> tuple[Verdict, Database | None]:
    try:
        url = make_url(normalise_url(settings.database_url))
    except Exception as exc:
        return Verdict("FAIL", "database", f"CHINWAG_DATABASE_URL: {first_line(exc)}"), None
    name = shown(url)
    found = check_sqlite_file(url, name)
    if found is not None:
        return found
    try:
        engine = create_engine(settings.database_url)
    except Exception as exc:  # e.g. a driver that is not installed
        return Verdict("FAIL", "database", f"CHINWAG_DATABASE_URL: {first_line(exc)}"), None
    try:
        async with asyncio.timeout(TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # the drivers' errors vary; all mean "cannot use it"
        await engine.dispose()
        return Verdict("FAIL", "database", f"{name}: cannot connect ({first_line(exc)})"), None
    return Verdict("ok", "database", f"{name} reachable"), Database(engine)


# -- migrations -----------------------------------------------------------------


def to_apply(current: str | None, head: str) -> int:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    return len(list(script.iterate_revisions(head, current)))


async def check_migrations(database: Database) -> Verdict:
    head = head_revision() or "none"
    try:
        current = await current_revision(database.engine) if database.engine else None
    except Exception as exc:
        return Verdict("FAIL", "migrations", f"cannot read the revision ({first_line(exc)})")
    if current == head:
        return Verdict("ok", "migrations", f"at head ({head})")
    try:
        count = to_apply(current, head)
    except RevisionError:
        return Verdict(
            "FAIL",
            "migrations",
            f"the database is at {current}, which this version does not know (a newer release?)",
        )
    plural = "migration" if count == 1 else "migrations"
    return Verdict(
        "FAIL",
        "migrations",
        f"{count} {plural} to apply ({current or 'empty'} -> {head}): run `chinwag db upgrade`",
    )


# -- token ----------------------------------------------------------------------


async def get_me(api_url: str, token: str) -> tuple[int, dict[str, Any]]:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.get(f"{api_url}/bot{token}/getMe") as response,
    ):
        try:
            body = await response.json(content_type=None)
        except ValueError:
            body = {}
        return response.status, body if isinstance(body, dict) else {}


async def check_token(settings: Settings) -> Verdict:
    if settings.telegram_token is None or not settings.telegram_token.get_secret_value():
        return Verdict("skip", "token", "CHINWAG_TELEGRAM_TOKEN not set")
    try:
        token = settings.token()
    except ConfigError:
        return Verdict("skip", "token", "CHINWAG_TELEGRAM_TOKEN is malformed (see settings)")
    api = settings.telegram_api_url
    try:
        status, body = await get_me(api, token)
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        reason = first_line(exc).replace(token, "<token>")
        return Verdict("FAIL", "token", f"cannot reach the Bot API at {api} ({reason})")
    if status == 401:
        return Verdict("FAIL", "token", "rejected by the Bot API (401)")
    result = body.get("result")
    if status != 200 or not body.get("ok") or not isinstance(result, dict):
        description = str(body.get("description") or "no description")
        return Verdict("FAIL", "token", f"the Bot API at {api} answered {status} ({description})")
    return Verdict("ok", "token", f"@{result.get('username')} (id {result.get('id')}) at {api}")


# -- all together ---------------------------------------------------------------


async def doctor(write: Callable[[str], None] = print) -> int:
    verdicts: list[Verdict] = []

    def report(verdict: Verdict) -> None:
        verdicts.append(verdict)
        write(verdict.line())

    verdict, settings = check_settings()
    report(verdict)
    if settings is None:
        for name in ("database", "migrations", "token"):
            report(Verdict("skip", name, "needs the settings"))
        return 1
    verdict, database = await check_database(settings)
    report(verdict)
    if database is None:
        report(Verdict("skip", "migrations", "needs the database"))
    else:
        try:
            report(await check_migrations(database))
        finally:
            if database.engine is not None:
                await database.engine.dispose()
    report(await check_token(settings))
    return 1 if any(v.status == "FAIL" for v in verdicts) else 0
