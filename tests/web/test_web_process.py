"""The dashboard served by real processes: ``chinwag run`` with CHINWAG_WEB_ENABLED, and
``chinwag web``; both stop cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import signal
import sys
import time

import httpx
import pytest

from bot.bootstrap import App
from bot.errors import ConfigError
from bot.settings import load_settings
from bot.web.server import WebServer
from tests.e2e.conftest import free_port
from tests.e2e.test_process import ROOT, chinwag_run
from tests.fakes.bot_api import FakeBotApi
from tests.support.cli import chinwag_environment


async def _answers(url: str, timeout: float = 30) -> httpx.Response:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            try:
                return await client.get(url)
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)


async def _stops_cleanly(process: asyncio.subprocess.Process) -> None:
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(process.wait(), 10)
    assert process.stderr is not None
    errors = (await process.stderr.read()).decode()
    assert code == 0, errors
    assert time.monotonic() - started < 5
    assert "Traceback" not in errors


@pytest.mark.e2e
async def test_chinwag_run_serves_the_dashboard_when_asked_and_stops_with_the_bot(
    db_url: str,
) -> None:
    port = free_port()
    extra = {"CHINWAG_WEB_ENABLED": "true", "CHINWAG_WEB_LISTEN": f"127.0.0.1:{port}"}
    async with FakeBotApi() as api, chinwag_run(api, db_url, "aiogram", extra) as process:
        page = await _answers(f"http://127.0.0.1:{port}/")
        assert page.status_code == 401 and "You are not signed in" in page.text
        await _stops_cleanly(process)
    with pytest.raises(httpx.TransportError):
        await _answers(f"http://127.0.0.1:{port}/", timeout=0)


def _env(db_url: str) -> dict[str, str]:
    return chinwag_environment({"CHINWAG_DATABASE_URL": db_url})


@pytest.mark.e2e
async def test_chinwag_web_serves_the_dashboard_alone(db_url: str) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "web",
        "--listen",
        f"127.0.0.1:{port}",
        env=_env(db_url),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        css = await _answers(f"http://127.0.0.1:{port}/static/dashboard.css")
        assert css.status_code == 200
        await _stops_cleanly(process)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_chinwag_web_refuses_a_malformed_listen_address(db_url: str) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "web",
        "--listen",
        "nowhere",
        env=_env(db_url),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _out, errors = await process.communicate()
    assert process.returncode == 2
    assert errors.decode().strip().splitlines() == [
        "chinwag: error: CHINWAG_WEB_LISTEN: expected HOST:PORT such as 0.0.0.0:8080, not 'nowhere'"
    ]


async def test_a_port_in_use_is_a_configuration_error(app: App) -> None:
    first = WebServer(app, "127.0.0.1:0")
    await first.start()
    try:
        with pytest.raises(
            ConfigError, match=r"CHINWAG_WEB_LISTEN: cannot listen on 127\.0\.0\.1:"
        ):
            await WebServer(app, f"127.0.0.1:{first.port}").start()
    finally:
        await first.stop()


@pytest.mark.parametrize(
    "url", ["dashboard.example.org", "ftp://dashboard.example.org", "https://x.org/a?b=1"]
)
def test_a_malformed_dashboard_url_is_one_line_naming_the_setting(url: str) -> None:
    with pytest.raises(ConfigError, match=r"^CHINWAG_DASHBOARD_URL: .*must be an http\(s\) URL"):
        load_settings(dashboard_url=url)


def test_the_dashboard_url_loses_its_trailing_slash() -> None:
    assert load_settings(dashboard_url="https://x.org/dash/").dashboard_url == "https://x.org/dash"
