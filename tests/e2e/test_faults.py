"""Faults under load, with real ``chinwag run`` webhook workers behind a balancer.

Each test has residents walking the whole Community Conversation at once while a
fault strikes: a worker killed with SIGKILL (the leader of the deliveries among
them), PostgreSQL restarted, the Bot API failing one call in ten, the database's
disk full or read-only. Afterwards every update was handled exactly once (one row
each in ``processed_updates``, every answer stored once) and every resident got to
the end of the conversation: nothing lost, nothing doubled.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import select

from bot.bootstrap import build_app
from bot.settings import Settings
from storage.models import Answer, Conversation, Delivery
from tests.e2e.conftest import start_bot
from tests.e2e.test_cluster_harness import processed_counts
from tests.e2e.test_conversation import walk_to_exists
from tests.e2e.test_process import schedule_a_reminder
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.cluster import Cluster, prepare_database
from tests.fakes.fake_user import FakeUser
from tests.support import private_postgres
from tests.support.cli import chinwag_environment

UPDATES_PER_WALK = 12
QUESTIONS = {"community", "exists", "needs", "issues", "future"}


async def walk_whole_conversation(user: FakeUser, timeout: float = 30.0) -> None:
    """/start to "Your answers have been sent": 12 updates, each answered in ``timeout``."""
    steps: list[tuple[str, str, str]] = [
        ("send", "/start", "What would you like to do?"),
        ("press", "Have your say", "Community Conversation"),
        ("press", "Start", "your privacy"),
        ("press", "✅ I agree", "Which community do you live in?"),
        ("send", "Tarvn", "What is already available"),
        ("send", f"A village hall, says {user.wire['first_name']}", "What is missing"),
        ("send", "Something for teenagers", "issues in your community now"),
        ("press", "Speeding", "☑️ Speeding"),
        ("press", "Done", "Where do you want your community to be"),
        ("send", "Safe and friendly", "anything else"),
        ("press", "Skip", "Please check your answers"),
        ("press", "Send my answers", "Your answers have been sent"),
    ]
    for action, value, expected in steps:
        if action == "send":
            await user.send(value)
        else:
            await user.press(value)

        def shows(m: dict[str, Any], e: str = expected) -> bool:
            return e in str(m)

        await user.wait_for(shows, timeout=timeout)


def residents(api: FakeBotApi, count: int, first_id: int) -> list[FakeUser]:
    return [api.user(first_id + i, f"Res{i}") for i in range(count)]


async def check_exactly_once(db_url: str, users: list[FakeUser], accepted: int) -> None:
    """Every update handled once; every resident's answers stored once, and sent."""
    assert await processed_counts(db_url) == (accepted, accepted)
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            for user in users:
                found = await uow.users.by_telegram_id(user.id)
                assert found is not None
                conversations = (
                    await uow.session.exec(
                        select(Conversation).where(Conversation.user_id == found.id)
                    )
                ).all()
                assert [c.status for c in conversations] == ["submitted"]
                answers = (
                    await uow.session.exec(
                        select(Answer.question).where(Answer.conversation_id == conversations[0].id)
                    )
                ).all()
                assert sorted(answers) == sorted(QUESTIONS)  # each once
    finally:
        await app.close()


def sent_count(user: FakeUser, text: str) -> int:
    return sum(text in str(m.get("text", "")) for m in user.messages)


