"""Inbound events: what a resident did, stripped of any framework's types."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Sender:
    """Who sent an event, as Telegram describes them (ids are 64-bit)."""

    telegram_id: int
    chat_id: int
    first_name: str = ""
    username: str | None = None
    language_code: str | None = None
    chat_type: str = "private"


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """Base of every inbound event.

    ``update_id`` is Telegram's update id (``None`` in the terminal); it is what
    makes re-delivered updates idempotent. ``message_id`` is the id of the message
    the event came with (or, for a button press, the message carrying the button).
    """

    sender: Sender
    update_id: int | None = None
    message_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class TextMessage(Event):
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Command(Event):
    """A ``/command`` with what follows it, e.g. ``/start ev_12`` has payload ``ev_12``."""

    name: str
    payload: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ButtonPress(Event):
    """An inline button was pressed; ``data`` is the raw callback data, not yet trusted."""

    data: str
    callback_id: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class LocationShared(Event):
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True, kw_only=True)
class ContactShared(Event):
    phone_number: str
    first_name: str = ""
    contact_user_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PollAnswer(Event):
    poll_id: str
    option_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True, kw_only=True)
class PollState(Event):
    """The current counts of an anonymous poll the bot sent (Telegram sends no voter)."""

    poll_id: str
    counts: tuple[int, ...] = field(default_factory=tuple)
    closed: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PhotoShared(Event):
    """A photo, by Telegram's ``file_id`` (of its largest size), with its caption."""

    file_id: str
    caption: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsupported(Event):
    """Something the bot cannot use (a sticker, a voice note, a photo...)."""

    kind: str


InboundEvent = (
    TextMessage
    | Command
    | ButtonPress
    | LocationShared
    | ContactShared
    | PollAnswer
    | PollState
    | PhotoShared
    | Unsupported
)


def split_command(text: str, bot_username: str | None = None) -> tuple[str, str] | None:
    """Split ``/name@bot payload`` into ``(name, payload)``, or ``None`` if not a command.

    A command addressed to another bot (``/start@otherbot``) is not ours.
    """
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, payload = text.partition(" ")
    name, _, addressee = head[1:].partition("@")
    if addressee and bot_username and addressee.lower() != bot_username.lower():
        return None
    if not name or not all(ch.isalnum() or ch == "_" for ch in name):
        return None
    return name.lower(), payload.strip()
