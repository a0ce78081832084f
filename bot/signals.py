"""Stop cleanly on SIGINT and SIGTERM, as service managers and Ctrl-C ask."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Callable


def on_stop_signals(callback: Callable[[], None]) -> None:
    """Call ``callback`` on SIGINT or SIGTERM (inside the running event loop)."""
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        # Windows has no loop signal handlers, nor has a thread other than the main one.
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, callback)
