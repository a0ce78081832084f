"""Benchmark: what one update costs inside the core, step by step, and how much of it
is the database layer.

Usage: .venv/bin/python bench/update_cost.py [--residents 200] [--backend sqlite|postgresql|both]

``bench/load.py`` measures whole worker processes behind the webhook; this one
calls ``handlers.dispatch.handle`` directly, as a transport does, with no HTTP, no
framework and one resident at a time, so that the figures are the core's own. The
residents walk the same 16 steps as in the load benchmark (``bench.load.WALK``),
on a fresh database with the demo data, after a warm-up of 20 residents.

Per step of the walk it prints:

* ``stmts``: SQL statements sent to the database per update;
* ``CPU µs``: CPU time of this process per update (``time.process_time``);
* ``db µs``: the part of it spent in the database layer: inside the session's
  and connection's calls (execute, get, flush, commit, close, ...), which is
  SQLAlchemy, SQLModel, the driver and, on SQLite, SQLite's own work; the rest is
  the handlers, the questionnaire, translations, language detection and the
  reply encoding.

Measured with the flood gate off (it would slow the residents down, not the core).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import os
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel.ext.asyncio.session import AsyncSession

from bench.load import WALK, Databases
from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.context import Deps
from tests.support.resident import Resident

WARM_UP = 20
FIRST_ID = 7_300_000_000

T = TypeVar("T")


class DatabaseClock:
    """CPU time spent inside the outermost database call at any moment.

    The residents walk one at a time, so a plain depth counter tells the outermost
    call (a commit's flush is not counted twice)."""

    def __init__(self) -> None:
        self.depth = 0
        self.seconds = 0.0

    @contextmanager
    def timing(self) -> Iterator[None]:
        self.depth += 1
        started = time.process_time() if self.depth == 1 else 0.0
        try:
            yield
        finally:
            if self.depth == 1:
                self.seconds += time.process_time() - started
            self.depth -= 1

    def wrap(self, owner: type, name: str) -> None:
        original: Callable[..., Awaitable[Any]] = getattr(owner, name)

        @functools.wraps(original)
        async def timed(*args: Any, **kwargs: Any) -> Any:
            with self.timing():
                return await original(*args, **kwargs)

        setattr(owner, name, timed)


SESSION_CALLS = ("exec", "execute", "get", "scalar", "scalars", "flush", "commit", "rollback",
                 "close", "connection", "refresh", "delete")  # fmt: skip
CONNECTION_CALLS = ("execute", "scalar", "scalars", "exec_driver_sql")


@dataclasses.dataclass
class Step:
    label: str
    updates: int = 0
    statements: int = 0
    cpu: float = 0.0
    db: float = 0.0


async def walk(resident: Resident, on_step: Callable[[int], Awaitable[None]] | None = None) -> None:
    for index, (action, argument, _expected) in enumerate(WALK):
        if action == "send":
            await resident.send(argument)
        else:
            await resident.press(argument)
        if on_step is not None:
            await on_step(index)


async def measure(url: str, residents: int) -> list[Step]:
    app = await build_app(Settings(database_url=url), apply_migrations=False)
    deps: Deps = dataclasses.replace(app.deps, flood=None)
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.engine.sync_engine, "before_cursor_execute", count)
    clock = DatabaseClock()
    for name in SESSION_CALLS:
        clock.wrap(AsyncSession, name)
    for name in CONNECTION_CALLS:
        clock.wrap(AsyncConnection, name)
    steps = [Step(f"{action} {argument}") for action, argument, _ in WALK]
    try:
        for n in range(WARM_UP):
            await walk(Resident(deps, telegram_id=FIRST_ID + residents + n))
        for n in range(residents):
            resident = Resident(deps, telegram_id=FIRST_ID + n)
            mark = (time.process_time(), clock.seconds, statements)

            async def record(index: int) -> None:
                nonlocal mark
                now = (time.process_time(), clock.seconds, statements)
                step = steps[index]
                step.updates += 1
                step.cpu += now[0] - mark[0]
                step.db += now[1] - mark[1]
                step.statements += now[2] - mark[2]
                mark = now

            await walk(resident, record)
    finally:
        await app.close()
    return steps


def print_steps(backend: str, steps: list[Step]) -> None:
    print(f"\n{backend}: per update, {steps[0].updates} residents")
    print(f"{'step':40} {'stmts':>6} {'CPU µs':>8} {'db µs':>8} {'db %':>6}")
    print("-" * 72)
    for step in steps:
        n = step.updates
        print(
            f"{step.label[:40]:40} {step.statements / n:6.1f} {step.cpu / n * 1e6:8.0f} "
            f"{step.db / n * 1e6:8.0f} {step.db / step.cpu * 100 if step.cpu else 0:5.0f}%"
        )
    updates = sum(s.updates for s in steps)
    cpu, db = sum(s.cpu for s in steps), sum(s.db for s in steps)
    print("-" * 72)
    print(
        f"{'all steps':40} {sum(s.statements for s in steps) / updates:6.1f} "
        f"{cpu / updates * 1e6:8.0f} {db / updates * 1e6:8.0f} {db / cpu * 100:5.0f}%"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=200)
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"{args.residents} residents x {len(WALK)} updates, one at a time, {os.cpu_count()} CPUs")
    databases = Databases()
    results: dict[str, list[Step]] = defaultdict(list)
    try:
        for backend in backends:
            results[backend] = await measure(await databases.fresh(backend), args.residents)
    finally:
        await databases.drop_all()
    for backend, steps in results.items():
        print_steps(backend, steps)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
