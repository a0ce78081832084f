"""/healthz, /readyz and /metrics over HTTP, on their own server (CHINWAG_METRICS_LISTEN).

The same routes serve the webhook server (tests/e2e/test_ops_e2e.py); here the
database is what changes: rows in ``deliveries``, a schema behind head, a database
that does not answer, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import dataclasses
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from alembic.script import ScriptDirectory

from bot.bootstrap import App, build_app
from bot.errors import ConfigError
from bot.healthcheck import health_url
from bot.healthcheck import main as healthcheck_main
from bot.ops_server import OpsServer
from bot.settings import Settings
from storage.database import create_engine
from storage.migrate import alembic_config, head_revision, upgrade
from storage.models import Delivery
from tests.support.cli import chinwag_environment
from tests.support.metrics_text import samples

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
UNREACHABLE_DB = "postgresql://nobody@127.0.0.1:1/none"


async def get(server: OpsServer, path: str) -> tuple[int, str, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, response.headers["Content-Type"], await response.text()


async def get_json(server: OpsServer, path: str) -> tuple[int, dict[str, Any]]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{server.port}{path}") as response,
    ):
        return response.status, await response.json()


async def serving(app: App) -> OpsServer:
    server = OpsServer(app, "aiogram", "127.0.0.1:0")
    await server.start()
    return server


@pytest.fixture
async def ops(app: App) -> AsyncIterator[OpsServer]:
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOW)
    server = await serving(app)
    yield server
    await server.stop()


def previous_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    head_id = head_revision()
    assert head_id is not None
    head = script.get_revision(head_id)
    assert head is not None and isinstance(head.down_revision, str)
    return head.down_revision


async def app_over(url: str) -> App:
    return await build_app(Settings(database_url=url), apply_migrations=False)


def delivery(key: str, kind: str, status: str, due: timedelta) -> Delivery:
    return Delivery(key=key, kind=kind, chat_id=42, due_at=NOW + due, status=status)


async def test_healthz_answers_with_the_transport(ops: OpsServer) -> None:
    assert await get_json(ops, "/healthz") == (200, {"status": "ok", "transport": "aiogram"})


async def test_readyz_is_ready_at_head(ops: OpsServer) -> None:
    status, body = await get_json(ops, "/readyz")
    assert status == 200
    assert body == {"status": "ready", "transport": "aiogram", "revision": head_revision()}


async def test_the_deliveries_gauges_count_the_rows(app: App, ops: OpsServer) -> None:
    rows = [
        delivery("r-late", "reminder", "pending", timedelta(minutes=-5)),
        delivery("r-now", "reminder", "pending", timedelta(0)),
        delivery("r-later", "reminder", "pending", timedelta(hours=1)),
        delivery("n-late", "notice", "pending", timedelta(minutes=-5)),  # due, not a reminder
        delivery("r-sending", "reminder", "sending", timedelta(minutes=-1)),
        delivery("b-sent-1", "broadcast", "sent", timedelta(hours=-1)),
        delivery("b-sent-2", "broadcast", "sent", timedelta(hours=-1)),
        delivery("b-failed", "broadcast", "failed", timedelta(hours=-1)),
        delivery("r-missed", "reminder", "missed", timedelta(days=-1)),
    ]
    async with app.deps.uow() as uow:
        uow.session.add_all(rows)
        await uow.commit()
    status, content_type, text = await get(ops, "/metrics")
    assert status == 200
    assert content_type.startswith("text/plain; version=0.0.4")
    found = samples(text)
    by_status = {
        labels[0][1]: value
        for (name, labels), value in found.items()
        if name == "chinwag_deliveries"
    }
    assert by_status == {
        "pending": 4,
        "sending": 1,
        "sent": 2,
        "failed": 1,
        "missed": 1,
        "cancelled": 0,
    }
    assert found[("chinwag_deliveries_queued", ())] == 5
    assert found[("chinwag_reminders_due", ())] == 2
    assert found[("chinwag_database_up", ())] == 1


async def test_the_leader_gauge_reads_the_probe_at_each_scrape(app: App, ops: OpsServer) -> None:
    assert samples((await get(ops, "/metrics"))[2])[("chinwag_scheduler_leader", ())] == 0
    app.metrics.leader_probe = lambda: True
    assert samples((await get(ops, "/metrics"))[2])[("chinwag_scheduler_leader", ())] == 1

    def broken() -> bool:
        raise RuntimeError("lease table gone")

    app.metrics.leader_probe = broken
    status, _, text = await get(ops, "/metrics")
    assert status == 200
    assert samples(text)[("chinwag_scheduler_leader", ())] == 0


async def test_a_database_behind_head_is_not_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'behind.db'}"
    await asyncio.to_thread(upgrade, url, previous_revision())
    app = await app_over(url)
    server = await serving(app)
    try:
        status, body = await get_json(server, "/readyz")
        assert status == 503
        assert body["failed"] == "migrations"
        assert body["reason"] == f"schema at {previous_revision()}, head is {head_revision()}"
        assert (await get_json(server, "/healthz"))[0] == 200  # alive all the same
    finally:
        await server.stop()
        await app.close()


async def test_an_unreachable_database_is_not_ready_and_metrics_still_answer(app: App) -> None:
    away = dataclasses.replace(app, engine=create_engine(UNREACHABLE_DB))
    away.metrics.observe(object(), "ok", 0.004)  # figures kept in the process survive
    server = await serving(away)
    try:
        status, body = await get_json(server, "/readyz")
        assert status == 503
        assert body["failed"] == "database"
        assert body["status"] == "not ready"
        status, _, text = await get(server, "/metrics")
        assert status == 200
        found = samples(text)
        assert found[("chinwag_database_up", ())] == 0
        assert not any(name.startswith("chinwag_deliveries") for name, _ in found)
        assert (
            found[("chinwag_updates_handled_total", (("event", "object"), ("outcome", "ok")))] == 1
        )
        assert (
            found[
                ("chinwag_handler_latency_seconds_bucket", (("event", "object"), ("le", "0.005")))
            ]
            == 1
        )
    finally:
        await server.stop()
        await away.engine.dispose()


async def test_a_sqlite_database_whose_folder_went_away_is_not_ready(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'chinwag.db'}"
    await asyncio.to_thread(upgrade, url)
    app = await app_over(url)
    server = await serving(app)
    try:
        assert (await get_json(server, "/readyz"))[0] == 200
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()
        await app.engine.dispose()  # pooled connections still hold the old file open
        status, body = await get_json(server, "/readyz")
        assert (status, body["failed"]) == (503, "database")
        assert samples((await get(server, "/metrics"))[2])[("chinwag_database_up", ())] == 0
    finally:
        await server.stop()
        await app.close()


async def test_on_postgresql_ready_at_head_and_behind(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, postgres_url, previous_revision())
    app = await app_over(postgres_url)
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOW)
    server = await serving(app)
    try:
        status, body = await get_json(server, "/readyz")
        assert (status, body["failed"]) == (503, "migrations")
        await asyncio.to_thread(upgrade, postgres_url)
        assert (await get_json(server, "/readyz"))[0] == 200
        async with app.deps.uow() as uow:
            uow.session.add(delivery("r-late", "reminder", "pending", timedelta(minutes=-1)))
            uow.session.add(delivery("b-sent", "broadcast", "sent", timedelta(minutes=-1)))
            await uow.commit()
        found = samples((await get(server, "/metrics"))[2])
        assert found[("chinwag_deliveries", (("status", "pending"),))] == 1
        assert found[("chinwag_deliveries", (("status", "sent"),))] == 1
        assert found[("chinwag_reminders_due", ())] == 1
        assert found[("chinwag_database_up", ())] == 1
    finally:
        await server.stop()
        await app.close()


async def test_a_port_in_use_is_one_line_naming_the_setting(app: App, ops: OpsServer) -> None:
    taken = OpsServer(app, "aiogram", f"127.0.0.1:{ops.port}")
    with pytest.raises(ConfigError, match=r"^CHINWAG_METRICS_LISTEN: cannot listen on"):
        await taken.start()


def test_a_malformed_listen_names_the_setting(app: App) -> None:
    with pytest.raises(ConfigError, match=r"^CHINWAG_METRICS_LISTEN: expected HOST:PORT"):
        OpsServer(app, "aiogram", "localhost")


def test_the_health_check_asks_the_port_the_worker_listens_on() -> None:
    assert health_url(Settings(metrics_listen="0.0.0.0:9100")) == "http://127.0.0.1:9100/healthz"
    webhook = Settings(webhook_url="https://bot.example.org/hook", listen="0.0.0.0:8081")
    assert health_url(webhook) == "http://127.0.0.1:8081/healthz"
    assert health_url(Settings(listen="[::1]:8082", webhook_url="https://x.org/h")) == (
        "http://[::1]:8082/healthz"
    )
    assert health_url(Settings()) is None  # long polling, nothing serves /healthz


async def test_the_health_check_exits_0_while_the_server_answers_and_1_once_it_is_gone(
    ops: OpsServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHINWAG_METRICS_LISTEN", f"0.0.0.0:{ops.port}")
    assert await asyncio.to_thread(healthcheck_main) == 0
    await ops.stop()
    assert await asyncio.to_thread(healthcheck_main) == 1
    assert "unhealthy" in capsys.readouterr().out


def test_chinwag_run_refuses_a_malformed_metrics_listen_before_starting(tmp_path: Path) -> None:
    env = chinwag_environment(
        {
            "CHINWAG_TELEGRAM_TOKEN": "123456789:AAEfakeTOKENforTESTSabcdefghijklmnopq",
            "CHINWAG_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}",
            "CHINWAG_METRICS_LISTEN": "nope",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env=env,
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "chinwag: error: CHINWAG_METRICS_LISTEN: expected HOST:PORT such as 0.0.0.0:8080, not 'nope'"
    )
    assert not (tmp_path / "never.db").exists()
