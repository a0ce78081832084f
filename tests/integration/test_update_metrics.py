"""Every update the core handles is counted with its outcome, and timed."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy.exc import OperationalError

from bot.bootstrap import App
from bot.metrics import event_kind
from bot.transports.core import process
from bot.transports.polling import RetryLater
from handlers.inbound import ButtonPress, Command, Sender, TextMessage
from storage.uow import UnitOfWork

SENDER = Sender(5_500_000_001, 5_500_000_001, "Robin", None, "en")


def handled(app: App, event: str, outcome: str) -> float:
    value = app.metrics.registry.get_sample_value(
        "chinwag_updates_handled_total", {"event": event, "outcome": outcome}
    )
    return value or 0.0


def timed(app: App, event: str) -> float:
    value = app.metrics.registry.get_sample_value(
        "chinwag_handler_latency_seconds_count", {"event": event}
    )
    return value or 0.0


def test_event_kinds_are_snake_case_labels() -> None:
    assert event_kind(TextMessage(sender=SENDER, text="hi")) == "text_message"
    assert event_kind(ButtonPress(sender=SENDER, data="x")) == "button_press"
    assert event_kind(Command(sender=SENDER, name="start")) == "command"


async def test_a_handled_update_is_counted_ok_and_timed(app: App) -> None:
    replies = await process(app, Command(sender=SENDER, name="start", update_id=1))
    assert replies
    await process(app, TextMessage(sender=SENDER, text="hello", update_id=2))
    assert handled(app, "command", "ok") == 1
    assert handled(app, "text_message", "ok") == 1
    assert timed(app, "command") == 1
    total = app.metrics.registry.get_sample_value(
        "chinwag_handler_latency_seconds_sum", {"event": "command"}
    )
    assert total is not None and 0 < total < 10


async def test_a_bug_is_counted_as_an_apology(app: App) -> None:
    def broken() -> UnitOfWork:
        raise RuntimeError("a bug")

    app.deps = dataclasses.replace(app.deps, uow=broken)
    replies = await process(app, Command(sender=SENDER, name="start", update_id=3))
    assert replies  # the apology
    assert handled(app, "command", "apology") == 1
    assert handled(app, "command", "ok") == 0
    assert timed(app, "command") == 1


async def test_a_database_away_is_counted_as_a_retry(app: App) -> None:
    def away() -> UnitOfWork:
        raise OperationalError("SELECT 1", None, ConnectionRefusedError())

    app.deps = dataclasses.replace(app.deps, uow=away)
    with pytest.raises(RetryLater):
        await process(app, TextMessage(sender=SENDER, text="hello", update_id=4))
    assert handled(app, "text_message", "retry") == 1
    assert timed(app, "text_message") == 1
