"""Checks shared by the property and security tests: what a well-formed reply is.

A reply is well formed when Telegram would accept it and show it as meant: its
HTML parses as Telegram parses it (``tests.fakes.html_check``), each piece the
transports send after splitting fits in 4096 UTF-16 code units, every button's callback
data is at most 64 bytes and is a payload the bot can read back, and pop-ups,
captions and polls keep to the Bot API's limits.
"""

from __future__ import annotations

import re

from handlers.markup import TELEGRAM_TEXT_LIMIT, split_text
from handlers.outbound import (
    Button,
    Document,
    Edit,
    Keyboard,
    Notice,
    OutboundReply,
    Photo,
    Poll,
    Text,
    Venue,
)
from handlers.payloads import MAX_BYTES, decode
from tests.fakes.html_check import parse_html, utf16_len

CAPTION_LIMIT = 1024
NOTICE_LIMIT = 200
POLL_QUESTION_LIMIT = 300
POLL_OPTION_LIMIT = 100
_MARKUP = re.compile(r"</?(b|i|a|u|s|code|pre)\b|&(amp|lt|gt|quot|#[0-9]+);")


def check_buttons(buttons: Keyboard) -> list[Button]:
    flat = [button for row in buttons for button in row]
    for button in flat:
        assert button.label.strip(), f"a button without a label: {button!r}"
        if button.url is not None:
            assert button.url.startswith(("https://", "http://", "tg://")), button
            continue
        assert len(button.payload.encode()) <= MAX_BYTES, button.payload
        assert decode(button.payload) is not None, f"unreadable payload {button.payload!r}"
    return flat


def check_html(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> str:
    """The plain text of ``text``, once it is known to be sendable Telegram HTML."""
    plain, _ = parse_html(text)
    for chunk in split_text(text, limit):
        chunk_plain, _ = parse_html(chunk)
        assert utf16_len(chunk) <= limit and utf16_len(chunk_plain) <= limit
        assert chunk_plain.strip(), "an empty message would be refused"
    return plain


def check_reply(reply: OutboundReply) -> None:
    """Assert that Telegram would accept ``reply`` as the transports send it."""
    if isinstance(reply, Text | Edit):
        check_html(reply.text)
        check_buttons(reply.buttons)
        if isinstance(reply, Text):
            assert all(label.strip() for row in reply.reply_keyboard for label in row)
    elif isinstance(reply, Notice):
        # A pop-up is plain text: markup or an HTML entity in it would show literally.
        assert 0 < utf16_len(reply.text) <= NOTICE_LIMIT, reply.text
        assert not _MARKUP.search(reply.text), reply.text
    elif isinstance(reply, Poll):
        assert 1 <= utf16_len(reply.question) <= POLL_QUESTION_LIMIT
        assert 2 <= len(reply.options) <= 10
        assert all(1 <= utf16_len(o) <= POLL_OPTION_LIMIT for o in reply.options)
    elif isinstance(reply, Document | Photo):
        if reply.caption:
            plain, _ = parse_html(reply.caption)
            assert utf16_len(plain) <= CAPTION_LIMIT
        if isinstance(reply, Document):
            assert reply.filename and reply.content
        else:
            check_buttons(reply.buttons)
    elif isinstance(reply, Venue):
        assert -90 <= reply.latitude <= 90 and -180 <= reply.longitude <= 180
        assert reply.title.strip()
