"""The update queue with Telegram's ``getUpdates`` offset semantics, and change signals."""

from __future__ import annotations

import asyncio
import bisect
import copy
from dataclasses import dataclass
from typing import Any

# What Telegram sends when ``allowed_updates`` was never given (or given empty).
DEFAULT_EXCLUDED = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


class Signal:
    """A broadcast "something changed" that any number of coroutines can wait for.

    ``seq`` counts the changes, so a waiter can tell what happened after a point.
    """

    def __init__(self) -> None:
        self.seq = 0
        self._event: asyncio.Event | None = None

    def fire(self) -> int:
        self.seq += 1
        if self._event is not None:
            self._event.set()
            self._event = None
        return self.seq

    async def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the next change; True if there was one."""
        if timeout <= 0:
            return False
        if self._event is None:
            self._event = asyncio.Event()
        event = self._event
        try:
            async with asyncio.timeout(timeout):
                await event.wait()
        except TimeoutError:
            return False
        return True


@dataclass(eq=False)  # identity: a re-delivered copy is a different entry
class QueuedUpdate:
    update: dict[str, Any]
    chat_id: int | None
    redelivery: bool = False
    delivered: bool = False

    @property
    def update_id(self) -> int:
        return int(self.update["update_id"])

    @property
    def kind(self) -> str:
        return next(key for key in self.update if key != "update_id")


class UpdateQueue:
    """Updates not yet confirmed, in ``update_id`` order.

    Telegram forgets every update with an id below the ``offset`` of a
    ``getUpdates`` call. A re-delivered update (see :meth:`redeliver`) keeps its old
    id, so it is exempt from that until it has been handed out once; kept in id
    order it comes first in its batch, and clients' "last id + 1" offsets still work.
    """

    def __init__(self, first_id: int = 1) -> None:
        self._next_id = first_id
        self._entries: list[QueuedUpdate] = []
        self.history: dict[int, QueuedUpdate] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def next_id(self) -> int:
        update_id = self._next_id
        self._next_id += 1
        return update_id

    def push(self, update: dict[str, Any], chat_id: int | None) -> QueuedUpdate:
        entry = QueuedUpdate(update, chat_id)
        self.history[entry.update_id] = entry
        self._insert(entry)
        return entry

    def _insert(self, entry: QueuedUpdate) -> None:
        keys = [e.update_id for e in self._entries]
        self._entries.insert(bisect.bisect_right(keys, entry.update_id), entry)

    def redeliver(self, update_id: int) -> None:
        if update_id not in self.history:
            raise KeyError(f"no update {update_id} was ever queued")
        if any(e.update_id == update_id for e in self._entries):
            return  # not confirmed yet: it will be delivered again anyway
        old = self.history[update_id]
        self._insert(QueuedUpdate(copy.deepcopy(old.update), old.chat_id, redelivery=True))

    def confirm(self, offset: int) -> None:
        """Forget what ``offset`` confirms; a negative one keeps the last ``-offset``."""
        if offset < 0:
            self._entries = self._entries[offset:]
            return
        self._entries = [
            e for e in self._entries if e.update_id >= offset or (e.redelivery and not e.delivered)
        ]

    def ready(self, allowed: frozenset[str] | None) -> list[QueuedUpdate]:
        """The deliverable updates; ones of a type not allowed are dropped for good."""
        if allowed is not None:
            self._entries = [e for e in self._entries if e.kind in allowed]
        else:
            self._entries = [e for e in self._entries if e.kind not in DEFAULT_EXCLUDED]
        return list(self._entries)

    def remove(self, entry: QueuedUpdate) -> None:
        if entry in self._entries:
            self._entries.remove(entry)

    def clear(self) -> None:
        self._entries.clear()

    def undelivered(self, chat_id: int) -> int:
        return sum(1 for e in self._entries if e.chat_id == chat_id and not e.delivered)
