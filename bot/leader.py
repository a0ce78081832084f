"""One worker leads: it alone runs the delivery dispatcher and the periodic jobs.

Several ``chinwag run`` processes (on one machine or several) share one database.
Every one of them handles updates, but only the leader looks for due deliveries,
tops up repeating events and applies the retention rule. Claiming rows with
``SKIP LOCKED`` would keep several dispatchers from sending a row twice anyway;
one leader also keeps the send rate and the jobs' work from being done N times.

How a worker becomes the leader, and how a new one takes over:

- **PostgreSQL**: a session-level advisory lock on a connection of its own
  (``storage.advisory_lock``). When the leader dies, PostgreSQL drops its
  connection and the lock with it; the next attempt of another worker, within
  ``ATTEMPT_SECONDS``, takes it. Workers that are not the leader wake it with
  ``NOTIFY`` when they have just scheduled something due now.
- **SQLite** (one machine): a lease row (``leader_leases``) renewed every
  ``ATTEMPT_SECONDS`` and valid for ``LEASE_SECONDS``. A lease whose holder was a
  process on this machine that is no longer running is taken over at once
  (``bot.workers.died_here``); otherwise when it expires.
- **The terminal**: the only process; it always leads.

A leader that loses its lock (its connection gone) knows at its next attempt and
stops starting runs; a run already going finishes the rows it claimed, which no
other dispatcher can claim.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Callable

from sqlalchemy.exc import OperationalError

from bot.workers import died_here
from storage.advisory_lock import AdvisoryLock
from storage.database import is_sqlite
from storage.models import LeaderLease
from storage.uow import UnitOfWork

log = logging.getLogger("chinwag.leader")

JOB_NAME = "deliveries"
ATTEMPT_SECONDS = 1.0
LEASE_SECONDS = 10.0


class Election(ABC):
    """Whether this worker leads, checked again at every :meth:`attempt`."""

    leading: bool = False

    def __init__(self) -> None:
        self.on_wake: Callable[[], None] = lambda: None

    @abstractmethod
    async def attempt(self) -> bool:
        """Become or stay the leader if possible; returns whether we lead now."""

    @abstractmethod
    async def wake_leader(self) -> None:
        """Ask the leader, wherever it runs, to look for due work now."""

    @abstractmethod
    async def close(self) -> None:
        """Step down so another worker can lead at once."""


class SoleElection(Election):
    """One process and no other: the terminal, and tests of a single dispatcher."""

    async def attempt(self) -> bool:
        self.leading = True
        return True

    async def wake_leader(self) -> None:
        self.on_wake()

    async def close(self) -> None:
        self.leading = False


class LockElection(Election):
    """PostgreSQL: the advisory lock's holder leads."""

    def __init__(self, database_url: str) -> None:
        super().__init__()
        self.lock = AdvisoryLock(database_url, JOB_NAME, lambda: self.on_wake())

    async def attempt(self) -> bool:
        self.leading = await self.lock.try_hold()
        return self.leading

    async def wake_leader(self) -> None:
        await self.lock.notify()

    async def close(self) -> None:
        await self.lock.close()
        self.leading = False


class LeaseElection(Election):
    """SQLite: the holder of an unexpired lease row leads."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        me: str,
        *,
        lease_seconds: float = LEASE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__()
        self.uow = uow
        self.me = me
        self.lease_seconds = lease_seconds
        self.clock = clock
        self._woken_seen = 0.0
        self._held_until = 0.0

    async def attempt(self) -> bool:
        now = self.clock()
        try:
            held, lease = await self._take(now)
        except OperationalError as exc:  # the database busy or away for a moment
            log.warning("leader lease not renewed", extra={"error": type(exc).__name__})
            self.leading = self.leading and now < self._held_until
            return self.leading
        if held:
            self._held_until = now + self.lease_seconds - ATTEMPT_SECONDS
            woken_at = lease.woken_at if lease is not None else 0.0
            if self.leading and woken_at > self._woken_seen:
                self.on_wake()
            self._woken_seen = max(self._woken_seen, woken_at)
        self.leading = held
        return held

    async def _take(self, now: float) -> tuple[bool, LeaderLease | None]:
        # Read, then write in a transaction of its own: on SQLite a read transaction
        # that turns into a write fails at once if another worker wrote in between.
        async with self.uow() as uow:
            lease = await uow.leases.get(JOB_NAME)
        dead = None
        if lease is not None and lease.holder and died_here(lease.holder, self.me):
            dead = lease.holder
        async with self.uow() as uow:
            held = await uow.leases.take(JOB_NAME, self.me, now, self.lease_seconds, replacing=dead)
            await uow.commit()
        return held, lease

    async def wake_leader(self) -> None:
        async with self.uow() as uow:
            await uow.leases.wake(JOB_NAME, self.clock())
            await uow.commit()

    async def close(self) -> None:
        if self.leading:
            async with self.uow() as uow:
                await uow.leases.release(JOB_NAME, self.me)
                await uow.commit()
        self.leading = False


def election_for(database_url: str, uow: Callable[[], UnitOfWork], me: str) -> Election:
    if is_sqlite(database_url):
        return LeaseElection(uow, me)
    return LockElection(database_url)
