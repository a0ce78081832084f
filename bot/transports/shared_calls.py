"""Bot API calls that aiogram and python-telegram-bot spell the same way.

Both frameworks mirror the Bot API's method names and argument order, so these
port methods are written once; each framework's port adds what differs (markup
types, file uploads, error classes).
"""

from __future__ import annotations

from typing import Any

DELETE_BATCH = 100  # deleteMessages takes at most 100 ids


class SharedBotCalls:
    def __init__(self, bot: Any) -> None:
        self.api: Any = bot  # an aiogram ``Bot`` or a python-telegram-bot ``Bot``

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

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None:
        for start in range(0, len(message_ids), DELETE_BATCH):
            await self.api.delete_messages(chat_id, list(message_ids[start : start + DELETE_BATCH]))

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        await self.api.stop_poll(chat_id, message_id)
