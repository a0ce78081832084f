"""Telling a dead dispatcher on this machine from a live one, by its name."""

from __future__ import annotations

import os
import subprocess
import sys

from bot.workers import died_here, this_host, worker_id


def test_a_name_holds_host_and_process() -> None:
    host, pid, rest = worker_id().split(":")
    assert host == this_host() and pid == str(os.getpid()) and len(rest) == 8


def test_a_finished_process_on_this_machine_is_dead() -> None:
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    gone = f"{this_host()}:{child.stdout.strip()}:deadbeef"
    assert died_here(gone, worker_id())


def test_a_live_process_another_machine_or_ourselves_is_not() -> None:
    me = worker_id()
    assert not died_here(me, me)
    assert not died_here(f"{this_host()}:1:abcdef12", me)  # init is alive
    assert not died_here("some-other-host:999999:abcdef12", me)
    assert not died_here("garbage", me)


def test_an_earlier_life_with_our_own_pid_is_dead() -> None:
    """A container restarted with the same pid (1, say) under a new name."""
    earlier = f"{this_host()}:{os.getpid()}:00000000"
    assert died_here(earlier, worker_id())
