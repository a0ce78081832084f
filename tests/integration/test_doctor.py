"""``chinwag doctor``: one line per check, later checks skipped when one they need failed.

The token is checked over HTTP against the fake Bot API (a good token, a wrong one
answered 401, a port where nothing listens); the database on SQLite and PostgreSQL,
at head, behind head and unreachable.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from bot.cli import main
from bot.doctor import doctor
from storage.migrate import alembic_config, head_revision, upgrade
from tests.fakes.bot_api import DEFAULT_TOKEN, FakeBotApi

OTHER_TOKEN = "987654321:AAEanotherTOKENthatTHEfakeREFUSESxyz"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No CHINWAG_* from the outside, and no chinwag.toml in the working directory."""
    for name in list(os.environ):
        if name.startswith("CHINWAG_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    return monkeypatch


@pytest.fixture
async def bot_api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as api:
        yield api


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head_id = head_revision()
    assert head_id is not None
    head = script.get_revision(head_id)
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'doctor.db'}"
    return str(request.getfixturevalue("postgres_url"))


async def run_doctor() -> tuple[int, list[str]]:
    lines: list[str] = []
    code = await doctor(lines.append)
    return code, lines


def verdicts(lines: list[str]) -> dict[str, tuple[str, str]]:
    """``{"database": ("ok", "sqlite ... reachable"), ...}`` from the printed lines."""
    found = {}
    for line in lines:
        status, check, detail = line.split(maxsplit=2)
        found[check] = (status, detail)
    return found


def use(env: pytest.MonkeyPatch, url: str, api: str, token: str | None = DEFAULT_TOKEN) -> None:
    env.setenv("CHINWAG_DATABASE_URL", url)
    env.setenv("CHINWAG_TELEGRAM_API_URL", api)
    if token is not None:
        env.setenv("CHINWAG_TELEGRAM_TOKEN", token)


async def test_everything_in_order_passes(
    empty_db: str, env: pytest.MonkeyPatch, bot_api: FakeBotApi
) -> None:
    url = empty_db
    await asyncio.to_thread(upgrade, url)
    use(env, url, bot_api.url)
    code, lines = await run_doctor()
    assert code == 0, lines
    assert [line.split()[:2] for line in lines] == [
        ["ok", "settings"],
        ["ok", "database"],
        ["ok", "migrations"],
        ["ok", "token"],
    ]
    found = verdicts(lines)
    assert found["settings"][1] == "aiogram, Europe/London, long polling"
    assert found["database"][1].startswith(url.split(":")[0]) and found["database"][1].endswith(
        "reachable"
    )
    assert found["migrations"][1] == f"at head ({head_revision()})"
    assert found["token"][1] == f"@chinwag_test_bot (id 123456789) at {bot_api.url}"
    assert DEFAULT_TOKEN not in "\n".join(lines)


async def test_a_database_behind_head_says_how_many_and_what_to_run(
    empty_db: str, env: pytest.MonkeyPatch, bot_api: FakeBotApi
) -> None:
    url = empty_db
    await asyncio.to_thread(upgrade, url, previous_revision())
    use(env, url, bot_api.url)
    code, lines = await run_doctor()
    assert code == 1
    assert verdicts(lines)["migrations"] == (
        "FAIL",
        f"1 migration to apply ({previous_revision()} -> {head_revision()}): run `chinwag db upgrade`",
    )
    assert verdicts(lines)["token"][0] == "ok"  # the token does not need the schema


async def test_a_token_the_bot_api_refuses_is_rejected_401(
    env: pytest.MonkeyPatch, bot_api: FakeBotApi, db_url: str
) -> None:
    use(env, db_url, bot_api.url, OTHER_TOKEN)
    code, lines = await run_doctor()
    assert code == 1
    assert lines[-1] == "FAIL token      rejected by the Bot API (401)"
    assert bot_api.calls("getMe")  # it did ask


async def test_a_bot_api_where_nothing_listens_is_unreachable(
    env: pytest.MonkeyPatch, db_url: str
) -> None:
    api = f"http://127.0.0.1:{free_port()}"
    use(env, db_url, api)
    code, lines = await run_doctor()
    assert code == 1
    status, detail = verdicts(lines)["token"]
    assert status == "FAIL"
    assert detail.startswith(f"cannot reach the Bot API at {api} (")
    assert DEFAULT_TOKEN not in detail


