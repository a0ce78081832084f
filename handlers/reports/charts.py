"""Charts for the HTML report: PNG images as ``data:`` URIs, drawn with matplotlib.

Figures are made without pyplot (no global state, so a report can be drawn in a
worker thread) and saved through the Agg backend, which needs no display. A figure hidden by the small-numbers rule
is drawn as a grey, hatched bar up to 5 and labelled "fewer than 5" (in the current
locale, as the tables say it), so the chart never shows more than the tables do.

Text in any script is drawn as it is given. Matplotlib 3.11 and later lay text out
with libraqm (HarfBuzz shaping, Unicode bidi), so Arabic letters join and Arabic
and Hebrew read right to left by themselves; shaping them beforehand (e.g. with
arabic-reshaper and python-bidi, as older matplotlib needed) would reverse them a
second time. Every text is drawn in ``FONTS``: DejaVu Sans, which matplotlib
ships, has the letters of every locale and of Arabic, Persian and Hebrew answers;
fonts with more scripts follow where installed, for letters it lacks (a letter no
font has is drawn as a box, with matplotlib's warning, and the table has it).
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure as Canvas
from matplotlib.font_manager import fontManager

from handlers.i18n import current_locale
from handlers.language.names import is_rtl
from handlers.markup import shorten
from handlers.reports.figures import THRESHOLD, Figure

BLUE = "#1f5fa8"
GREY = "#b8b8b8"
LABEL_LENGTH = 38
FALLBACK_FONTS = (
    "Noto Sans",
    "Noto Naskh Arabic",
    "Noto Sans Arabic",
    "Noto Sans Hebrew",
    "Noto Sans Devanagari",
    "Noto Sans CJK JP",
)
_installed = {font.name for font in fontManager.ttflist}
# only installed ones: matplotlib logs a warning for every family it cannot find
FONTS = ["DejaVu Sans", *(name for name in FALLBACK_FONTS if name in _installed)]


def _png(canvas: Canvas) -> str:
    buffer = io.BytesIO()
    canvas.savefig(buffer, format="png", dpi=96, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def reading_order(axes: Axes, title: str) -> None:
    """Title and axes as the report's language reads: in a right-to-left one the
    chart is mirrored (the title and the value axis on the right, bars growing to
    the left, the oldest day on the right), as the page around it is."""
    rtl = is_rtl(current_locale())
    axes.set_title(title, loc="right" if rtl else "left", fontsize=11, family=FONTS)
    axes.spines[["top", "left" if rtl else "right"]].set_visible(False)
    if rtl:
        axes.invert_xaxis()
        axes.yaxis.tick_right()


def _heights(rows: Sequence[Figure]) -> tuple[list[float], list[str], list[str]]:
    heights = [float(THRESHOLD if f.suppressed else f.count) for f in rows]
    colours = [GREY if f.suppressed else BLUE for f in rows]
    labels = [f.text for f in rows]
    return heights, colours, labels


def bar_chart(title: str, rows: Sequence[Figure], *, limit: int = 15) -> str | None:
    """Horizontal bars, biggest at the top; ``None`` when there is nothing to draw."""
    shown = list(rows)[:limit]
    if not shown:
        return None
    heights, colours, labels = _heights(shown)
    canvas = Canvas(figsize=(8, 0.45 * len(shown) + 1.2))
    axes = canvas.add_subplot()
    positions = list(range(len(shown)))[::-1]
    bars = axes.barh(positions, heights, color=colours)
    for bar, row in zip(bars, shown, strict=True):
        if row.suppressed:
            bar.set_hatch("//")
    axes.set_yticks(positions, [shorten(f.label, LABEL_LENGTH) for f in shown], family=FONTS)
    axes.set_xlim(0, max(heights) * 1.25 + 1)
    reading_order(axes, title)  # before the labels: they go beyond a bar's end, either way
    axes.bar_label(bars, labels=labels, padding=3, fontsize=8, family=FONTS)
    return _png(canvas)


def time_chart(title: str, rows: Sequence[Figure]) -> str | None:
    """Responses per day as columns, oldest on the left."""
    if not rows:
        return None
    heights, colours, _labels = _heights(rows)
    canvas = Canvas(figsize=(8, 3.2))
    axes = canvas.add_subplot()
    positions = list(range(len(rows)))
    bars = axes.bar(positions, heights, color=colours)
    for bar, row in zip(bars, rows, strict=True):
        if row.suppressed:
            bar.set_hatch("//")
    step = max(1, len(rows) // 10)
    axes.set_xticks(
        positions[::step], [f.label[5:] for f in rows][::step], fontsize=8, family=FONTS
    )
    reading_order(axes, title)
    return _png(canvas)
