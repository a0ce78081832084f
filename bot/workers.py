"""Names for worker processes, and telling whether one on this machine has died.

A dispatcher marks the delivery rows it claims with its name: host, process id and
a random part (``host:1234:ab12cd34``). When a process is killed (``kill -9``, an
out-of-memory kill, a container restart), its claimed rows would wait for the claim
timeout before another dispatcher takes them. A dispatcher on the same machine can
do better: if the named process is gone, its rows can be released at once.
"""

from __future__ import annotations

import os
import socket
import uuid

HOST_LENGTH = 40


def this_host() -> str:
    return socket.gethostname()[:HOST_LENGTH]


def worker_id() -> str:
    """A name for this process's dispatcher in ``deliveries.claimed_by``."""
    return f"{this_host()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"[:64]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive, and not ours to judge
    return True


def died_here(worker: str, me: str) -> bool:
    """Whether ``worker`` ran on this machine and is no longer running.

    A worker with our own process id but another name is an earlier life of this
    process (a container restarted with the same pid): dead. A process id that has
    been reused by another process looks alive; its rows wait for the claim timeout.
    """
    host, _, rest = worker.partition(":")
    pid_text = rest.partition(":")[0]
    if worker == me or host != this_host() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return True
    return not _alive(pid)
