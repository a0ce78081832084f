"""Safe HTML for Telegram: escape user input, and split long texts at the 4096 limit.

The Bot API measures texts in UTF-16 code units, not in characters: an emoji or any
other character outside the Basic Multilingual Plane counts 2 (``utf16_len``), and
every cut to one of its limits here counts that way (``cut_utf16``, ``split_text``),
and falls between two grapheme clusters (``handlers.graphemes``), so that no emoji
sequence, flag or accented letter is cut in two.
"""

from __future__ import annotations

import html
import re
from collections import deque
from typing import Any

from babel.numbers import format_decimal

from handlers.graphemes import cluster_ends
from handlers.i18n import current_locale
from handlers.language.names import is_rtl
from handlers.shown_text import isolated, neutral, one_line

TELEGRAM_TEXT_LIMIT = 4096

_TOKEN = re.compile(r"(<[^>]+>|&[#A-Za-z0-9]+;)")
_TAG = re.compile(r"^<(/?)([a-zA-Z-]+)[^>]*>$")


def utf16_len(text: str) -> int:
    """``text``'s length as the Bot API counts it: UTF-16 code units, so a character
    outside the Basic Multilingual Plane (most emoji) counts 2, and a lone surrogate
    (which JSON can carry, as ``"\\ud83d"``) counts 1, as it does there."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _units(char: str) -> int:
    return 2 if ord(char) > 0xFFFF else 1


def cut_utf16(text: str, units: int) -> str:
    """The longest start of ``text`` of at most ``units`` UTF-16 code units that ends
    between two grapheme clusters (``handlers.graphemes``): what a reader sees as one
    character, such as 👨‍👩‍👧, 👍🏽, ❤️, 1️⃣, 🇬🇧 or an e and its combining accent,
    stays whole or goes whole. "" when the first cluster alone is longer."""
    if utf16_len(text) <= units:
        return text
    if units <= 0:
        return ""
    if text.isascii():  # only CR LF is a cluster of two here
        end = units - 1 if text[units - 1] == "\r" and text[units] == "\n" else units
        return text[:end]
    size = start = 0
    for end in cluster_ends(text):
        size += sum(_units(char) for char in text[start:end])
        if size > units:
            return text[:start]
        start = end
    return text


def shorten(text: str, units: int) -> str:
    """``text`` if it fits in ``units`` UTF-16 code units, else as much of its start as
    fits with "…" after it, cut between two characters as a reader sees them
    (``cut_utf16``): for previews, labels and notices."""
    if utf16_len(text) <= units:
        return text
    return cut_utf16(text, units - 1).rstrip() + "…"


def _cut_characters(text: str, units: int) -> str:
    """``cut_utf16`` between any two characters, for a cluster longer than a whole
    part of a split (a letter under thousands of combining marks): a character is
    never cut in two (a surrogate pair stays whole or goes)."""
    size = 0
    for index, char in enumerate(text):
        size += _units(char)
        if size > units:
            return text[:index]
    return text


def escape(value: object) -> str:
    """Escape anything that did not come from our own catalogues (and take out what
    could reorder or hide part of the line: ``handlers.shown_text.neutral``)."""
    return html.escape(neutral(str(value)), quote=False)


# Unicode "first strong isolate" and "pop directional isolate": in a right-to-left
# message, a postcode, a number or a Latin name inside them keeps its own direction
# and does not pull the punctuation around it out of place.
FSI, PDI = "\u2068", "\u2069"


def _param(value: object, locale: str, rtl: bool, *, html_text: bool = True) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        text = format_decimal(value, locale=locale)  # 1,234 / 1 234 / 1.234
    else:
        text = str(value)
    text = escape(text) if html_text else one_line(text)
    if rtl and text:
        return f"{FSI}{text}{PDI}"
    return isolated(text)  # a right-to-left name in a left-to-right sentence


def fmt(template: str, **params: Any) -> str:
    """Fill a translated template; every parameter is HTML-escaped first, numbers are
    written the resident's way, and in a right-to-left language each parameter is
    isolated so that its own direction does not scramble the sentence."""
    locale = current_locale()
    rtl = is_rtl(locale)
    return template.format(**{k: _param(v, locale, rtl) for k, v in params.items()})


def fmt_plain(template: str, **params: Any) -> str:
    """``fmt`` for plain text, which Telegram shows as given: button labels and the
    pop-up notice of a button press. Parameters are made neutral and put on one line,
    not HTML-escaped (an escaped "Tea & talk" would read "Tea &amp; talk")."""
    locale = current_locale()
    rtl = is_rtl(locale)
    return template.format(
        **{k: _param(v, locale, rtl, html_text=False) for k, v in params.items()}
    )


def to_plain(text: str) -> str:
    """Telegram HTML as plain text (for the terminal and for length checks)."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def _has_text(html_text: str) -> bool:
    return bool(re.sub(r"<[^>]+>", "", html_text).strip())