async def until_accepted(cluster: Cluster, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while cluster.stats().accepted < count:
        assert time.monotonic() < deadline, (
            f"{cluster.stats().accepted} of {count} accepted; {cluster.stats().statuses}; "
            f"{cluster.api.pending_updates()} pending\n{worker_troubles(cluster)}"
        )
        await cluster.api.signal.wait(0.05)


def worker_troubles(cluster: Cluster) -> str:
    """The warnings and errors the workers logged, counted, for a failure's message."""
    lines = []
    for worker in cluster.workers:
        troubles = Counter(
            line.split(" ", 2)[-1][:160]
            for line in cluster.log(worker.index).splitlines()
            if " WARNING " in line or " ERROR " in line or "Error" in line
        )
        lines.append(f"worker {worker.index}: {troubles.most_common(8)}")
    return "\n".join(lines)


# -- kill -9 ---------------------------------------------------------------------


async def test_a_worker_killed_under_load_loses_and_doubles_nothing(db_url: str) -> None:
    async with Cluster(db_url, workers=3, connections=24) as cluster:
        users = residents(cluster.api, 24, 5_910_000_001)
        walks = asyncio.gather(*(walk_whole_conversation(u, timeout=60) for u in users))
        await until_accepted(cluster, len(users) * 4)  # a third of the way
        cluster.kill(1)  # whatever worker 1 had in hand is cut off mid-way
        await cluster.wait_exit(1)
        await until_accepted(cluster, len(users) * 8)
        await cluster.start_worker(1)
        await asyncio.wait_for(walks, 120)
        await cluster.drain(timeout=30)
        stats = cluster.stats()
        assert stats.accepted == len(users) * UPDATES_PER_WALK
        assert stats.duplicates == 0
        for index in (0, 2):
            assert "Traceback" not in cluster.log(index)
    await check_exactly_once(db_url, users, stats.accepted)
    for user in users:  # the end of the walk once: its update was not handled twice
        assert sent_count(user, "Your answers have been sent") == 1


def leader_index(cluster: Cluster) -> int | None:
    leaders = [
        w.index
        for w in cluster.workers
        if w.alive and "leading: this worker runs the deliveries" in cluster.log(w.index)
    ]
    return leaders[-1] if leaders else None


async def test_when_the_leader_is_killed_another_worker_sends_what_falls_due_once(
    db_url: str,
) -> None:
    fast = {"CHINWAG_DISPATCH_INTERVAL_SECONDS": "0.5"}
    async with Cluster(db_url, workers=2, connections=8, env=fast) as cluster:
        deadline = time.monotonic() + 10
        while (first := leader_index(cluster)) is None:
            assert time.monotonic() < deadline, "no worker became the leader"
            await asyncio.sleep(0.1)
        assert sum("leading:" in cluster.log(w.index) for w in cluster.workers) == 1

        user = cluster.api.user(5_910_100_001, "Rem")
        await schedule_a_reminder(db_url, user.id, in_seconds=3)
        cluster.kill(first)
        await cluster.wait_exit(first)
        killed_at = time.monotonic()

        reminder = await user.wait_for(contains="Evening surgery", timeout=20)
        assert time.monotonic() - killed_at < 15  # taken over within seconds
        assert leader_index(cluster) == 1 - first
        assert "reply_markup" in reminder or reminder.get("text")
        await asyncio.sleep(1.5)  # a few more ticks of the new leader
        assert sent_count(user, "Evening surgery") == 1
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            statuses = (await uow.session.exec(select(Delivery.status))).all()
    finally:
        await app.close()
    assert statuses == ["sent"]


# -- PostgreSQL restarted ----------------------------------------------------------


@pytest.fixture
def restartable_postgres() -> Iterator[private_postgres.PrivatePostgres]:
    if os.environ.get("CHINWAG_TEST_DATABASE", "sqlite") != "sqlite":
        pytest.skip("brings its own PostgreSQL server: it runs once, in the SQLite pass")
    reason = private_postgres.unavailable()
    if reason is not None:
        pytest.skip(f"no private PostgreSQL server to restart: {reason}")
    with private_postgres.private_postgres() as server:
        yield server


async def test_postgres_restarted_under_load_workers_reconnect_and_lose_nothing(
    restartable_postgres: private_postgres.PrivatePostgres,
) -> None:
    url = restartable_postgres.url
    await prepare_database(url)
    async with Cluster(url, workers=2, connections=16) as cluster:
        users = residents(cluster.api, 16, 5_920_000_001)
        walks = asyncio.gather(*(walk_whole_conversation(u, timeout=60) for u in users))
        await until_accepted(cluster, len(users) * 4)
        mark = cluster.mark()
        await asyncio.to_thread(restartable_postgres.restart)  # every connection cut
        forwarded = dict(cluster.balancer.forwarded)
        await asyncio.wait_for(walks, 120)
        await cluster.drain(timeout=30)
        stats = cluster.stats()
        assert stats.accepted == len(users) * UPDATES_PER_WALK
        assert stats.duplicates == 0
        assert cluster.stats(since=mark).accepted > 0
        assert all(w.alive for w in cluster.workers)
        for worker in cluster.workers:  # both reconnected and served again
            assert cluster.balancer.forwarded[worker.url] > forwarded[worker.url]
    await check_exactly_once(url, users, stats.accepted)


# -- the Bot API failing one call in ten ---------------------------------------------


@pytest.mark.parametrize("transport", ["aiogram", "ptb"])
async def test_bot_api_errors_and_timeouts_at_ten_percent_are_retried_and_lose_nothing(
    db_url: str, transport: str
) -> None:
    api = FakeBotApi(webhook_connections=16)
    await api.start()
    try:
        async with Cluster(
            db_url, workers=2, api=api, env={"CHINWAG_TRANSPORT": transport}
        ) as cluster:
            flaky = api.flaky(
                0.10, ("sendMessage", "editMessageText", "answerCallbackQuery"), seed=10
            )
            users = residents(api, 12, 5_930_000_001)
            try:
                await asyncio.wait_for(
                    asyncio.gather(*(walk_whole_conversation(u, timeout=60) for u in users)), 120
                )
            except AssertionError as exc:  # say what the workers said
                logs = "\n".join(cluster.log(w.index)[-20_000:] for w in cluster.workers)
                raise AssertionError(f"{exc}\nworker logs:\n{logs}") from None
            await cluster.drain(timeout=30)
            stats = cluster.stats()
            assert flaky.injected["502"] > 0 and flaky.injected["timeout"] > 0
            assert stats.accepted == len(users) * UPDATES_PER_WALK and stats.duplicates == 0
    finally:
        await api.stop()
    await check_exactly_once(db_url, users, stats.accepted)
    for user in users:
        assert sent_count(user, "Your answers have been sent") == 1


# -- disk full, read-only -------------------------------------------------------------


@pytest.fixture
def small_disk(template_db: Path) -> Iterator[Path]:
    """A 24 MiB tmpfs holding a copy of the demo database."""
    if os.environ.get("CHINWAG_TEST_DATABASE", "sqlite") != "sqlite":
        pytest.skip("about a SQLite file on a full or read-only disk")
    folder = Path(tempfile_dir()) / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(folder)], capture_output=True
    )
    if mounted.returncode != 0:
        shutil.rmtree(folder.parent, ignore_errors=True)
        pytest.skip(f"cannot mount a small disk here: {mounted.stderr.decode().strip()}")
    try:
        shutil.copy(template_db, folder / "chinwag.db")
        yield folder
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(folder)], capture_output=True)
        subprocess.run(["umount", "-l", str(folder)], capture_output=True)
        shutil.rmtree(folder.parent, ignore_errors=True)


