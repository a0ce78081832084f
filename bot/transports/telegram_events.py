"""Telegram objects to ``handlers.inbound`` events, for either framework.

aiogram and python-telegram-bot both model the Bot API one to one, so their
``Message``, ``CallbackQuery`` and ``PollAnswer`` share the attribute names used
here; one translator serves both transports.
"""

from __future__ import annotations

from typing import Any

from handlers.inbound import (
    ButtonPress,
    Command,
    ContactShared,
    InboundEvent,
    LocationShared,
    PhotoShared,
    PollAnswer,
    PollState,
    Sender,
    TextMessage,
    Unsupported,
    split_command,
)

UNSUPPORTED_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "document",
    "animation",
    "poll",
    "dice",
    "venue",
    "game",
    "story",
)


def sender_of(user: Any, chat_id: int, chat_type: str) -> Sender:
    return Sender(
        telegram_id=user.id,
        chat_id=chat_id,
        first_name=user.first_name or "",
        username=user.username,
        language_code=user.language_code,
        chat_type=str(chat_type),
    )


def _kind(message: Any) -> str:
    return next((k for k in UNSUPPORTED_KINDS if getattr(message, k, None)), "other")


def from_message(
    message: Any, update_id: int | None, bot_username: str | None
) -> InboundEvent | None:
    if message.from_user is None:
        return None
    sender = sender_of(message.from_user, message.chat.id, message.chat.type)
    base: dict[str, Any] = {
        "sender": sender,
        "update_id": update_id,
        "message_id": message.message_id,
    }
    if message.text is not None:
        command = split_command(message.text, bot_username)
        if command is not None:
            return Command(name=command[0], payload=command[1], **base)
        if message.text.startswith("/") and "@" in message.text.split(" ")[0]:
            return None  # a command addressed to another bot
        return TextMessage(text=message.text, **base)
    if message.location is not None:
        return LocationShared(
            latitude=message.location.latitude, longitude=message.location.longitude, **base
        )
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width or 0) * (size.height or 0))
        return PhotoShared(file_id=largest.file_id, caption=message.caption or "", **base)
    if message.contact is not None:
        return ContactShared(
            phone_number=message.contact.phone_number,
            first_name=message.contact.first_name or "",
            contact_user_id=message.contact.user_id,
            **base,
        )
    return Unsupported(kind=_kind(message), **base)


def from_callback(query: Any, update_id: int | None) -> ButtonPress | None:
    message = query.message
    if message is None or query.data is None:
        return None
    return ButtonPress(
        sender=sender_of(query.from_user, message.chat.id, message.chat.type),
        update_id=update_id,
        message_id=message.message_id,
        data=query.data,
        callback_id=query.id,
    )


def from_poll_answer(answer: Any, update_id: int | None) -> PollAnswer | None:
    if answer.user is None:
        return None
    return PollAnswer(
        sender=sender_of(answer.user, answer.user.id, "private"),
        update_id=update_id,
        poll_id=answer.poll_id,
        option_ids=tuple(answer.option_ids),
    )


def from_poll(poll: Any, update_id: int | None) -> PollState:
    """A poll's new counts (Telegram sends these for polls the bot sent)."""
    return PollState(
        sender=Sender(0, 0),  # no person: the dispatcher handles these before any user lookup
        update_id=update_id,
        poll_id=str(poll.id),
        counts=tuple(int(option.voter_count) for option in poll.options),
        closed=bool(poll.is_closed),
    )
