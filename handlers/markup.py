"""Safe HTML for Telegram: escape user input, and split long texts at the 4096 limit."""

from __future__ import annotations

import html
import re
from typing import Any

TELEGRAM_TEXT_LIMIT = 4096

_TOKEN = re.compile(r"(<[^>]+>|&[#A-Za-z0-9]+;)")
_TAG = re.compile(r"^<(/?)([a-zA-Z-]+)[^>]*>$")


def escape(value: object) -> str:
    """Escape anything that did not come from our own catalogues."""
    return html.escape(str(value), quote=False)


def fmt(template: str, **params: Any) -> str:
    """Fill a translated template; every parameter is HTML-escaped first."""
    return template.format(**{k: escape(v) for k, v in params.items()})


def to_plain(text: str) -> str:
    """Telegram HTML as plain text (for the terminal and for length checks)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _has_text(html_text: str) -> bool:
    return bool(re.sub(r"<[^>]+>", "", html_text).strip())


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split Telegram HTML into chunks of at most ``limit`` characters each.

    Breaks prefer line ends, then spaces; tags and entities are never cut, and tags
    open at a break are closed at the end of one chunk and reopened in the next.
    """
    if len(text) <= limit:
        return [text]
    tokens: list[str] = []
    for part in _TOKEN.split(text):
        if not part:
            continue
        if _TOKEN.fullmatch(part):
            tokens.append(part)
        else:
            tokens.extend(t for t in re.split(r"(\n| )", part) if t)
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    open_tags: list[tuple[str, str]] = []  # (name, opening tag)

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_tags))

    def flush() -> None:
        nonlocal current, size
        body = "".join(current).rstrip("\n ")
        if _has_text(body):  # never a chunk of bare tags, such as "<b></b>"
            chunks.append(body + closing())
        current = [tag for _, tag in open_tags]
        size = sum(len(t) for t in current)

    budget = limit - 64  # room for closing tags
    for token in tokens:
        while len(token) > budget:  # one enormous word
            room = max(budget - size, 1)
            current.append(token[:room])
            size += room
            token = token[room:]
            flush()
        if size + len(token) > budget:
            flush()
            if token in ("\n", " "):
                continue
        current.append(token)
        size += len(token)
        tag = _TAG.match(token)
        if tag:
            closing_tag, name = tag.group(1), tag.group(2).lower()
            if closing_tag:
                for i in range(len(open_tags) - 1, -1, -1):
                    if open_tags[i][0] == name:
                        del open_tags[i]
                        break
            else:
                open_tags.append((name, token))
    body = "".join(current).rstrip("\n ")
    if _has_text(body):
        chunks.append(body + closing())
    return chunks
