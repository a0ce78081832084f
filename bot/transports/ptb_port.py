"""The Bot API port over python-telegram-bot 22."""

from __future__ import annotations

import os
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.transports.port import Classified, Failure, bad_request
from bot.transports.shared_calls import SharedBotCalls
from handlers.outbound import Keyboard


def inline_markup(buttons: Keyboard) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.payload)
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
        rows = [[KeyboardButton(k) for k in row] for row in keys]
        if location:
            rows.insert(0, [KeyboardButton(location, request_location=True)])
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, one_time_keyboard=True)
    if remove:
        return ReplyKeyboardRemove()
    return None


def use_timedelta_durations() -> None:
    """Opt in to ptb 23's ``timedelta`` durations (``RetryAfter.retry_after``).

    ptb 22 warns whenever it builds a ``RetryAfter`` otherwise; the setting is read
    from the environment when the error is built, so it is set before the first call.
    """
    os.environ.setdefault("PTB_TIMEDELTA", "true")


def _retry_seconds(exc: RetryAfter) -> float:
    value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class PtbPort(SharedBotCalls):
    def __init__(self, bot: Bot) -> None:
        use_timedelta_durations()
        super().__init__(
            bot,
            reply_markup,
            inline_markup,
            lambda content, name: InputFile(content, filename=name),
        )

    def classify(self, exc: BaseException) -> Classified | None:
        if isinstance(exc, RetryAfter):
            return Classified(Failure.RETRY_AFTER, _retry_seconds(exc), exc.message)
        if isinstance(exc, Forbidden):
            return Classified(Failure.FORBIDDEN, description=exc.message)
        if isinstance(exc, BadRequest):  # a subclass of NetworkError in ptb: test it first
            return bad_request(exc.message)
        if isinstance(exc, TimedOut | NetworkError | TimeoutError):
            return Classified(Failure.TRANSIENT, description=str(exc))
        return None
