"""Stop cleanly on SIGINT and SIGTERM, as service managers and Ctrl-C ask."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signals(callback: Callable[[], None]) -> None:
    """Call ``callback`` on SIGINT or SIGTERM, inside the running event loop.

    Only the main thread may set signal handlers: elsewhere nothing is changed, and
    signals go to whoever runs that thread. Where the loop cannot watch signals
    itself (Windows), a plain signal handler hands the call to the loop.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    loop = asyncio.get_running_loop()

    def hand_to_loop(_signum: int, _frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(callback)

    for sig in STOP_SIGNALS:
        if loop_watches_signals():
            loop.add_signal_handler(sig, callback)
        else:
            signal.signal(sig, hand_to_loop)


def loop_watches_signals() -> bool:
    return sys.platform != "win32"
