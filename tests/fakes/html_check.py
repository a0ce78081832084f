"""Telegram's ``parse_mode=HTML``, closely enough to reject what Telegram rejects.

Telegram does not accept general HTML: only a handful of tags, only four named
entities (plus numeric ones), and every tag must be closed in order. A bot that
sends anything else gets ``400 Bad Request: can't parse entities: ...``, which is
easy to miss without a server that checks. The output is the plain text the user
sees and its message entities, with offsets and lengths in UTF-16 code units as in
the Bot API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# tag -> entity type; ``span`` is only a spoiler with class="tg-spoiler".
TAG_ENTITIES: dict[str, str] = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
NAMED_ENTITIES: dict[str, str] = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


class HtmlParseError(ValueError):
    """The text is not Telegram HTML; ``str(error)`` is Telegram's detail message."""


@dataclass
class _Open:
    tag: str
    entity: dict[str, Any] | None
    start: int  # UTF-16 offset in the output


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, i: int) -> tuple[str, int] | None:
    """The character for the entity starting with ``&`` at ``i`` and its length, if any.

    Like Telegram, an ``&`` that does not start a known entity is kept literally.
    """
    end = text.find(";", i + 1, i + 12)
    if end == -1:
        return None
    body = text[i + 1 : end]
    if body in NAMED_ENTITIES:
        return NAMED_ENTITIES[body], end - i + 1
    try:
        if body[:2] in ("#x", "#X"):
            code = int(body[2:], 16)
        elif body[:1] == "#":
            code = int(body[1:], 10)
        else:
            return None
        return chr(code), end - i + 1
    except (ValueError, OverflowError):
        return None


def _unescape(value: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(value):
        if value[i] == "&" and (decoded := _decode_entity(value, i)) is not None:
            out.append(decoded[0])
            i += decoded[1]
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def _parse_attributes(text: str, i: int, tag_start: int) -> tuple[dict[str, str], int]:
    """Attributes from ``i`` up to the closing ``>``; returns them and the index after it."""
    attrs: dict[str, str] = {}
    n = len(text)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            raise HtmlParseError(
                f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
            )
        if text[i] == ">":
            return attrs, i + 1
        start = i
        while i < n and text[i] in _NAME_CHARS:
            i += 1
        name = text[start:i].lower()
        if not name:
            raise HtmlParseError(
                f"Expected equal sign in declaration of an attribute of the tag at byte offset "
                f"{_byte_offset(text, tag_start)}"
            )
        while i < n and text[i].isspace():
            i += 1
        if i < n and text[i] == "=":
            i += 1
            while i < n and text[i].isspace():
                i += 1
            if i < n and text[i] in "\"'":
                quote = text[i]
                end = text.find(quote, i + 1)
                if end == -1:
                    raise HtmlParseError(
                        f"Unclosed start tag at byte offset {_byte_offset(text, tag_start)}"
                    )
                value = text[i + 1 : end]
                i = end + 1
            else:
                start = i
                while i < n and not text[i].isspace() and text[i] != ">":
                    i += 1
                value = text[start:i]
            attrs[name] = _unescape(value)
        else:
            attrs[name] = ""


def _entity_for(
    tag: str,
    attrs: dict[str, str],
    parent: _Open | None,
    text: str,
    at: int,
) -> dict[str, Any] | None:
    kind = TAG_ENTITIES[tag]
    if tag == "span" and attrs.get("class") != "tg-spoiler":
        raise HtmlParseError(
            f'Tag "span" must have class "tg-spoiler" at byte offset {_byte_offset(text, at)}'
        )
    if tag == "a":
        href = attrs.get("href", "")
        if not href:
            return None
        if href.startswith("tg://user?id="):
            return {
                "type": "text_mention",
                "user": {"id": int(href.split("=", 1)[1] or 0), "is_bot": False, "first_name": ""},
            }
        return {"type": kind, "url": href}
    if tag == "tg-emoji":
        emoji_id = attrs.get("emoji-id")
        if not emoji_id:
            raise HtmlParseError("Custom emoji entity must contain a tg://emoji URL")
        return {"type": kind, "custom_emoji_id": emoji_id}
    if tag == "blockquote" and "expandable" in attrs:
        return {"type": "expandable_blockquote"}
    if tag == "code" and parent is not None and parent.tag == "pre":
        # <pre><code class="language-x"> sets the language of the pre block.
        language = attrs.get("class", "")
        if language.startswith("language-") and parent.entity is not None:
            parent.entity["language"] = language.removeprefix("language-")
            return None
    return {"type": kind}


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """The plain text and entities of Telegram HTML ``text``.

    Raises :class:`HtmlParseError` with Telegram's wording for unsupported or
    unbalanced tags.
    """
    out: list[str] = []
    position = 0  # UTF-16 length of the output so far
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char == "&":
            decoded = _decode_entity(text, i)
            piece, i = (decoded[0], i + decoded[1]) if decoded else ("&", i + 1)
            out.append(piece)
            position += utf16_len(piece)
        elif char == "<" and text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise HtmlParseError(f"Unclosed end tag at byte offset {_byte_offset(text, i)}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise HtmlParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
            top = stack.pop()
            if name != top.tag:
                raise HtmlParseError(
                    f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
                    f'expected "</{top.tag}>", found "</{name}>"'
                )
            if top.entity is not None and position > top.start:
                entities.append({**top.entity, "offset": top.start, "length": position - top.start})
            i = end + 1
        elif char == "<":
            j = i + 1
            while j < n and text[j] in _NAME_CHARS:
                j += 1
            name = text[i + 1 : j].lower()
            if name not in TAG_ENTITIES:
                raise HtmlParseError(
                    f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
                )
            attrs, after = _parse_attributes(text, j, i)
            parent = stack[-1] if stack else None
            stack.append(_Open(name, _entity_for(name, attrs, parent, text, i), position))
            i = after
        else:
            out.append(char)
            position += utf16_len(char)
            i += 1
    if stack:
        raise HtmlParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def strip_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Trim surrounding whitespace as Telegram does, moving and clipping the entities."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    size = utf16_len(stripped)
    moved: list[dict[str, Any]] = []
    for entity in entities:
        start = max(entity["offset"] - lead, 0)
        end = min(entity["offset"] + entity["length"] - lead, size)
        if end > start:
            moved.append({**entity, "offset": start, "length": end - start})
    return stripped, moved