async def test_an_unreachable_database_skips_the_migrations_but_checks_the_token(
    env: pytest.MonkeyPatch, bot_api: FakeBotApi
) -> None:
    port = free_port()
    use(env, f"postgresql://chinwag:s3cret@127.0.0.1:{port}/chinwag", bot_api.url)
    code, lines = await run_doctor()
    assert code == 1
    found = verdicts(lines)
    assert found["database"][0] == "FAIL"
    assert found["database"][1].startswith(
        f"postgresql chinwag@127.0.0.1:{port}/chinwag: cannot connect ("
    )
    assert found["migrations"] == ("skip", "needs the database")
    assert found["token"][0] == "ok"
    assert "s3cret" not in "\n".join(lines)


async def test_a_sqlite_folder_that_does_not_exist_fails(
    env: pytest.MonkeyPatch, bot_api: FakeBotApi, tmp_path: Path
) -> None:
    use(env, f"sqlite:///{tmp_path / 'nowhere' / 'chinwag.db'}", bot_api.url)
    code, lines = await run_doctor()
    assert code == 1
    assert verdicts(lines)["database"] == (
        "FAIL",
        f"sqlite {tmp_path / 'nowhere' / 'chinwag.db'}: the folder {tmp_path / 'nowhere'} does not exist",
    )
    assert verdicts(lines)["migrations"] == ("skip", "needs the database")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write to any folder")
async def test_a_sqlite_folder_that_is_not_writable_fails(
    env: pytest.MonkeyPatch, bot_api: FakeBotApi, tmp_path: Path
) -> None:
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        use(env, f"sqlite:///{folder / 'chinwag.db'}", bot_api.url)
        code, lines = await run_doctor()
    finally:
        folder.chmod(0o700)
    assert code == 1
    assert "is not writable" in verdicts(lines)["database"][1]


async def test_a_sqlite_file_not_created_yet_is_left_alone(
    env: pytest.MonkeyPatch, bot_api: FakeBotApi, tmp_path: Path
) -> None:
    path = tmp_path / "new.db"
    use(env, f"sqlite:///{path}", bot_api.url)
    code, lines = await run_doctor()
    assert code == 1
    found = verdicts(lines)
    assert found["database"] == ("ok", f"sqlite {path} not created yet (its folder is writable)")
    every = len(list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()))
    assert found["migrations"] == (
        "FAIL",
        f"{every} migrations to apply (empty -> {head_revision()}): run `chinwag db upgrade`",
    )
    assert not path.exists()


async def test_no_token_skips_the_token_check_and_passes(
    env: pytest.MonkeyPatch, db_url: str
) -> None:
    use(env, db_url, "http://127.0.0.1:9", token=None)
    code, lines = await run_doctor()
    assert code == 0
    assert lines[-1] == "skip token      CHINWAG_TELEGRAM_TOKEN not set"


async def test_bad_settings_fail_and_the_checks_that_need_them_are_skipped(
    env: pytest.MonkeyPatch, db_url: str
) -> None:
    use(env, db_url, "http://127.0.0.1:9")
    env.setenv("CHINWAG_TIMEZONE", "Mars/Olympus")
    code, lines = await run_doctor()
    assert code == 1
    assert lines == [
        "FAIL settings   CHINWAG_TIMEZONE: unknown time zone 'Mars/Olympus'",
        "skip database   needs the settings",
        "skip migrations needs the settings",
        "skip token      needs the settings",
    ]


async def test_a_malformed_token_fails_the_settings_and_skips_the_token(
    env: pytest.MonkeyPatch, db_url: str
) -> None:
    use(env, db_url, "http://127.0.0.1:9", token="not-a-token")
    env.setenv("CHINWAG_TRANSPORT", "carrier-pigeon")
    code, lines = await run_doctor()
    assert code == 1
    found = verdicts(lines)
    assert found["settings"][0] == "FAIL"
    assert "CHINWAG_TRANSPORT: unknown transport" in found["settings"][1]
    assert "CHINWAG_TELEGRAM_TOKEN: malformed" in found["settings"][1]
    assert found["database"][0] == "ok"  # the database does not need a token
    assert found["token"] == ("skip", "CHINWAG_TELEGRAM_TOKEN is malformed (see settings)")


def test_the_command_prints_the_lines_and_sets_the_exit_code(
    env: pytest.MonkeyPatch, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    use(env, db_url, "http://127.0.0.1:9", token=None)
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in out] == [
        ["ok", "settings"],
        ["ok", "database"],
        ["ok", "migrations"],
        ["skip", "token"],
    ]
    env.setenv("CHINWAG_TIMEZONE", "Nowhere/At_All")
    assert main(["doctor"]) == 1
