"""Outbound replies: what the bot wants to say, for any transport to render.

Text is Telegram-flavoured HTML (``<b>``, ``<i>``, ``<a>``); anything that came from
a user must already be escaped (see ``handlers.markup``). Transports split text over
the Bot API's 4096-character limit and turn buttons into their own keyboards.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a label for people and a payload for the bot (<= 64 bytes)."""

    label: str
    payload: str = ""
    url: str | None = None


Keyboard = tuple[tuple[Button, ...], ...]


def keyboard(*rows: list[Button] | tuple[Button, ...]) -> Keyboard:
    return tuple(tuple(row) for row in rows if row)


def one_per_row(buttons: list[Button]) -> Keyboard:
    return tuple((b,) for b in buttons)


@dataclass(frozen=True, slots=True, kw_only=True)
class Reply:
    """Base of every reply. ``chat_id`` is ``None`` for "the chat the event came from"."""

    chat_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Text(Reply):
    text: str
    buttons: Keyboard = ()
    reply_keyboard: tuple[tuple[str, ...], ...] = ()
    request_location: str | None = None
    remove_reply_keyboard: bool = False
    disable_preview: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Edit(Reply):
    """Replace the text and buttons of an earlier message.

    ``message_id`` ``None`` means the message whose button was just pressed.
    """

    text: str
    buttons: Keyboard = ()
    message_id: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Notice(Reply):
    """A short pop-up answer to a button press (answerCallbackQuery text)."""

    text: str
    alert: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Poll(Reply):
    question: str
    options: tuple[str, ...]
    allows_multiple: bool = False
    anonymous: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class Document(Reply):
    filename: str
    content: bytes
    caption: str = ""
    mime_type: str = "application/octet-stream"


@dataclass(frozen=True, slots=True, kw_only=True)
class Venue(Reply):
    latitude: float
    longitude: float
    title: str
    address: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Photo(Reply):
    """A photo already on Telegram's servers (``file_id``); the caption is HTML, at
    most 1024 characters (``handlers.broadcasts.render.CAPTION_LIMIT``)."""

    file_id: str
    caption: str = ""
    buttons: Keyboard = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteMessages(Reply):
    message_ids: tuple[int, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True, kw_only=True)
class StopPoll(Reply):
    """Close a native poll the bot sent earlier, so no more answers can be given."""

    message_id: int


OutboundReply = Text | Edit | Notice | Poll | Document | Venue | Photo | DeleteMessages | StopPoll
