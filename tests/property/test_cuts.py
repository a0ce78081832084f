"""Properties of ``cut_utf16``, the cut of a label or notice to a Bot API limit.

For any text and any limit, the cut:

* is a start (prefix) of the text, and the text itself when it fits;
* is at most ``limit`` UTF-16 code units (as Telegram counts; "" for a limit of 0 or less);
* ends between two grapheme clusters of the text, never inside one: its length is
  0 or one of ``cluster_ends(text)`` (the segmentation Unicode's own test checks,
  tests/unit/test_graphemes.py), and the text's clusters start with the cut's; and,
  checked by the rules themselves rather than by the segmenter, the next character
  is no combining mark, joiner or spacing mark, the last is no prepended mark or ZWJ
  before a pictograph, CR LF stay together and flags stay in pairs;
* is the longest such start: the next cluster would not fit.
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from handlers.graphemes import (
    CONTROL,
    CR,
    EXTEND,
    LF,
    PICT,
    PREPEND,
    RI,
    SPACING,
    ZWJ,
    break_class,
    cluster_ends,
    clusters,
)
from handlers.markup import cut_utf16, utf16_len

# Pieces that make clusters: emoji, joiners, skin tones, selectors, keycaps, regional
# indicators, combining marks, jamo, prepended and spacing marks, CR and LF.
PIECES = [
    "👨", "👩", "👧", "\u200d", "🏽", "🏿", "\ufe0f", "\u20e3", "1", "#", "🇬", "🇧", "🇫",
    "e", "\u0301", "\u0308", "\u1100", "\u1161", "\u11a8", "가", "각", "\u0600", "\u0903",
    "\u0915", "\u094d", "\r", "\n", " ", "a", "❤", "🏳", "🌈", "\ud83d",
]  # fmt: skip
CLUSTERY = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
ANY = st.text(alphabet=st.characters(exclude_categories=()), max_size=60)  # surrogates too
TEXT = st.one_of(CLUSTERY, ANY, st.lists(st.one_of(CLUSTERY, ANY), max_size=4).map("".join))
REGIONAL_INDICATORS = "".join(chr(c) for c in range(0x1F1E6, 0x1F200))
LIMIT = st.integers(min_value=-2, max_value=130)


def check_cut(text: str, limit: int) -> None:
    cut = cut_utf16(text, limit)
    assert text.startswith(cut)
    if not text or utf16_len(text) <= limit:
        assert cut == text
        return
    assert utf16_len(cut) <= max(limit, 0)
    ends = list(cluster_ends(text))
    assert cut == "" or len(cut) in ends
    assert clusters(text)[: len(clusters(cut))] == clusters(cut)
    # by the rules (UAX #29 GB3, GB9, GB9a, GB9b, GB11, GB12/13), not the segmenter
    after = break_class(text[len(cut)])
    if cut:
        last = break_class(cut[-1])
        assert not (last == CR and after == LF)
        if last not in (CR, LF, CONTROL) and after not in (CR, LF, CONTROL):  # GB4, GB5 first
            assert after not in (EXTEND, ZWJ, SPACING)
            assert last != PREPEND
        assert not (after == PICT and _emoji_zwj(cut))
        if after == RI:
            run = len(cut) - len(cut.rstrip(REGIONAL_INDICATORS))
            assert run % 2 == 0
    # the longest: the cluster after the cut does not fit
    following = next(end for end in ends if end > len(cut))
    assert utf16_len(text[:following]) > limit


def _emoji_zwj(cut: str) -> bool:
    """Does ``cut`` end in Extended_Pictographic Extend* ZWJ (GB11's left side)?"""
    if break_class(cut[-1]) != ZWJ:
        return False
    body = cut[:-1].rstrip("".join(c for c in set(cut) if break_class(c) == EXTEND))
    return bool(body) and break_class(body[-1]) == PICT


@settings(max_examples=800, deadline=None, database=None)
@given(TEXT, LIMIT)
@example("👨‍👩‍👧" * 3, 15)
@example("🇬🇧🇫🇷🇩🇪", 7)
@example("1️⃣2️⃣", 4)
@example("a\u0301" * 10, 5)
@example("ab\r\ncd", 3)
@example("\u200d\r\u200d", 2)  # a joiner after CR starts a cluster (GB4 before GB9)
def test_a_cut_is_a_prefix_within_the_limit_ending_between_clusters(text: str, limit: int) -> None:
    check_cut(text, limit)


@settings(max_examples=200, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(["👨‍👩‍👧", "👍🏽", "❤️", "1️⃣", "🇬🇧", "e\u0301", "x", " "]), max_size=80)
)
def test_a_cut_of_whole_clusters_is_some_of_them(parts: list[str]) -> None:
    """Text made of known clusters is cut after one of them, the most that fit."""
    text = "".join(parts)
    for limit in (0, 1, 7, 60, 64, 100, 200):
        cut = cut_utf16(text, limit)
        kept = 0
        while kept < len(parts) and utf16_len("".join(parts[: kept + 1])) <= limit:
            kept += 1
        assert cut == "".join(parts[:kept])
