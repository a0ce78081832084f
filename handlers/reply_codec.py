"""Replies as JSON, so an update's replies can be stored with it and sent later.

Only the outbound dataclasses of ``handlers.outbound`` are written; reading gives
the same values back (tuples stay tuples, bytes stay bytes). Anything that does not
read back as a known reply is refused with ``ValueError``, never half-read.
"""

from __future__ import annotations

import base64
import dataclasses
import json
from typing import Any

from handlers.outbound import (
    Button,
    DeleteMessages,
    Document,
    Edit,
    Notice,
    OutboundReply,
    Photo,
    Poll,
    StopPoll,
    Text,
    Venue,
)

KINDS: dict[str, type[OutboundReply]] = {
    kind.__name__: kind
    for kind in (Text, Edit, Notice, Poll, Document, Venue, Photo, DeleteMessages, StopPoll)
}
BYTES = "$b64"


def _plain(value: Any) -> Any:
    if isinstance(value, Button):
        return {"label": value.label, "payload": value.payload, "url": value.url}
    if isinstance(value, bytes):
        return {BYTES: base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_typed(item) for item in value)
    if isinstance(value, dict):
        if BYTES in value:
            return base64.b64decode(value[BYTES])
        return Button(label=value["label"], payload=value["payload"], url=value["url"])
    return value


def dumps(replies: list[OutboundReply]) -> str:
    return json.dumps(
        [
            {"kind": type(reply).__name__}
            | {f.name: _plain(getattr(reply, f.name)) for f in dataclasses.fields(reply)}
            for reply in replies
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def loads(text: str) -> list[OutboundReply]:
    try:
        items = json.loads(text)
        replies: list[OutboundReply] = []
        for item in items:
            kind = KINDS[item.pop("kind")]
            replies.append(kind(**{name: _typed(value) for name, value in item.items()}))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not stored replies: {exc}") from None
    return replies