def tempfile_dir() -> str:
    return tempfile.mkdtemp(prefix="chinwag-disk-")


def fill(folder: Path) -> Path:
    """Fill the disk to the last byte."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as out:
        for size in (65536, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    out.write(b"\0" * size)
    return filler


async def read_only(engine: AsyncEngine, on: bool) -> None:
    """Every connection of ``engine``, now and later, refuses (or again allows) writes."""

    def switch(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA query_only={'ON' if on else 'OFF'}")
        cursor.close()

    event.listen(engine.sync_engine, "connect", switch)
    await engine.dispose()  # pooled connections are made again, with the switch


async def remount(folder: Path, mode: str) -> None:
    await asyncio.to_thread(
        subprocess.run, ["mount", "-o", f"remount,{mode}", str(folder)], check=True
    )


async def webhook_statuses(api: FakeBotApi, update_id: int) -> list[int | None]:
    return [d["status"] for d in api.webhook_deliveries if d["update_id"] == update_id]


@pytest.mark.parametrize("fault", ["disk full", "read-only"])
async def test_a_full_or_read_only_disk_refuses_updates_clearly_and_loses_none(
    small_disk: Path, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    url = f"sqlite:///{small_disk / 'chinwag.db'}"
    async with FakeBotApi() as api:
        settings = Settings(
            database_url=url,
            telegram_token=api.token,
            telegram_api_url=api.url,
            flood_limit=100_000,
        )
        bot = await start_bot(settings, "webhook")
        try:
            user = api.user(5_940_000_001, "Dee")
            await walk_to_exists(user)
            # Fill what SQLite may still grow into, then the disk itself.
            filler: Path | None = None
            if fault == "disk full":
                filler = await asyncio.to_thread(fill, small_disk)
            else:
                # A file system cannot be remounted read-only under an open database, so
                # SQLite's own read-only switch stands in: writes fail as on a read-only
                # file (SQLITE_READONLY, "attempt to write a readonly database").
                await read_only(bot.app.engine, True)

            answer = ("A community centre with a café. " * 28).strip()  # under 1,000
            update_id = await user.send(answer)
            deadline = time.monotonic() + 10
            while len(await webhook_statuses(api, update_id)) < 3:
                assert time.monotonic() < deadline
                await asyncio.sleep(0.05)
            statuses = await webhook_statuses(api, update_id)
            assert set(statuses) == {503}  # refused, so Telegram sends it again
            assert not any("What is missing" in str(m.get("text")) for m in user.messages)
            reason = "the disk is full" if fault == "disk full" else "the database is read-only"
            assert any(
                f"database cannot be written: {reason}" in record.getMessage()
                for record in caplog.records
            )

            if filler is not None:  # room again: the same update goes through, once
                filler.unlink()
            else:
                await read_only(bot.app.engine, False)
            await user.wait_for(contains="What is missing", timeout=15)
            deadline = time.monotonic() + 5  # the answer to the POST comes after the reply
            while 200 not in await webhook_statuses(api, update_id):
                assert time.monotonic() < deadline
                await api.signal.wait(0.05)
        finally:
            await bot.stop()

    app = await build_app(Settings(database_url=url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            found = await uow.users.by_telegram_id(5_940_000_001)
            assert found is not None
            answers = (
                await uow.session.exec(
                    select(Answer.text)
                    .join(Conversation, Conversation.id == Answer.conversation_id)  # type: ignore[arg-type]
                    .where(Conversation.user_id == found.id, Answer.question == "exists")
                )
            ).all()
    finally:
        await app.close()
    assert answers == [answer]


async def test_chinwag_run_on_a_read_only_database_stops_with_one_clear_line(
    small_disk: Path,
) -> None:
    await remount(small_disk, "ro")
    env = chinwag_environment(
        {
            "CHINWAG_DATABASE_URL": f"sqlite:///{small_disk / 'chinwag.db'}",
            "CHINWAG_TELEGRAM_TOKEN": "123456789:AAEfakeTOKENforTESTSabcdefghijklmnopq",
            "CHINWAG_TELEGRAM_API_URL": "http://127.0.0.1:9",
        }
    )
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "bot", "run"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and "CHINWAG_DATABASE_URL" in lines[0]
