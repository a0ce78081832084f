"""Telegram's flood limits for the fake Bot API, and counts of what each chat received.

Telegram answers 429 ``Too Many Requests: retry after N`` (with
``parameters.retry_after``) to a bot that sends more than about 30 messages a
second overall, or more than about one a second to one chat. ``SendLimits`` does
the same over a sliding one-second window when asked to (``per_second``,
``chat_interval``), and always counts the sends, the 429s and the messages each
chat received, so a test or a benchmark can find duplicates and losses.
"""

from __future__ import annotations

import math
import time
from collections import Counter, deque
from collections.abc import Callable
from typing import Any

from tests.fakes.params import ApiError

TELEGRAM_PER_SECOND = 30  # messages a second to different chats, for free
SEND_METHODS = frozenset(
    {"sendMessage", "sendPhoto", "sendDocument", "sendPoll", "sendLocation", "sendVenue"}
)


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


class SendLimits:
    def __init__(
        self,
        per_second: int | None = None,
        chat_interval: float | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.per_second = per_second
        self.chat_interval = chat_interval
        self.clock = clock
        self.sends = 0  # send requests, refused or not
        self.refused = 0  # of those, answered 429
        self.received: Counter[int] = Counter()  # chat id -> messages it received
        self._window: deque[float] = deque()  # when the sends of the last second came
        self._last_in_chat: dict[int, float] = {}

    @property
    def refused_share(self) -> float:
        return self.refused / self.sends if self.sends else 0.0

    def check(self, method: str, params: dict[str, Any]) -> None:
        """Count a send; raise a 429 if it is over a limit (nothing else is counted then)."""
        if method not in SEND_METHODS:
            return
        self.sends += 1
        now = self.clock()
        chat_id = params.get("chat_id")
        if self.per_second is not None:
            while self._window and self._window[0] <= now - 1.0:
                self._window.popleft()
            if len(self._window) >= self.per_second:
                self._refuse(self._window[0] + 1.0 - now)
        if self.chat_interval is not None and isinstance(chat_id, int):
            last = self._last_in_chat.get(chat_id)
            if last is not None and now - last < self.chat_interval:
                self._refuse(last + self.chat_interval - now)
            self._last_in_chat[chat_id] = now
        if self.per_second is not None:
            self._window.append(now)

    def _refuse(self, seconds: float) -> None:
        self.refused += 1
        raise too_many_requests(max(1, math.ceil(seconds)))

    def delivered(self, method: str, params: dict[str, Any]) -> None:
        chat_id = params.get("chat_id")
        if method in SEND_METHODS and isinstance(chat_id, int):
            self.received[chat_id] += 1
