"""Safe Telegram HTML: escaping, plain text, and splitting at the length limit."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.markup import (
    TELEGRAM_TEXT_LIMIT,
    cut_utf16,
    escape,
    fmt,
    fmt_plain,
    shorten,
    split_text,
    to_plain,
    utf16_len,
)
from tests.fakes.html_check import parse_html
from tests.fakes.html_check import utf16_len as telegram_length

# --- escaping --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("Fish & chips", "Fish &amp; chips"),
        ("<b>bold</b>", "&lt;b&gt;bold&lt;/b&gt;"),
        ("&amp;", "&amp;amp;"),
        ("plain words", "plain words"),
        (42, "42"),
    ],
)
def test_escape(raw: object, escaped: str) -> None:
    assert escape(raw) == escaped
    assert to_plain(escape(raw)) == str(raw)


def test_fmt_escapes_parameters_but_keeps_template_tags() -> None:
    out = fmt("<b>Hello {name}</b>, you wrote <i>{answer}</i>", name="<script>", answer="a & <b>")
    assert out == "<b>Hello &lt;script&gt;</b>, you wrote <i>a &amp; &lt;b&gt;</i>"
    assert to_plain(out) == "Hello <script>, you wrote a & <b>"


def test_fmt_plain_keeps_text_as_written_on_one_line() -> None:
    """Button labels and pop-up notices are not HTML: nothing is escaped in them."""
    out = fmt_plain("📍 {name}", name="Tarvin & <Kelsall>\n\u202eend")
    assert out == "📍 Tarvin & <Kelsall> end"
    assert fmt_plain("{n} people", n=1234) == "1,234 people"


def test_fmt_with_non_string_parameters() -> None:
    assert fmt("Question {n} of {total}", n=3, total=9) == "Question 3 of 9"


def test_to_plain() -> None:
    assert to_plain("<b>Bold</b> &amp; <i>it&lt;al&gt;ic</i>") == "Bold & it<al>ic"
    assert to_plain('<a href="https://example.org/?a=1&amp;b=2">link</a>') == "link"
    assert to_plain("no markup") == "no markup"
    assert to_plain("") == ""


# --- a small HTML checker --------------------------------------------------------------


class _Balance(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


def problems(chunk: str) -> list[str]:
    """Why ``chunk`` is not self-contained Telegram HTML (empty if it is)."""
    found = []
    parser = _Balance()
    parser.feed(chunk)
    parser.close()
    found += parser.errors
    if parser.stack:
        found.append(f"unclosed {parser.stack}")
    if re.search(r"<[^>]*$", chunk):
        found.append("ends inside a tag")
    if re.search(r"^[^<]*>", chunk):
        found.append("starts inside a tag")
    if re.search(r"&[#A-Za-z0-9]*$", chunk):
        found.append("ends inside an entity")
    if re.search(r"&(?![#A-Za-z0-9]+;)", chunk):
        found.append("bare or cut entity")
    return found


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def assert_good_split(text: str, limit: int) -> list[str]:
    chunks = split_text(text, limit)
    assert chunks, "no chunks"
    for i, chunk in enumerate(chunks):
        units = telegram_length(chunk)
        assert units <= limit, f"chunk {i} has {units} > {limit} UTF-16 code units"
        assert problems(chunk) == [], f"chunk {i}: {problems(chunk)}: {chunk!r}"
        assert to_plain(chunk).strip(), f"chunk {i} has no visible text: {chunk!r}"
        plain, _ = parse_html(chunk)  # Telegram would parse it
        assert telegram_length(plain) <= limit
    assert_rejoins(text, chunks)
    return chunks


def assert_rejoins(text: str, chunks: list[str]) -> None:
    """The chunks' texts, one after the other, are the text's: nothing lost, moved or
    repeated; only the spaces and line breaks where it was split may go."""
    plain, at = to_plain(text), 0
    for i, chunk in enumerate(chunks):
        while at < len(plain) and plain[at] in " \n":
            at += 1
        piece = to_plain(chunk).lstrip(" \n")
        assert plain.startswith(piece, at), f"chunk {i} is not the text at {at}: {piece[:40]!r}"
        at += len(piece)
    assert not plain[at:].strip(" \n"), f"text left over: {plain[at : at + 40]!r}"


def test_checker_catches_bad_chunks() -> None:
    assert problems("<b>open") == ["unclosed ['b']"]
    assert problems("<b><i>x</b></i>")
    assert problems("text <b")
    assert problems("text &am")
    assert problems("a & b")
    assert problems("<b>fine &amp; dandy</b>") == []


# --- splitting -------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "short", "<b>bold</b> &amp; more", "x" * 200])
def test_short_texts_are_unchanged(text: str) -> None:
    assert split_text(text, 200) == [text]


def test_text_at_telegram_limit_is_unchanged() -> None:
    text = "a" * TELEGRAM_TEXT_LIMIT
    assert split_text(text) == [text]
    assert len(split_text(text + "a")) == 2


def _lines_text() -> str:
    return "\n".join(f"Line {i}: " + " ".join(["word"] * 10) for i in range(100))


def test_long_paragraphs_split_between_words() -> None:
    text = _lines_text()
    chunks = assert_good_split(text, TELEGRAM_TEXT_LIMIT)
    assert len(chunks) == 2
    assert "\n".join(chunks).split() == text.split()  # no word was cut


def test_long_paragraphs_prefer_line_ends() -> None:
    chunks = split_text(_lines_text())
    assert chunks[1].startswith("Line ")


@pytest.mark.parametrize("limit", [100, 200, 500, TELEGRAM_TEXT_LIMIT])
def test_every_chunk_within_limit(limit: int) -> None:
    text = " ".join(f"word{i}" for i in range(3000))
    chunks = assert_good_split(text, limit)
    assert len(chunks) > 1
    assert " ".join(chunks).split() == text.split()  # breaks only at spaces


def test_tags_open_at_a_break_are_closed_and_reopened() -> None:
    text = "<b>" + " ".join(["bold"] * 100) + "</b> then <i>" + " ".join(["it"] * 100) + "</i>"
    chunks = assert_good_split(text, 200)
    assert len(chunks) > 3
    assert chunks[0].startswith("<b>") and chunks[0].endswith("</b>")
    assert chunks[1].startswith("<b>") and chunks[1].endswith("</b>")
    assert chunks[-1].startswith("<i>") and chunks[-1].endswith("</i>")


def test_nested_and_attribute_tags_are_reopened_verbatim() -> None:
    opening = '<a href="https://example.org/x?a=1&amp;b=2">'
    text = f"{opening}<b>" + " ".join(["link"] * 200) + "</b></a> end"
    chunks = assert_good_split(text, 300)
    for chunk in chunks[1:-1]:
        assert chunk.startswith(opening + "<b>")
        assert chunk.endswith("</b></a>")


def test_entities_are_never_cut() -> None:
    text = " ".join(["&amp;&lt;&gt;&#39;&quot;"] * 400)
    chunks = assert_good_split(text, 200)
    assert len(chunks) > 1


def test_entities_glued_to_words_are_never_cut() -> None:
    text = "fish&amp;chips&lt;3 " * 300
    assert_good_split(text, 150)


def test_a_single_enormous_word_is_split() -> None:
    text = "x" * 10_000
    chunks = assert_good_split(text, TELEGRAM_TEXT_LIMIT)
    assert len(chunks) == 3
    assert "".join(chunks) == text


def test_an_enormous_word_inside_a_tag_is_split_and_balanced() -> None:
    text = "start <b>" + "y" * 1000 + "</b> end"
    chunks = assert_good_split(text, 200)
    assert len(chunks) >= 5
    assert all(c.count("<b>") == c.count("</b>") for c in chunks)


def test_break_right_before_a_closing_tag_makes_no_empty_chunk() -> None:
    # Find layouts where the closing tag itself tips a chunk over the budget.
    for n in range(120, 160):
        text = "<b>" + "w" * n + "</b>" + " tail" * 60
        assert_good_split(text, 200)
        text = "<b>" + " ".join(["w"] * (n // 2)) + "</b>" + " tail" * 60
        assert_good_split(text, 200)


def test_enormous_word_remainder_makes_no_empty_chunk() -> None:
    # A word whose last piece almost fills a chunk next to a reopened tag.
    for n in range(250, 300):
        assert_good_split("<b>" + "z" * n + "</b>", 200)
        assert_good_split("<i>a " + "z" * n + " b</i>", 200)


# --- properties ------------------------------------------------------------------------

WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzÄßżł🙂", min_size=1, max_size=15)
ENTITY = st.sampled_from(["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"])
PLAIN = st.one_of(WORD, WORD, WORD, ENTITY, st.just("\n"), st.just("\n\n"), st.just(" "))
HUGE = st.integers(min_value=100, max_value=700).map(lambda n: "q" * n)


@st.composite
def segments(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(st.one_of(PLAIN, PLAIN, PLAIN, HUGE), min_size=1, max_size=40))
    body = " ".join(pieces)
    wrap = draw(st.sampled_from(["", "", "b", "i", "bi"]))
    if wrap == "bi":
        return f"<b>x <i>{body}</i> y</b>"
    return f"<{wrap}>{body}</{wrap}>" if wrap else body


def check_split(text: str, limit: int) -> None:
    """A text that fits is one part; one that does not splits well (``assert_good_split``)."""
    if not to_plain(text).strip():
        return
    if telegram_length(text) <= limit:
        assert split_text(text, limit) == [text]
        return
    assert_good_split(text, limit)


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.lists(segments(), min_size=1, max_size=12).map(" ".join),
    st.sampled_from([120, 200, 333, 1000]),
)
def test_split_property(text: str, limit: int) -> None:
    check_split(text, limit)


@settings(max_examples=50, deadline=None, database=None)
@given(st.text(min_size=0, max_size=3000))
def test_split_of_escaped_user_text_property(raw: str) -> None:
    text = escape(raw)
    if not raw.strip():
        return
    chunks = split_text(text, 200)
    if utf16_len(text) <= 200:
        assert chunks == [text]
        return
    for chunk in chunks:
        assert telegram_length(chunk) <= 200
        assert problems(chunk) == []
    assert squash("".join(to_plain(c) for c in chunks)) == squash(raw)
    assert_rejoins(text, chunks)


# --- UTF-16 code units, as the Bot API counts ----------------------------------------
# An emoji (or any character outside the Basic Multilingual Plane) is one character in
# Python and two UTF-16 code units: Telegram refuses 4096 of them as "message is too long".

ASTRAL = "🙂👍🏽𝔘😀🇬🇧𠀋"


@pytest.mark.parametrize("text", ["", "plain", "Ääßż€☺", "🙂", "a🙂b𝔘", "👍🏽🇬🇧", "&amp;🙂"])
def test_utf16_len_counts_as_telegram_does(text: str) -> None:
    assert utf16_len(text) == telegram_length(text) == len(text.encode("utf-16-le")) // 2


def test_cut_utf16_never_cuts_a_character_in_two() -> None:
    assert cut_utf16("ab🙂cd", 3) == "ab🙂"[:2]  # the emoji would need 4 units: it goes
    assert cut_utf16("ab🙂cd", 4) == "ab🙂"
    assert cut_utf16("ab🙂cd", 0) == ""
    assert cut_utf16("short", 10) == "short"
    assert cut_utf16("x" * 10, 4) == "xxxx"


def test_emoji_count_two_against_the_limit() -> None:
    emoji = "🙂" * 2048  # 2048 characters, 4096 units: exactly the limit
    assert split_text(emoji) == [emoji]
    over = "a" + emoji  # 2049 characters, 4097 units
    chunks = assert_good_split(over, TELEGRAM_TEXT_LIMIT)
    assert len(chunks) == 2 and "".join(chunks) == over


def test_a_line_of_emoji_is_split_between_words_within_the_limit() -> None:
    text = " ".join(["🙂🙂🙂 party"] * 330)  # 3299 characters, 4289 units
    assert len(text) < TELEGRAM_TEXT_LIMIT < utf16_len(text)
    chunks = assert_good_split(text, TELEGRAM_TEXT_LIMIT)
    assert len(chunks) == 2  # counted in characters it went whole, and was refused
    assert " ".join(chunks).split() == text.split()


def test_an_enormous_word_of_emoji_is_cut_between_characters() -> None:
    for n in range(90, 110):  # the cut falls on either half of an emoji in turn
        for text in ("𝔘" * n, "x" + "𝔘" * n, "<b>" + "y🙂" * n + "</b>"):
            chunks = assert_good_split(text, 120)
            for chunk in chunks:
                chunk.encode("utf-16-le")  # strict: no surrogate left on its own


ASTRAL_WORD = st.text(alphabet="abcxyzÄß€" + ASTRAL, min_size=1, max_size=15)
ANY_CHAR = st.characters(exclude_categories=["Cs"])  # any character Python holds whole
ASTRAL_PLAIN = st.one_of(
    ASTRAL_WORD,
    ASTRAL_WORD,
    st.text(ANY_CHAR, min_size=1, max_size=12),
    ENTITY,
    st.just("\n"),
    st.just(" "),
    st.integers(min_value=50, max_value=400).map(lambda n: "🙂" * n),
)


@st.composite
def astral_segments(draw: st.DrawFn) -> str:
    pieces = draw(st.lists(ASTRAL_PLAIN, min_size=1, max_size=30))
    body = (
        escape(" ".join(pieces))
        if draw(st.booleans())
        else " ".join(
            p if p in ("&amp;", "&lt;", "&gt;", "&quot;", "&#39;") else escape(p) for p in pieces
        )
    )
    wrap = draw(st.sampled_from(["", "", "b", "i", "code"]))
    return f"<{wrap}>{body}</{wrap}>" if wrap else body


@settings(max_examples=150, deadline=None, database=None)
@given(
    st.lists(astral_segments(), min_size=1, max_size=10).map(" ".join),
    st.sampled_from([120, 200, 333, 1024, TELEGRAM_TEXT_LIMIT]),
)
def test_split_counts_utf16_units_property(text: str, limit: int) -> None:
    """Arbitrary HTML-escaped text with emoji and other astral characters: every part
    is at most ``limit`` UTF-16 code units, and the parts give back the text."""
    check_split(text, limit)


@settings(max_examples=100, deadline=None, database=None)
@given(st.text(ANY_CHAR, max_size=2500), st.sampled_from([120, 200, 1024]))
def test_split_of_any_escaped_text_counts_utf16_units_property(raw: str, limit: int) -> None:
    text = escape(raw)
    if not to_plain(text).strip():
        return
    chunks = split_text(text, limit)
    for chunk in chunks:
        assert telegram_length(chunk) <= limit
        assert problems(chunk) == []
        chunk.encode("utf-16-le")
    assert_rejoins(text, chunks)


def test_shorten_keeps_what_fits_and_cuts_whole_characters_with_an_ellipsis() -> None:
    assert shorten("Tarvin", 6) == "Tarvin"
    assert shorten("Tarvin village hall", 10) == "Tarvin vi…"
    assert shorten("Tarvin village hall", 8) == "Tarvin…"  # no space before the "…"
    family = "👨\u200d👩\u200d👧"  # 8 UTF-16 units, one character as seen
    assert shorten(f"Hi {family} there", 11) == "Hi…"
    assert shorten(f"Hi {family} there", 12) == f"Hi {family}…"
    for limit in range(1, 20):
        assert utf16_len(shorten(f"Hi {family} there 🇬🇧🇵🇱", limit)) <= limit
