"""The Bot API port over aiogram 3."""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
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


class AiogramPort(SharedBotCalls):
    def __init__(self, bot: Bot) -> None:
        super().__init__(
            bot,
            reply_markup,
            inline_markup,
            lambda content, name: BufferedInputFile(content, filename=name),
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
