"""Safe HTML for Telegram: escape user input, and split long texts at the 4096 limit."""

from __future__ import annotations

import html
import re
from collections import deque
from typing import Any

from babel.numbers import format_decimal

from handlers.i18n import current_locale
from handlers.language.names import is_rtl
from handlers.shown_text import isolated, neutral, one_line

TELEGRAM_TEXT_LIMIT = 4096

_TOKEN = re.compile(r"(<[^>]+>|&[#A-Za-z0-9]+;)")
_TAG = re.compile(r"^<(/?)([a-zA-Z-]+)[^>]*>$")


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
    """Split Telegram HTML into chunks of at most ``limit`` characters each.

    Breaks prefer line ends (when one falls in the second half of a chunk), then
    spaces; tags and entities are never cut, and tags open at a break are closed at
    the end of one chunk and reopened in the next.
    """
    if len(text) <= limit:
        return [text]
    pending = deque(_tokens(text))
    chunks: list[str] = []
    current: list[str] = []
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
        size = sum(len(t) for t in current)
        fresh = len(current) == reopened
        if size + len(token) > budget and (fresh or len(token) > budget // 2):
            # Nothing to break before, or one enormous word: cut it.
            room = max(budget - size, 1)
            if room < len(token):
                pending.appendleft(token[room:])
                token = token[:room]
        if size + len(token) > budget and not fresh:
            if last_break is not None and last_break[0] > len(current) // 2:
                where, tags = last_break
                pending.extendleft(reversed([*current[where + 1 :], token]))
                flush(current[:where], tags)
                open_tags = list(tags)
            else:
                pending.appendleft(token)
                flush(current, open_tags)
            current = [tag for _, tag in open_tags]
            reopened = len(current)
            last_break = None
            while pending and pending[0] in ("\n", " "):
                pending.popleft()
            continue
        if token == "\n":
            last_break = (len(current), list(open_tags))
        current.append(token)
        _apply_tag(open_tags, token)
    flush(current, open_tags)
    return chunks
