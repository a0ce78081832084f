"""``chinwag run`` as a real process: kill -9 and SIGTERM lose no given answer."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from bot.bootstrap import build_app
from bot.settings import Settings
from tests.e2e.test_conversation import walk_to_exists
from tests.fakes.bot_api import FakeBotApi
from tests.integration.test_resident_conversation import answers_of
from tests.support.cli import chinwag_environment

ROOT = Path(__file__).resolve().parents[2]


@asynccontextmanager
async def chinwag_run(
    bot_api: FakeBotApi,
    db_url: str,
    transport: str,
    extra: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> AsyncIterator[asyncio.subprocess.Process]:
    env = chinwag_environment(
        {
            "CHINWAG_TELEGRAM_TOKEN": bot_api.token,
            "CHINWAG_TELEGRAM_API_URL": bot_api.url,
            "CHINWAG_DATABASE_URL": db_url,
            "CHINWAG_TRANSPORT": transport,
            **(extra or {}),
        }
    )
    polls_before = len(bot_api.calls("getUpdates"))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        env=env,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )

    def ready() -> bool:
        if args:  # webhook mode
            return bot_api.webhook is not None
        return len(bot_api.calls("getUpdates")) > polls_before

    try:
        await wait_until(ready, 30)
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the bot process")
        await asyncio.sleep(0.05)


async def saved_answers(db_url: str, telegram_id: int) -> dict[str, str | None]:
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        return {k: a.text for k, a in (await answers_of(app.deps, telegram_id)).items()}
    finally:
        await app.close()


async def test_kill_9_mid_conversation_loses_no_given_answer(
    bot_api: FakeBotApi, db_url: str, transport: str
) -> None:
    user = bot_api.user(5_200_000_001, "Kit")
    async with chinwag_run(bot_api, db_url, transport) as process:
        await walk_to_exists(user)
        await user.send("The church hall")
        await user.wait_for(contains="What is missing")
        process.send_signal(signal.SIGKILL)
        await process.wait()
    assert (await saved_answers(db_url, 5_200_000_001))["exists"] == "The church hall"

    async with chinwag_run(bot_api, db_url, transport):
        await user.send("/start")
        await user.wait_for(contains="You have not finished", timeout=15)
        await user.press("Continue where you left off")
        await user.wait_for(contains="What is missing")
        await user.send("Street lights")
        await user.wait_for(contains="issues in your community now")
    answers = await saved_answers(db_url, 5_200_000_001)
    assert answers["exists"] == "The church hall" and answers["needs"] == "Street lights"


async def test_sigterm_stops_cleanly_and_keeps_every_answer(
    bot_api: FakeBotApi, db_url: str, transport: str
) -> None:
    user = bot_api.user(5_200_000_002, "Sol")
    async with chinwag_run(bot_api, db_url, transport) as process:
        await walk_to_exists(user)
        await user.send("A youth club")
        await user.wait_for(contains="What is missing")
        started = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 10)
        assert process.stderr is not None
        errors = (await process.stderr.read()).decode()
    assert code == 0, errors
    assert time.monotonic() - started < 5
    assert "Traceback" not in errors
    assert (await saved_answers(db_url, 5_200_000_002))["exists"] == "A youth club"


async def test_webhook_mode_from_the_command_line_with_json_logs(
    bot_api: FakeBotApi, db_url: str, transport: str
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    user = bot_api.user(5_200_000_003, "Wes")
    args = ("--webhook-url", f"http://127.0.0.1:{port}/hook", "--listen", f"127.0.0.1:{port}")
    extra = {"CHINWAG_LOG_FORMAT": "json"}
    async with chinwag_run(bot_api, db_url, transport, extra, args) as process:
        await walk_to_exists(user)
        await user.send("A bowling green")
        await user.wait_for(contains="What is missing")
        process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(process.wait(), 10)
        assert process.stderr is not None
        lines = (await process.stderr.read()).decode().splitlines()
    assert code == 0
    events = [json.loads(line) for line in lines]
    assert {"bot started", "bot stopped"} <= {e["event"] for e in events}
    assert any(e.get("mode") == "webhook" for e in events)
    assert not any("A bowling green" in line for line in lines)
    assert (await saved_answers(db_url, 5_200_000_003))["exists"] == "A bowling green"


async def schedule_a_reminder(db_url: str, telegram_id: int, in_seconds: float) -> None:
    """A resident going to a surgery whose one-hour reminder falls due in ``in_seconds``."""
    from datetime import UTC, datetime, timedelta

    from sqlmodel import select

    from handlers.events.service import schedule_reminders
    from storage.models import Community, Event, Rsvp, User

    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            tarvin = (
                await uow.session.exec(select(Community).where(Community.name == "Tarvin"))
            ).one()
            event = Event(
                kind="surgery",
                title="Evening surgery",
                community_id=tarvin.id,
                starts_at=datetime.now(UTC) + timedelta(minutes=60, seconds=in_seconds),
            )
            resident = User(
                telegram_id=telegram_id,
                chat_id=telegram_id,
                first_name="Rem",
                reminder_offsets="60",
            )
            uow.session.add_all([event, resident])
            await uow.session.flush()
            assert event.id is not None and resident.id is not None
            uow.session.add(Rsvp(event_id=event.id, user_id=resident.id, status="going"))
            assert await schedule_reminders(uow, event, resident, datetime.now(UTC)) == 1
            await uow.commit()
    finally:
        await app.close()


async def test_kill_9_before_a_reminder_is_due_then_restart_sends_it_once(
    bot_api: FakeBotApi, db_url: str, transport: str
) -> None:
    from sqlmodel import select

    from storage.models import Delivery

    user = bot_api.user(5_200_000_009, "Rem")
    fast = {"CHINWAG_DISPATCH_INTERVAL_SECONDS": "0.2"}
    async with chinwag_run(bot_api, db_url, transport, fast) as process:
        await schedule_a_reminder(db_url, user.id, in_seconds=3)
        process.send_signal(signal.SIGKILL)  # before the reminder is due
        await process.wait()
    assert user.messages == []
    await asyncio.sleep(3.5)  # the reminder falls due while nothing runs
    async with chinwag_run(bot_api, db_url, transport, fast) as process:
        await user.wait_for(contains="Starting soon", timeout=15)
        await asyncio.sleep(1.0)  # a few more dispatcher rounds: nothing more is sent
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), 10) == 0
    assert len([m for m in user.messages if "Starting soon" in m.get("text", "")]) == 1
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            row = (
                await uow.session.exec(select(Delivery).where(Delivery.kind == "reminder"))
            ).one()
        assert row.status == "sent"
    finally:
        await app.close()
