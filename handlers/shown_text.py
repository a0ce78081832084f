"""Text that people wrote, made safe to show to someone else.

What people type and what Telegram says their name is are stored as given (free
text after ``handlers.text_input.clean``). Where it is shown, to the person or to
staff and other residents, ``neutral`` takes out what could change how the rest
of the line reads without being seen:

- direction overrides, embeddings and isolates (U+202A–U+202E, U+2066–U+2069): a
  name ending in U+202E ("right-to-left override") would otherwise turn the rest of
  its line backwards, so "Sam, going" could read "gniog ,maS";
- invisible characters (zero-width space U+200B, word joiner U+2060, byte order
  mark U+FEFF), and zero-width joiners (U+200C, U+200D) next to ASCII, where they
  only hide a difference ("Sam" and "Sa\u200dm"); between emoji and in other
  scripts they join, and are kept (👨‍👩‍👧 stays one family);
- control characters other than line breaks and tabs (NUL, ESC, a bare CR).

``one_line`` is for names: all of that, and no line breaks (a name cannot start a
line of its own in a list). ``isolated`` puts text written in a right-to-left
script in an isolate, so that it keeps its own direction inside a left-to-right
line and the numbers and punctuation after it stay after it.

``handlers.markup.escape`` applies ``neutral`` to everything it escapes, which is
everything shown that came from outside the catalogues, and ``fmt`` isolates every
right-to-left parameter.
"""

from __future__ import annotations

import unicodedata

DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u2060\ufeff")
JOINERS = frozenset("\u200c\u200d")
_LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")
FSI, PDI = "\u2068", "\u2069"


def _joins(before: str, after: str) -> bool:
    """A joiner between two non-ASCII characters does a job (emoji, scripts)."""
    return bool(before) and bool(after) and not before.isascii() and not after.isascii()


def neutral(text: str) -> str:
    """``text`` without what could reorder or hide part of a line (see the module)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, at no cost
    kept: list[str] = []
    for i, ch in enumerate(text):
        if ch in DIRECTION_CONTROLS or ch in INVISIBLE:
            continue
        if ch in JOINERS:
            if _joins(kept[-1] if kept else "", text[i + 1 : i + 2]):
                kept.append(ch)
            continue
        if unicodedata.category(ch) == "Cc" and ch not in "\n\t":
            continue
        kept.append(ch)
    return "".join(kept)


def has_rtl(text: str) -> bool:
    """Whether ``text`` holds a letter of a right-to-left script."""
    return not text.isascii() and any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def isolated(shown: str) -> str:
    """``shown`` (already escaped) in an isolate if it is written right to left, so it
    keeps its own direction inside a left-to-right line; added after ``neutral``,
    which would take it out again."""
    return f"{FSI}{shown}{PDI}" if shown and has_rtl(shown) else shown


def one_line(name: str) -> str:
    """A name to show inside a sentence or a list: neutral, and on one line."""
    flat = "".join(" " if ch in _LINE_BREAKS else ch for ch in name)
    return " ".join(neutral(flat).split())
