"""The few Bot API calls the core's replies need, as a port each framework implements.

Rendering (``bot.transports.render``) and, later, the delivery engine speak to this
port, so the aiogram and python-telegram-bot transports behave the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from handlers.outbound import Keyboard


class Failure(Enum):
    RETRY_AFTER = "retry_after"  # 429: wait ``retry_after`` seconds, then try again
    FORBIDDEN = "forbidden"  # 403: blocked or deactivated; never retry
    TRANSIENT = "transient"  # 5xx, network, timeout: retry with backoff
    NOT_MODIFIED = "not_modified"  # an edit that changes nothing: fine
    NOT_FOUND = "not_found"  # the message to edit or delete is gone
    BAD_REQUEST = "bad_request"  # our fault: log it, do not retry


@dataclass(frozen=True, slots=True)
class Classified:
    failure: Failure
    retry_after: float = 0.0
    description: str = ""


def bad_request(description: str) -> Classified:
    """A 400 answer, by its description (the same words whichever framework read it)."""
    text = description.lower()
    if "not modified" in text:
        return Classified(Failure.NOT_MODIFIED, description=description)
    if "not found" in text or "can't be edited" in text or "can't be deleted" in text:
        return Classified(Failure.NOT_FOUND, description=description)
    return Classified(Failure.BAD_REQUEST, description=description)


class BotApiPort(Protocol):
    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int: ...

    async def edit_text(
        self, chat_id: int, message_id: int, text: str, buttons: Keyboard
    ) -> None: ...

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None: ...

    async def send_poll(
        self,
        chat_id: int,
        question: str,
        options: tuple[str, ...],
        allows_multiple: bool,
        anonymous: bool,
    ) -> tuple[int, str]: ...

    async def send_document(
        self, chat_id: int, filename: str, content: bytes, caption: str
    ) -> int: ...

    async def send_venue(
        self, chat_id: int, latitude: float, longitude: float, title: str, address: str
    ) -> int: ...

    async def send_photo(
        self, chat_id: int, file_id: str, caption: str, buttons: Keyboard
    ) -> int: ...

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None: ...

    async def stop_poll(self, chat_id: int, message_id: int) -> None: ...

    def classify(self, exc: BaseException) -> Classified | None:
        """What kind of Bot API failure ``exc`` is, or ``None`` if it is not one."""
        ...
