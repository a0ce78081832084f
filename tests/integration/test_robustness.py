"""A bot that keeps running: floods, bugs in handlers, and a database that goes away."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest
from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from bot.bootstrap import App
from bot.logs import JsonFormatter
from bot.transports.core import process
from bot.transports.polling import RetryLater
from handlers.flood import FloodGate, Verdict
from handlers.inbound import TextMessage
from handlers.outbound import Text
from storage.models import ProcessedUpdate, User
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.support.resident import Resident


def test_the_flood_gate_warns_once_then_drops_then_recovers() -> None:
    gate = FloodGate(limit=3, window_seconds=10)
    verdicts = [gate.check(1, t) for t in (0, 1, 2, 3, 4, 5)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.WARN, Verdict.DROP, Verdict.DROP]
    assert gate.check(2, 5) is Verdict.ALLOW  # another user is unaffected
    assert gate.check(1, 10.5) is Verdict.ALLOW  # the window has moved on


async def count_rows(app: App, model: type[object]) -> int:
    async with app.deps.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(model))).one())


async def test_a_flood_is_dropped_without_writes_while_others_are_served(app: App) -> None:
    clock = [0.0]
    app.deps = dataclasses.replace(app.deps, flood=FloodGate(5, 10), monotonic=lambda: clock[0])
    flooder, other = Resident(app.deps, 9_000_000_001), Resident(app.deps, 9_000_000_002)
    await walk_to_exists(flooder)  # 5 events: exactly the limit
    before = await count_rows(app, ProcessedUpdate)
    replies = [await flooder.send(f"spam {i}") for i in range(20)]
    assert ["slow down" in r[0].text for r in replies if r and isinstance(r[0], Text)] == [True]
    assert sum(1 for r in replies if r) == 1
    assert await count_rows(app, ProcessedUpdate) == before  # nothing written for the flood
    assert "exists" not in await answers_of(app.deps, 9_000_000_001)
    await other.send("/start")
    assert "What would you like to do?" in other.text
    clock[0] = 30.0
    await flooder.send("Back to normal")
    assert (await answers_of(app.deps, 9_000_000_001))["exists"].text == "Back to normal"


async def test_staff_are_exempt_from_the_resident_flood_limit(app: App) -> None:
    app.deps = dataclasses.replace(app.deps, flood=FloodGate(2, 10), monotonic=lambda: 0.0)
    pcso = Resident(app.deps, 9_000_000_003)
    await pcso.send("/start")
    async with app.deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == 9_000_000_003))).one()
        user.role = "pcso"
        uow.session.add(user)
        await uow.commit()
    for _ in range(10):
        await pcso.send("/help")
        assert "How to use Chinwag" in pcso.text


async def test_a_bug_in_a_handler_gets_an_apology_and_is_logged_without_text(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(ctx: object) -> list[object]:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("handlers.dispatch.route", broken)
    r = Resident(app.deps, 9_000_000_004)
    event = TextMessage(sender=r.sender, update_id=31337, text="my secret address")
    with caplog.at_level(logging.ERROR, logger="chinwag.updates"):
        replies = await process(app, event)
    assert isinstance(replies[0], Text) and "Sorry, something went wrong" in replies[0].text
    assert [b.label for row in replies[0].buttons for b in row] == ["🏠 Main menu"]
    record = caplog.records[-1]
    assert record.update_id == 31337 and record.event == "TextMessage"  # type: ignore[attr-defined]
    line = JsonFormatter().format(record)
    assert "my secret address" not in line and json.loads(line)["update_id"] == 31337

    monkeypatch.undo()
    await r.send("/start")  # still serving
    assert "What would you like to do?" in r.text


async def test_an_unavailable_database_asks_for_the_update_again(app: App) -> None:
    def down() -> object:
        raise OperationalError("connect", {}, ConnectionRefusedError("refused"))

    app.deps = dataclasses.replace(app.deps, uow=down)  # type: ignore[arg-type]
    r = Resident(app.deps, 9_000_000_005)
    with pytest.raises(RetryLater):
        await process(app, TextMessage(sender=r.sender, update_id=1, text="hello"))
