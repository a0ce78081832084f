"""Telegram deep links to an event: ``https://t.me/<bot>?start=ev-12-a1B2c3D4``.

The ``start`` payload may be at most 64 characters of ``A-Z a-z 0-9 _ -``. An event
payload is ``ev-<event id>-<token>``; the token (8 to 16 of those characters, from
``new_token``) is stored with the event so that ids cannot be guessed. The payload
is never trusted: the handler looks the event up and compares the token.
"""

from __future__ import annotations

import re
import secrets

from handlers.payloads import INT_MAX

__all__ = [
    "MAX_PAYLOAD",
    "deep_link",
    "event_start_payload",
    "new_token",
    "parse_start_payload",
]

MAX_PAYLOAD = 64
MAX_EVENT_ID = INT_MAX  # events.id is a 32-bit integer column
PREFIX = "ev"
TOKEN_BYTES = 9  # 72 random bits: 12 URL-safe base64 characters

_PAYLOAD = re.compile(r"[A-Za-z0-9_\-]{1,64}\Z")
_TOKEN = re.compile(r"[A-Za-z0-9_\-]{8,16}\Z")
_EVENT_ID = re.compile(r"[1-9][0-9]{0,18}\Z")
_USERNAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{4,31}\Z")


def new_token() -> str:
    """A fresh random token: 12 characters of ``A-Z a-z 0-9 _ -``."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _valid_token(token: object) -> bool:
    return isinstance(token, str) and _TOKEN.match(token) is not None


def event_start_payload(event_id: int, token: str) -> str:
    """``ev-<event_id>-<token>``; ValueError for an id outside 1..2**31-1 (the column) or a bad token."""
    if isinstance(event_id, bool) or not isinstance(event_id, int):
        raise ValueError("event_id must be an int")
    if not 1 <= event_id <= MAX_EVENT_ID:
        raise ValueError("event_id must be a positive 64-bit id")
    if not _valid_token(token):
        raise ValueError("token must be 8 to 16 characters of A-Z a-z 0-9 _ -")
    return f"{PREFIX}-{event_id}-{token}"


def parse_start_payload(payload: str) -> tuple[int, str] | None:
    """``(event_id, token)`` from an event payload, or None for anything else
    (never raises)."""
    if not isinstance(payload, str) or not _PAYLOAD.match(payload):
        return None
    prefix, _, rest = payload.partition("-")
    number, _, token = rest.partition("-")
    if prefix != PREFIX or not _EVENT_ID.match(number) or not _valid_token(token):
        return None
    event_id = int(number)
    return (event_id, token) if event_id <= MAX_EVENT_ID else None


def deep_link(bot_username: str, payload: str) -> str:
    """``https://t.me/<bot_username>?start=<payload>``. A leading "@" is dropped;
    ValueError for a malformed username or payload."""
    username = bot_username.removeprefix("@") if isinstance(bot_username, str) else ""
    if not _USERNAME.match(username):
        raise ValueError(f"not a Telegram username: {bot_username!r}")
    if not isinstance(payload, str) or not _PAYLOAD.match(payload):
        raise ValueError("payload must be 1 to 64 characters of A-Z a-z 0-9 _ -")
    return f"https://t.me/{username}?start={payload}"
