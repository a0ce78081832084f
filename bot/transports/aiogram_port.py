"""The Bot API port over aiogram 3.

Sending and editing texts, the calls made for nearly every update, read only the new
message's id from the answer. aiogram would validate the whole ``Message`` answered
(the chat, the sender, the keyboard) into typed objects, about a third of the CPU
of the call; ``SendMessageForId`` and ``EditMessageTextQuietly`` are the same Bot API
methods read as ``MessageId`` (whose other fields stay as they came, unchecked).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import EditMessageText, SendMessage
from aiogram.methods.base import Response
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageId,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from bot.transports.port import Classified, Failure, bad_request
from bot.transports.shared_calls import SharedBotCalls
from handlers.outbound import Keyboard


def inline_markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(text=b.label, callback_data=b.payload)
                for b in row
            ]
            for row in buttons
        ]
    )


def reply_markup(
    buttons: Keyboard, keys: tuple[tuple[str, ...], ...], location: str | None, remove: bool
) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None:
    if buttons:
        return inline_markup(buttons)
    if keys or location:
        rows = [[KeyboardButton(text=k) for k in row] for row in keys]
        if location:
            rows.insert(0, [KeyboardButton(text=location, request_location=True)])
        return ReplyKeyboardMarkup(keyboard=rows, resize_keyboard=True, one_time_keyboard=True)
    if remove:
        return ReplyKeyboardRemove()
    return None


class SendMessageForId(SendMessage):
    __returning__ = MessageId  # type: ignore[assignment]  # the same call, less read


class EditMessageTextQuietly(EditMessageText):
    __returning__ = MessageId | bool  # type: ignore[assignment]  # True when the message was not the bot's own


RESPONSE_MODELS = (Response[MessageId], Response[MessageId | bool])  # built once, kept


class AiogramPort(SharedBotCalls):
    def __init__(self, bot: Bot) -> None:
        super().__init__(
            bot,
            reply_markup,
            inline_markup,
            lambda content, name: BufferedInputFile(content, filename=name),
        )

    async def send_message_id(self, chat_id: int, text: str, markup: Any) -> int:
        sent = await self.api(SendMessageForId(chat_id=chat_id, text=text, reply_markup=markup))
        return int(sent.message_id)

    async def edit_message(self, chat_id: int, message_id: int, text: str, markup: Any) -> None:
        await self.api(
            EditMessageTextQuietly(
                chat_id=chat_id, message_id=message_id, text=text, reply_markup=markup
            )
        )

    def classify(self, exc: BaseException) -> Classified | None:
        if isinstance(exc, TelegramRetryAfter):
            return Classified(Failure.RETRY_AFTER, float(exc.retry_after), exc.message)
        if isinstance(exc, TelegramForbiddenError):
            return Classified(Failure.FORBIDDEN, description=exc.message)
        if isinstance(
            exc, TelegramServerError | TelegramNetworkError | ClientDecodeError | TimeoutError
        ):
            return Classified(Failure.TRANSIENT, description=str(exc))
        if isinstance(exc, TelegramBadRequest):
            return bad_request(exc.message)
        return None
