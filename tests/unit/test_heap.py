"""``bot.heap.settle``, in a process of its own (freezing this one would keep every
test's garbage cycles for the rest of the run)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.cli import chinwag_environment

CHECK = """
import gc
from bot.heap import YOUNG_THRESHOLD, settle
middle, old = gc.get_threshold()[1:]
assert gc.get_freeze_count() == 0
frozen = settle()
assert frozen == gc.get_freeze_count() > 1000, frozen
assert gc.get_threshold() == (YOUNG_THRESHOLD, middle, old), gc.get_threshold()
print("settled", frozen)
"""


def test_settle_freezes_the_start_up_heap_and_spaces_out_young_collections() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHECK],
        env=chinwag_environment({}),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("settled ")
