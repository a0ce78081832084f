"""Running ``chinwag`` as a person at a terminal does: a new process, its settings from
the environment."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

CHINWAG = (sys.executable, "-m", "bot")


def chinwag_environment(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without its ``CHINWAG_`` settings, and with
    ``settings``: whatever the test runner has set (its database, say) never leaks in."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("CHINWAG_")}
    return {**kept, **settings}


def run_chinwag(
    args: list[str], settings: Mapping[str, str], cwd: Path, *, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``chinwag ARGS`` to its end; its exit code and output, as text."""
    return subprocess.run(
        [*CHINWAG, *args],
        env=chinwag_environment(settings),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
