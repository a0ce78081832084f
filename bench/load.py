"""Benchmark: residents at once through N `chinwag run` webhook workers, against a bare aiogram echo.

Usage: .venv/bin/python bench/load.py [--quick] [--backend sqlite|postgresql|both]
                                      [--workers 1,2,4] [--residents 200]

For each number of workers, five passes on the harness of tests/fakes/cluster.py
(the fake Bot API delivering over up to 40 parallel webhook connections, each
chat's updates in order, through a round-robin load balancer to N real worker
processes sharing one database):

* **echo**: ``bench/echo_bot.py``, a bare aiogram ``Dispatcher`` answering each
  message with a ``sendMessage`` of its text, served in webhook mode the same way
  (answer 200 once the update is handled), as many processes;
* **claim**: the same echo, which first records each update's id in the database
  in a transaction of its own (``echo_bot.py --claim``, through Chinwag's engine and
  unit of work), on SQLite and on PostgreSQL: the least that handling each update
  once, on any worker and across restarts, costs with this stack;
* **chinwag** on SQLite (a fresh file with the demo data) and on PostgreSQL (a
  fresh database, created from a migrated template and dropped at the end).

In each pass one resident first walks alone (giving the reference transcript),
then a warm-up wave of as many residents as there are webhook connections (at most
``--residents``) walks at once and is not counted: a worker that has run for a while
has its database connections open and its statements prepared, and that steady state
is what is measured. Then ``--residents`` residents (``--quick``: 20) start at
once, each waiting for the bot's answer before the next step as a person does:
``/start``, "Have your say", Start, "I agree", the community by a misspelt name,
two free-text answers, an issue button, Done, a third answer, Skip, "Send my
answers", then the officer finder by postcode (``CH3 8EH``) and by place name.
That is 16 updates a resident; the echo residents send the same 16 texts (the
button labels as text) and wait for each echo.

What is printed, per pass:

* ``updates``: updates accepted while the residents walked; ``upd/s``: those over
  the time from the first resident's first update to the last update accepted.
* ``p50/p95/p99``: **handling latency** in ms, from the fake Bot API sending the
  webhook POST to receiving its 200, through the balancer. A worker answers only
  once the update is handled, committed and its replies sent (their Bot API round
  trips are included), so this is what a resident waits, less Telegram's own
  network. Under this closed load it includes waiting for a busy worker.
* ``CPU ms/upd``: the **cost per update**: user+system CPU seconds of all worker
  processes (from /proc) over the walk, divided by the updates. Unlike latency it
  does not depend on how busy the machine is, nor on the harness (the fake, the
  balancer and the residents run in this process and are not counted).
* ``retries``: POSTs answered non-2xx or failed (each retried, so not an error by
  itself); ``errors``: residents whose walk did not get an expected answer in
  60 s, updates never accepted, updates accepted twice, residents whose
  transcript (the bot's messages in their chat, digits masked) differs from the
  reference in any way (a missing or duplicated reply), database rows not as
  expected (every update once in ``processed_updates``; one user, one submitted
  conversation and five answers for each resident), and tracebacks or "database
  is locked" in the workers' logs.

Then, per backend and number of workers, Chinwag over echo: the CPU cost ratio
(the measure for the goal: Chinwag at most 2x echo on SQLite, 3x on PostgreSQL)
and the p50 latency ratio at the same load; and, for context, the claiming echo
over the echo (what recording the update alone adds) and Chinwag over the claiming
echo (what the rest of Chinwag's update adds to that).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import func
from sqlmodel import col, select

from bot.bootstrap import build_app
from bot.settings import Settings
from storage.models import Answer, Conversation, ProcessedUpdate, User
from tests.fakes.cluster import CHINWAG_RUN, Cluster, percentile, prepare_database
from tests.fakes.fake_user import FakeUser, message_text
from tests.fakes.markup import inline_buttons

ROOT = Path(__file__).resolve().parents[1]
ECHO = (sys.executable, str(ROOT / "bench" / "echo_bot.py"))
POSTGRES_URL = os.environ.get(
    "CHINWAG_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
STEP_TIMEOUT = 60.0
FIRST_ID = 7_100_000_000
WARM_ID = 7_050_000_000  # the warm-up wave, outside the walk's range of ids
LIMITS = {"sqlite": 2.0, "postgresql": 3.0}

# (action, argument, answer to wait for): the resident's walk, as in the e2e tests.
WALK: list[tuple[str, str, str]] = [
    ("send", "/start", "What would you like to do?"),
    ("press", "Have your say", "Community Conversation"),
    ("press", "Start", "your privacy"),
    ("press", "✅ I agree", "Which community do you live in?"),
    ("send", "Tarvn", "What is already available"),
    ("send", "A village hall and a football club", "What is missing"),
    ("send", "Something for teenagers", "issues in your community now"),
    ("press", "Speeding", ""),  # edits the issues message in place
    ("press", "Done", "Where do you want your community to be"),
    ("send", "Safe and friendly", "anything else"),
    ("press", "Skip", "Please check your answers"),
    ("press", "Send my answers", "Your answers have been sent"),
    ("send", "/officer", "Send your postcode"),
    ("send", "CH3 8EH", "your PCSO"),
    ("send", "/officer", "Send your postcode"),
    ("send", "Tarvn", "your police community officer"),
]
ANSWERS_PER_RESIDENT = 5


def edit_of(message_id: int | None) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m["message_id"] == message_id and bool(m.get("edited"))


def text_is(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda m: m.get("text") == text


async def chinwag_walk(user: FakeUser) -> None:
    edited_from: int | None = None
    for action, argument, expected in WALK:
        if action == "send":
            await user.send(argument)
        else:
            await user.press(argument)
        if expected:
            reply = await user.wait_for(contains=expected, timeout=STEP_TIMEOUT)
            edited_from = reply["message_id"]
        else:
            await user.wait_for(edit_of(edited_from), timeout=STEP_TIMEOUT)


async def echo_walk(user: FakeUser) -> None:
    for _action, text, _expected in WALK:
        await user.send(text)
        await user.wait_for(text_is(text), timeout=STEP_TIMEOUT)


def transcript(user: FakeUser) -> list[str]:
    """The bot's messages in the chat as the resident sees them, digits masked."""
    lines = []
    for message in user.messages:
        labels = [b["text"] for b in inline_buttons(message.get("reply_markup"))]
        lines.append(re.sub(r"\d", "#", f"{message_text(message)} {labels}"))
    return lines


