"""Progress on stderr: a bar in a terminal, a few plain lines in logs (cron, systemd)."""

from __future__ import annotations

import math
import sys
from typing import Protocol, TextIO

LINES_PER_RUN = 10  # without a terminal, report about every tenth of the way


class Progress(Protocol):
    def advance(self, label: str) -> None: ...

    def close(self) -> None: ...


class LineProgress:
    """``police.uk cheshire: 13/122`` now and then: readable in a log file."""

    def __init__(self, total: int, desc: str, stream: TextIO) -> None:
        self.total, self.desc, self.stream = total, desc, stream
        self.done = 0
        self.every = max(1, math.ceil(total / LINES_PER_RUN))

    def advance(self, label: str) -> None:
        self.done += 1
        if self.done % self.every == 0 or self.done == self.total:
            print(f"{self.desc}: {self.done}/{self.total} ({label})", file=self.stream, flush=True)

    def close(self) -> None:
        pass


class BarProgress:
    """A tqdm bar, for a person watching a terminal."""

    def __init__(self, total: int, desc: str, stream: TextIO) -> None:
        from tqdm import tqdm  # type: ignore[import-untyped]

        self._bar = tqdm(total=total, desc=desc, unit="nbhd", file=stream, leave=True)

    def advance(self, label: str) -> None:
        self._bar.set_postfix_str(label, refresh=False)
        self._bar.update(1)

    def close(self) -> None:
        self._bar.close()


def progress_on_stderr(total: int, desc: str, stream: TextIO | None = None) -> Progress:
    """A bar if ``stream`` (stderr by default) is a terminal, plain lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return BarProgress(total, desc, stream)
    return LineProgress(total, desc, stream)