def _tokens(text: str) -> list[str]:
    """Tags, entities, line breaks, spaces and words: the pieces a split may fall between."""
    tokens: list[str] = []
    for part in _TOKEN.split(text):
        if not part:
            continue
        if _TOKEN.fullmatch(part):
            tokens.append(part)
        else:
            tokens.extend(t for t in re.split(r"(\n| )", part) if t)
    return tokens


def _apply_tag(open_tags: list[tuple[str, str]], token: str) -> None:
    tag = _TAG.match(token)
    if not tag:
        return
    closing_tag, name = tag.group(1), tag.group(2).lower()
    if not closing_tag:
        open_tags.append((name, token))
        return
    for i in range(len(open_tags) - 1, -1, -1):
        if open_tags[i][0] == name:
            del open_tags[i]
            return


def split_text(text: str, limit: int = TELEGRAM_TEXT_LIMIT) -> list[str]:
    """Split Telegram HTML into chunks of at most ``limit`` UTF-16 code units each.

    The whole chunk is measured, tags and entities included (so its text as Telegram
    counts it is shorter still), and an emoji counts 2, as the Bot API counts it.
    Breaks prefer line ends (when one falls in the second half of a chunk), then
    spaces; tags, entities and characters are never cut (only a word longer than a
    chunk is, between two grapheme clusters, or between two characters of a cluster
    longer than a chunk), and tags open at a break are closed at the end of one
    chunk and reopened in the next.
    """
    if utf16_len(text) <= limit:
        return [text]
    pending = deque(_tokens(text))
    chunks: list[str] = []
    current: list[str] = []
    size = 0  # utf16_len of "".join(current)
    open_tags: list[tuple[str, str]] = []  # (name, opening tag)
    last_break: tuple[int, list[tuple[str, str]]] | None = None  # where, and the tags open there
    budget = limit - 64  # room for closing tags

    def flush(body_tokens: list[str], tags: list[tuple[str, str]]) -> None:
        body = "".join(body_tokens).rstrip("\n ")
        if _has_text(body):  # never a chunk of bare tags, such as "<b></b>"
            chunks.append(body + "".join(f"</{name}>" for name, _ in reversed(tags)))

    reopened = 0  # how many tokens at the start of ``current`` are re-opened tags
    while pending:
        token = pending.popleft()
        units = utf16_len(token)
        fresh = len(current) == reopened
        if (
            size + units > budget
            and (fresh or units > budget // 2)
            and not _TOKEN.fullmatch(token)  # a tag or an entity is never cut
        ):
            # Nothing to break before, or one enormous word: cut it.
            head = cut_utf16(token, max(budget - size, 1))  # between clusters
            if not head and fresh:  # one cluster wider than the room left: cut it
                head = _cut_characters(token, max(budget - size, 1)) or token[0]
            if head and head != token:
                pending.appendleft(token[len(head) :])
                token, units = head, utf16_len(head)
        if size + units > budget and not fresh:
            if last_break is not None and last_break[0] > len(current) // 2:
                where, tags = last_break
                pending.extendleft(reversed([*current[where + 1 :], token]))
                flush(current[:where], tags)
                open_tags = list(tags)
            else:
                pending.appendleft(token)
                flush(current, open_tags)
            current = [tag for _, tag in open_tags]
            size = sum(utf16_len(tag) for tag in current)
            reopened = len(current)
            last_break = None
            while pending and pending[0] in ("\n", " "):
                pending.popleft()
            continue
        if token == "\n":
            last_break = (len(current), list(open_tags))
        current.append(token)
        size += units
        _apply_tag(open_tags, token)
    flush(current, open_tags)
    return chunks
