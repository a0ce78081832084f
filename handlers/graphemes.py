"""Where text may be cut: between user-perceived characters (grapheme clusters).

A cut to a limit must not split what a reader sees as one character: a family emoji
joined by zero width joiners (👨‍👩‍👧), an emoji and its skin tone (👍🏽) or its
variation selector (❤️), a keycap (1️⃣), a flag of two regional indicators (🇬🇧),
or a letter and its combining accent (é written as e + U+0301). Cut inside one and
the reader sees a different emoji, half a flag or a bare letter.

``cluster_ends`` finds the boundaries by the rules of Unicode's extended grapheme
clusters (UAX #29, rules GB3 to GB13, from Unicode 15.0's properties in
``handlers.grapheme_table``; not GB9c, added in 15.1, which also keeps some Indic
conjuncts whole, so such a cut can still fall after a virama).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from handlers.grapheme_table import CLASSES, ENDS, STARTS

OTHER, CR, LF, CONTROL, EXTEND, ZWJ, RI, PREPEND, SPACING, L, V, T, LV, LVT, PICT = range(15)

_BY_NAME = {
    "CR": CR,
    "LF": LF,
    "Control": CONTROL,
    "Extend": EXTEND,
    "ZWJ": ZWJ,
    "Regional_Indicator": RI,
    "Prepend": PREPEND,
    "SpacingMark": SPACING,
    "L": L,
    "V": V,
    "T": T,
    "LV": LV,
    "LVT": LVT,
    "Extended_Pictographic": PICT,
}
_CLASSES = tuple(_BY_NAME[name] for name in CLASSES)
_ASCII = tuple(
    CR if c == 0x0D else LF if c == 0x0A else CONTROL if c < 0x20 or c == 0x7F else OTHER
    for c in range(0x80)
)
_BREAKS_AROUND = frozenset({CR, LF, CONTROL})
_HANGUL = {L: (L, V, LV, LVT), LV: (V, T), V: (V, T), LVT: (T,), T: (T,)}


def break_class(char: str) -> int:
    """The character's Grapheme_Cluster_Break (``PICT`` for Extended_Pictographic,
    which is Other for that property)."""
    code = ord(char)
    if code < 0x80:
        return _ASCII[code]
    if 0xAC00 <= code <= 0xD7A3:  # a precomposed Hangul syllable
        return LV if (code - 0xAC00) % 28 == 0 else LVT
    i = bisect_right(STARTS, code) - 1
    if i >= 0 and code <= ENDS[i]:
        return _CLASSES[i]
    return OTHER


def _joined(before: int, now: int, regional: int, emoji: int) -> bool:
    """No boundary between a character of class ``before`` and one of ``now``:
    ``regional`` is how many regional indicators end just before, ``emoji`` is 1
    after Extended_Pictographic Extend*, 2 after that and a ZWJ, else 0."""
    if before == CR and now == LF:  # GB3
        return True
    if before in _BREAKS_AROUND or now in _BREAKS_AROUND:  # GB4, GB5
        return False
    if now in _HANGUL.get(before, ()):  # GB6, GB7, GB8: a Hangul syllable
        return True
    if now in (EXTEND, ZWJ, SPACING) or before == PREPEND:  # GB9, GB9a, GB9b
        return True
    if now == PICT:  # GB11: an emoji ZWJ sequence
        return emoji == 2
    if now == RI and before == RI:  # GB12, GB13: flags pair up from the first
        return regional % 2 == 1
    return False  # GB999


def cluster_ends(text: str) -> Iterator[int]:
    """The index just after each grapheme cluster of ``text``, in order (so the last
    one is ``len(text)``; nothing for ""). ``text[a:b]`` for consecutive ends is one
    cluster."""
    if not text:
        return
    before = break_class(text[0])
    regional = 1 if before == RI else 0
    emoji = 1 if before == PICT else 0
    for index in range(1, len(text)):
        now = break_class(text[index])
        if not _joined(before, now, regional, emoji):
            yield index
        regional = regional + 1 if now == RI else 0
        if now == PICT or (emoji == 1 and now == EXTEND):
            emoji = 1
        elif emoji == 1 and now == ZWJ:
            emoji = 2
        else:
            emoji = 0
        before = now
    yield len(text)


def clusters(text: str) -> list[str]:
    """``text`` as its grapheme clusters."""
    start, found = 0, []
    for end in cluster_ends(text):
        found.append(text[start:end])
        start = end
    return found
