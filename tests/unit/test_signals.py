"""bot.signals: SIGINT and SIGTERM stop the app, on the loop, wherever it runs."""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from collections.abc import AsyncIterator

import pytest

from bot import signals
from bot.signals import STOP_SIGNALS, on_stop_signals


@pytest.fixture
async def restored_handlers() -> AsyncIterator[None]:
    before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    yield
    loop = asyncio.get_running_loop()
    for sig, handler in before.items():
        loop.remove_signal_handler(sig)
        signal.signal(sig, handler)


async def _stopped_by(sig: signal.Signals) -> bool:
    stopped = asyncio.Event()
    on_stop_signals(stopped.set)
    os.kill(os.getpid(), sig)
    await asyncio.wait_for(stopped.wait(), 5)
    return stopped.is_set()


@pytest.mark.parametrize("sig", STOP_SIGNALS)
async def test_a_stop_signal_calls_back_on_the_loop(
    sig: signal.Signals, restored_handlers: None
) -> None:
    assert await _stopped_by(sig)


async def test_without_loop_signal_handlers_a_plain_handler_hands_over(
    monkeypatch: pytest.MonkeyPatch, restored_handlers: None
) -> None:
    # As on Windows, where the loop cannot watch signals.
    monkeypatch.setattr(signals, "loop_watches_signals", lambda: False)
    called_in: list[int] = []
    stopped = asyncio.Event()

    def stop() -> None:
        called_in.append(threading.get_ident())
        stopped.set()

    on_stop_signals(stop)
    assert signal.getsignal(signal.SIGTERM) not in (signal.SIG_DFL, signal.SIG_IGN)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(stopped.wait(), 5)
    assert called_in == [threading.get_ident()]


def test_outside_the_main_thread_nothing_is_changed() -> None:
    before = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(_set_up_only())
        except BaseException as exc:  # kept for the assertion below
            errors.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(5)
    assert errors == []
    assert {sig: signal.getsignal(sig) for sig in STOP_SIGNALS} == before


async def _set_up_only() -> None:
    on_stop_signals(lambda: None)
