"""Flood control: a resident who sends too much too fast is asked, once, to slow down.

Counting happens in memory before anything touches the database, so a flood costs
no writes. Each worker counts on its own; the limit is a courtesy, not security.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first event over the limit: say "please slow down"
    DROP = "drop"  # the rest of the flood: ignore


@dataclass
class _Window:
    times: deque[float] = field(default_factory=deque)
    warned: bool = False


class FloodGate:
    def __init__(self, limit: int, window_seconds: float, max_tracked: int = 100_000) -> None:
        self.limit = limit
        self.window = window_seconds
        self.max_tracked = max_tracked
        self._windows: dict[int, _Window] = {}

    def check(self, key: int, now: float) -> Verdict:
        """Count one event from ``key`` at monotonic time ``now``."""
        state = self._windows.get(key)
        if state is None:
            if len(self._windows) >= self.max_tracked:
                self._forget_idle(now)
            state = self._windows[key] = _Window()
        times = state.times
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) < self.limit:
            times.append(now)
            state.warned = False
            return Verdict.ALLOW
        if state.warned:
            return Verdict.DROP
        state.warned = True
        return Verdict.WARN

    def _forget_idle(self, now: float) -> None:
        idle = [
            k for k, s in self._windows.items() if not s.times or now - s.times[-1] >= self.window
        ]
        for key in idle:
            del self._windows[key]
