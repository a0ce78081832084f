"""A ``BotApiPort`` that records every call and fails on demand, for the dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.transports.port import Classified, Failure
from handlers.outbound import Keyboard


class ApiFailure(Exception):
    def __init__(self, status: int, description: str = "", retry_after: float = 0.0) -> None:
        super().__init__(description or f"error {status}")
        self.status = status
        self.retry_after = retry_after


@dataclass
class Call:
    method: str
    chat_id: int
    text: str = ""
    buttons: Keyboard = ()
    extra: dict[str, Any] = field(default_factory=dict)


class RecordingPort:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.blocked: set[int] = set()
        self.last_id = 100
        # The Bot API's refusal of a call, if any (``None``: it is accepted).
        self.refuse: Callable[[Call], ApiFailure | None] = lambda _call: None

    def _next(self, call: Call) -> int:
        if call.chat_id in self.blocked and call.method != "answerCallbackQuery":
            raise ApiFailure(403, "Forbidden: bot was blocked by the user")
        refused = self.refuse(call)
        if refused is not None:
            raise refused
        self.calls.append(call)
        self.last_id += 1
        return self.last_id

    def to(self, chat_id: int, method: str | None = None) -> list[Call]:
        return [c for c in self.calls if c.chat_id == chat_id and method in (None, c.method)]

    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int:
        return self._next(Call("sendMessage", chat_id, text, buttons))

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        self._next(Call("editMessageText", chat_id, text, buttons, {"message_id": message_id}))

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        return None

    async def send_poll(
        self,
        chat_id: int,
        question: str,
        options: tuple[str, ...],
        allows_multiple: bool,
        anonymous: bool,
    ) -> tuple[int, str]:
        message_id = self._next(Call("sendPoll", chat_id, question))
        return message_id, f"poll-{message_id}"

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str) -> int:
        return self._next(Call("sendDocument", chat_id, caption))

    async def send_venue(
        self, chat_id: int, latitude: float, longitude: float, title: str, address: str
    ) -> int:
        return self._next(
            Call("sendVenue", chat_id, title, extra={"latitude": latitude, "longitude": longitude})
        )

    async def send_photo(self, chat_id: int, file_id: str, caption: str, buttons: Keyboard) -> int:
        return self._next(Call("sendPhoto", chat_id, caption, buttons, {"photo": file_id}))

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None:
        self._next(Call("deleteMessages", chat_id, extra={"message_ids": message_ids}))

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        self._next(Call("stopPoll", chat_id))

    def classify(self, exc: BaseException) -> Classified | None:
        if not isinstance(exc, ApiFailure):
            return None
        if exc.status == 429:
            return Classified(Failure.RETRY_AFTER, exc.retry_after, str(exc))
        if exc.status == 403:
            return Classified(Failure.FORBIDDEN, description=str(exc))
        if exc.status >= 500:
            return Classified(Failure.TRANSIENT, description=str(exc))
        return Classified(Failure.BAD_REQUEST, description=str(exc))