@dataclass
class Row:
    bot: str
    backend: str
    workers: int
    updates: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    cpu: float = 0.0
    retries: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)

    def error(self, count: int, what: str) -> None:
        if count:
            self.errors += count
            self.notes.append(f"{count} {what}")

    @property
    def rate(self) -> float:
        return self.updates / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.cpu / self.updates if self.updates else 0.0

    def ms(self, p: float) -> float:
        return 1000 * percentile(self.latencies, p)


async def check_database(db_url: str, residents: int, accepted: int, row: Row) -> None:
    app = await build_app(Settings(database_url=db_url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            session = uow.session
            processed = (
                await session.exec(select(func.count()).select_from(ProcessedUpdate))
            ).one()
            ids = range(FIRST_ID, FIRST_ID + residents + 1)
            in_walk = col(User.telegram_id).between(ids[0], ids[-1])
            users = (await session.exec(select(func.count()).where(in_walk))).one()
            submitted = (
                await session.exec(
                    select(func.count())
                    .select_from(Conversation)
                    .join(User, col(User.id) == Conversation.user_id)
                    .where(in_walk, Conversation.status == "submitted")
                )
            ).one()
            answers = (
                await session.exec(
                    select(func.count())
                    .select_from(Answer)
                    .join(Conversation, col(Conversation.id) == Answer.conversation_id)
                    .join(User, col(User.id) == Conversation.user_id)
                    .where(in_walk)
                )
            ).one()
    finally:
        await app.close()
    everyone = residents + 1  # with the warm-up resident
    row.error(abs(processed - accepted), "processed_updates rows off the accepted count")
    row.error(abs(users - everyone), "user rows off")
    row.error(abs(submitted - everyone), "submitted conversations off")
    row.error(abs(answers - everyone * ANSWERS_PER_RESIDENT), "answer rows off")


async def run_pass(
    bot: str, backend: str, db_url: str, workers: int, residents: int, connections: int
) -> Row:
    row = Row(bot, backend, workers)
    walk: Callable[[FakeUser], Awaitable[None]] = chinwag_walk if bot == "chinwag" else echo_walk
    command = {"chinwag": CHINWAG_RUN, "echo": ECHO, "claim": (*ECHO, "--claim")}[bot]
    async with Cluster(db_url, workers, command=command, connections=connections) as cluster:
        first = cluster.api.user(FIRST_ID, "Resident")
        await walk(first)
        await cluster.drain()
        reference = transcript(first)
        warm = [
            cluster.api.user(WARM_ID + i, "Resident") for i in range(min(connections, residents))
        ]
        await asyncio.gather(*(walk(u) for u in warm))
        await cluster.drain()
        mark = cluster.mark()
        cpu_before = sum(cluster.cpu_seconds().values())
        started = time.monotonic()
        users = [cluster.api.user(FIRST_ID + 1 + i, "Resident") for i in range(residents)]
        results = await asyncio.gather(*(walk(u) for u in users), return_exceptions=True)
        try:
            await cluster.drain(timeout=STEP_TIMEOUT)
        except AssertionError:
            row.error(cluster.api.pending_updates(), "updates never accepted")
        row.seconds = time.monotonic() - started
        row.cpu = sum(cluster.cpu_seconds().values()) - cpu_before
        stats = cluster.stats(since=mark)
        row.updates, row.latencies, row.retries = stats.accepted, stats.latencies, stats.retried
        row.error(sum(isinstance(r, BaseException) for r in results), "walks without an answer")
        row.error(stats.duplicates, "updates accepted twice")
        row.error(sum(transcript(u) != reference for u in users), "transcripts off the reference")
        logs = "".join(cluster.log(w.index) for w in cluster.workers)
        row.error(logs.count("Traceback"), "tracebacks in the logs")
        row.error(logs.count("database is locked"), '"database is locked" in the logs')
        total_accepted = cluster.stats().accepted
    if bot == "chinwag":
        await check_database(db_url, residents, total_accepted, row)
    return row


async def admin(sql: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(POSTGRES_URL, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


class Databases:
    """A fresh database per pass: copies of a migrated SQLite file, or PostgreSQL
    databases made from a migrated template; all dropped at the end."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="chinwag-load-"))
        self.tag = f"chinwag_load_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.template: dict[str, str] = {}
        self.made: list[str] = []
        self.count = 0

    def _pg(self, name: str) -> str:
        return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"

    async def fresh(self, backend: str) -> str:
        self.count += 1
        if backend == "sqlite":
            template = self.folder / "template.db"
            if "sqlite" not in self.template:
                await prepare_database(f"sqlite:///{template}")
                self.template["sqlite"] = str(template)
            path = self.folder / f"pass{self.count}.db"
            shutil.copy(template, path)
            return f"sqlite:///{path}"
        if "postgresql" not in self.template:
            name = f"{self.tag}_tpl"
            await admin(f'CREATE DATABASE "{name}"')
            self.made.append(name)
            await prepare_database(self._pg(name))
            self.template["postgresql"] = name
        name = f"{self.tag}_{self.count}"
        await admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template["postgresql"]}"')
        self.made.append(name)
        return self._pg(name)

    async def drop_all(self) -> None:
        for name in reversed(self.made):
            await admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(self.folder, ignore_errors=True)


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'bot':8} {'backend':10} {'workers':>7} {'updates':>7} {'upd/s':>7} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'CPU ms/upd':>10} {'retries':>7} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r.bot:8} {r.backend:10} {r.workers:>7} {r.updates:>7} {r.rate:>7.1f} "
            f"{r.ms(50):>7.1f} {r.ms(95):>7.1f} {r.ms(99):>7.1f} {r.cpu_ms:>10.2f} "
            f"{r.retries:>7} {r.errors:>6}" + (f"  ({'; '.join(r.notes)})" if r.notes else "")
        )


def _ratio(value: float, base: float) -> str:
    return f"{value / base:.2f}x" if base else "-"


def print_ratios(rows: list[Row]) -> bool:
    echo = {r.workers: r for r in rows if r.bot == "echo"}
    claim = {(r.backend, r.workers): r for r in rows if r.bot == "claim"}
    print()
    print(
        f"{'Chinwag / echo':16} {'workers':>7} {'CPU/upd':>8} {'p50':>6} {'limit':>6}  {'goal':8}"
        f"{'claim/echo':>11} {'Chinwag/claim':>14}"
    )
    met = True
    for r in rows:
        base = echo.get(r.workers)
        if r.bot != "chinwag" or base is None or not base.cpu_ms:
            continue
        cpu = r.cpu_ms / base.cpu_ms
        p50 = r.ms(50) / base.ms(50) if base.ms(50) else 0.0
        limit = LIMITS[r.backend]
        ok = cpu <= limit and r.errors == 0
        met = met and ok
        floor = claim.get((r.backend, r.workers))
        print(
            f"{r.backend:16} {r.workers:>7} {cpu:>7.2f}x {p50:>5.2f}x {limit:>5.1f}x  "
            f"{'met' if ok else 'NOT met':8}"
            f"{_ratio(floor.cpu_ms, base.cpu_ms) if floor else '-':>11} "
            f"{_ratio(r.cpu_ms, floor.cpu_ms) if floor else '-':>14}"
        )
    return met


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="20 residents, 1 and 2 workers")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--workers", default=None, help="comma-separated, default 1,2,4")
    parser.add_argument("--residents", type=int, default=None, help="default 200")
    parser.add_argument("--connections", type=int, default=40, help="webhook max_connections")
    args = parser.parse_args()
    residents = args.residents or (20 if args.quick else 200)
    workers = [int(n) for n in (args.workers or ("1,2" if args.quick else "1,2,4")).split(",")]
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"{residents} residents x {len(WALK)} updates, workers {workers}, "
        f"backends {backends}, {args.connections} webhook connections, {os.cpu_count()} CPUs"
    )
    databases = Databases()
    rows: list[Row] = []
    try:
        for n in workers:
            passes = [("echo", "-"), *((bot, b) for bot in ("claim", "chinwag") for b in backends)]
            for bot, backend in passes:
                url = await databases.fresh("sqlite" if backend == "-" else backend)
                row = await run_pass(bot, backend, url, n, residents, args.connections)
                rows.append(row)
                print(
                    f"  {bot} {backend} x{n}: {row.updates} updates in {row.seconds:.1f} s, "
                    f"{row.errors} errors",
                    flush=True,
                )
    finally:
        await databases.drop_all()
    print()
    print_table(rows)
    met = print_ratios(rows)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
