"""Invitation tokens and their ``/start`` payload: ``staff-<token>``.

A token is 32 characters of ``A-Z a-z 0-9 _ -`` (192 random bits from ``secrets``),
so the payload (38 characters) fits Telegram's 64. The parser is strict and never
raises: anything else is simply not an invitation.
"""

from __future__ import annotations

import re
import secrets

__all__ = [
    "PREFIX",
    "TOKEN_LENGTH",
    "invite_payload",
    "is_token",
    "new_invite_token",
    "parse_invite_payload",
]

PREFIX = "staff-"
TOKEN_BYTES = 24
TOKEN_LENGTH = 32  # 24 bytes in URL-safe base64, without padding

_TOKEN = re.compile(rf"[A-Za-z0-9_\-]{{{TOKEN_LENGTH}}}\Z")


def new_invite_token() -> str:
    """A fresh random token of ``TOKEN_LENGTH`` characters."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def is_token(value: object) -> bool:
    """Whether ``value`` has the shape of a token ``new_invite_token`` makes."""
    return isinstance(value, str) and _TOKEN.match(value) is not None


def invite_payload(token: str) -> str:
    """``staff-<token>``; ValueError for a token ``new_invite_token`` would not make."""
    if not isinstance(token, str) or not _TOKEN.match(token):
        raise ValueError(f"an invitation token is {TOKEN_LENGTH} characters of A-Z a-z 0-9 _ -")
    return PREFIX + token


def parse_invite_payload(payload: object) -> str | None:
    """The token of a ``staff-<token>`` payload, or ``None`` for anything else."""
    if not isinstance(payload, str) or not payload.startswith(PREFIX):
        return None
    token = payload[len(PREFIX) :]
    return token if _TOKEN.match(token) else None
