"""Bot API calls that aiogram and python-telegram-bot spell the same way.

Both frameworks mirror the Bot API's method names and argument order, so the port's
calls are written once here; each framework's port supplies only what differs:
how it builds keyboards and uploads, and how it names its errors (``classify``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.outbound import Keyboard

ReplyMarkup = Callable[[Keyboard, tuple[tuple[str, ...], ...], str | None, bool], Any]
InlineMarkup = Callable[[Keyboard], Any]
Upload = Callable[[bytes, str], Any]  # (content, filename) -> the framework's file object

DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


class SharedBotCalls:
    def __init__(
        self, bot: Any, reply_markup: ReplyMarkup, inline_markup: InlineMarkup, upload: Upload
    ) -> None:
        self.api: Any = bot  # an aiogram ``Bot`` or a python-telegram-bot ``Bot``
        self._reply_markup = reply_markup
        self._inline_markup = inline_markup
        self._upload = upload

    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int:
        markup = self._reply_markup(buttons, reply_keyboard, request_location, remove_keyboard)
        return await self.send_message_id(chat_id, text, markup)

    async def send_message_id(self, chat_id: int, text: str, markup: Any) -> int:
        """sendMessage, for the new message's id (all that is read of the answer)."""
        message = await self.api.send_message(chat_id, text, reply_markup=markup)
        return int(message.message_id)

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        await self.edit_message(chat_id, message_id, text, self._inline_markup(buttons))

    async def edit_message(self, chat_id: int, message_id: int, text: str, markup: Any) -> None:
        """editMessageText (nothing of the answer is read)."""
        await self.api.edit_message_text(
            text=text, chat_id=chat_id, message_id=message_id, reply_markup=markup
        )

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str) -> int:
        message = await self.api.send_document(
            chat_id, self._upload(content, filename), caption=caption or None
        )
        return int(message.message_id)

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        await self.api.answer_callback_query(callback_id, text=text or None, show_alert=alert)

    async def send_poll(
        self,
        chat_id: int,
        question: str,
        options: tuple[str, ...],
        allows_multiple: bool,
        anonymous: bool,
    ) -> tuple[int, str]:
        message = await self.api.send_poll(
            chat_id,
            question,
            list(options),
            allows_multiple_answers=allows_multiple,
            is_anonymous=anonymous,
        )
        assert message.poll is not None
        return int(message.message_id), str(message.poll.id)

    async def send_venue(
        self, chat_id: int, latitude: float, longitude: float, title: str, address: str
    ) -> int:
        message = await self.api.send_venue(chat_id, latitude, longitude, title, address)
        return int(message.message_id)

    async def send_photo(self, chat_id: int, file_id: str, caption: str, buttons: Keyboard) -> int:
        message = await self.api.send_photo(
            chat_id,
            file_id,
            caption=caption or None,
            reply_markup=self._inline_markup(buttons),
        )
        return int(message.message_id)

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None:
        for start in range(0, len(message_ids), DELETE_BATCH):
            await self.api.delete_messages(chat_id, list(message_ids[start : start + DELETE_BATCH]))

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        await self.api.stop_poll(chat_id, message_id)
