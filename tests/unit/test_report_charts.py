"""The report's charts draw right-to-left text correctly, in a font that has it.

Matplotlib (3.11 and later) shapes and orders text itself, so the charts pass Arabic
and Hebrew through as they are. These tests hold matplotlib to what
arabic-reshaper and python-bidi, the usual way to pre-shape text for a renderer
without complex layout, say the glyphs should be, left to right; and that a chart
with Arabic in every text (title, labels, "fewer than 5") renders with no glyph
missing.
"""

from __future__ import annotations

import base64
import io
import logging
import unicodedata
import warnings
from pathlib import Path

import arabic_reshaper
import pytest
from bidi.algorithm import get_display
from matplotlib import _text_helpers
from matplotlib.figure import Figure as Canvas
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font
from PIL import Image

from handlers.i18n import use_locale
from handlers.reports.charts import FONTS, bar_chart, reading_order, time_chart
from handlers.reports.figures import Figure


def _font() -> FT2Font:
    return FT2Font(findfont(FontProperties(family=FONTS[0]), fallback_to_default=False))


def _drawn(text: str) -> list[int]:
    """The glyphs matplotlib draws for ``text``, left to right."""
    items = sorted(_text_helpers.layout(text, _font()), key=lambda item: item.x)
    return [item.glyph_index for item in items]


def _base(char: str) -> str:
    # arabic-reshaper writes a letter that joins neither side as its "isolated"
    # presentation form; HarfBuzz keeps the letter itself: the same glyph drawn
    decomposition = unicodedata.decomposition(char).split()
    if decomposition[:1] == ["<isolated>"] and len(decomposition) == 2:
        return chr(int(decomposition[1], 16))
    return char


def _expected(text: str) -> list[int]:
    font = _font()
    visual = get_display(arabic_reshaper.reshape(text))
    return [font.get_char_index(ord(_base(c))) for c in visual]


@pytest.mark.parametrize(
    "text",
    [
        "سلام",  # joined letters and the lam-alef ligature
        "أقل من 5",  # "fewer than 5" in the Arabic catalogue: a number in RTL text
        "السلامة على الطرق",
        "پاکستان",  # Persian/Urdu letters
        "שלום עולם",  # Hebrew: no joining, right to left
        "مركز Chester المجتمعي",  # a Latin name inside Arabic keeps its order
    ],
)
def test_right_to_left_text_is_shaped_and_ordered(text: str) -> None:
    assert _drawn(text) == _expected(text)
    assert _drawn(text) != [_font().get_char_index(ord(c)) for c in text]  # not as typed


@pytest.mark.parametrize("text", ["Chester", "Residents taking part", "Cymraeg ŵŷ", "Łódź"])
def test_latin_text_is_drawn_as_typed(text: str) -> None:
    font = _font()
    assert _drawn(text) == [font.get_char_index(ord(c)) for c in text]
    assert get_display(arabic_reshaper.reshape(text)) == text


def test_the_chart_font_has_every_locales_letters_and_rtl_scripts() -> None:
    font = _font()
    letters = "ŵŷâ ąęłźż їєґ șțăâî أقل من السلامة پچژگکی שלום"
    assert [c for c in letters if c != " " and font.get_char_index(ord(c)) == 0] == []


def _png(uri: str | None) -> bytes:
    assert uri is not None and uri.startswith("data:image/png;base64,")
    return base64.b64decode(uri.removeprefix("data:image/png;base64,"))


def test_a_chart_in_arabic_renders_with_no_glyph_missing(
    caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    rows = [
        Figure("by community", "مركز المجتمع في تشيستر", 12),
        Figure("by community", "السلامة على الطرق", 7),
        Figure("by community", "شارع هوب", 3),  # "fewer than 5", in Arabic
    ]
    days = [Figure("by day", f"2026-10-{d:02}", n) for d, n in ((1, 6), (2, 2), (3, 9))]
    with (
        use_locale("ar"),
        warnings.catch_warnings(record=True) as caught,
        caplog.at_level(logging.DEBUG, logger="matplotlib"),
    ):
        warnings.simplefilter("always")
        bars = _png(bar_chart("المشاركة حسب المجتمع", rows))
        columns = _png(time_chart("الردود بمرور الوقت", days))
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    for data in (bars, columns):
        image = Image.open(io.BytesIO(data))
        assert image.format == "PNG" and image.size[0] > 300
    (tmp_path / "arabic-bars.png").write_bytes(bars)  # kept with the test's files, to look at


@pytest.mark.parametrize(("language", "mirrored"), [("ar", True), ("en", False), ("cy", False)])
def test_a_chart_reads_in_the_direction_of_its_language(language: str, mirrored: bool) -> None:
    """In Arabic the chart is mirrored, as the page is: title and value axis on the
    right, bars growing to the left (and a bar's label beyond its end, on the left)."""
    axes = Canvas().add_subplot()
    axes.barh([0], [40])
    axes.set_xlim(0, 50)
    with use_locale(language):
        reading_order(axes, "Taking part")
    assert bool(axes.xaxis_inverted()) is mirrored
    assert axes.get_title(loc="right" if mirrored else "left") == "Taking part"
    assert axes.yaxis.get_ticks_position() == ("right" if mirrored else "left")
