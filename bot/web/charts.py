"""Bar charts drawn on the server as inline SVG, with the same figures as a table.

The geometry is worked out here, the drawing is ``templates/_chart.html``. A count
hidden by the small-numbers rule (``handlers.reports.figures``) is drawn as a
hatched grey bar up to 5 and labelled "fewer than 5", as in the report's charts:
the chart never shows more than the table does. Right-to-left pages get the bars
mirrored, growing from the right.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers.i18n import _
from handlers.markup import shorten
from handlers.reports.figures import THRESHOLD, Figure

WIDTH = 640
LABEL_WIDTH = 260
VALUE_WIDTH = 120
ROW_HEIGHT = 28
BAR_HEIGHT = 18
LABEL_LENGTH = 30  # characters drawn; the table and the bar's title have the rest


@dataclass(frozen=True, slots=True)
class Bar:
    label: str  # in full, for the table and the bar's title
    short: str  # as drawn
    value: str  # the count, or "fewer than 5"
    suppressed: bool
    y: int
    bar_x: int
    bar_width: int
    label_x: int
    value_x: int


@dataclass(frozen=True, slots=True)
class Chart:
    id: str  # unique on the page: the SVG's title and the table point at it
    title: str
    label_heading: str  # the table's first column heading
    bars: tuple[Bar, ...]
    width: int
    height: int
    rtl: bool
    anchor_label: str
    anchor_value: str


def shown_value(figure: Figure) -> str:
    return _("fewer than 5") if figure.suppressed else str(figure.value)


def bar_chart(
    chart_id: str, title: str, label_heading: str, rows: Sequence[Figure], *, rtl: bool = False
) -> Chart:
    heights = [THRESHOLD if f.suppressed else f.count for f in rows]
    most = max(heights, default=0) or 1
    room = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = []
    for index, (figure, height) in enumerate(zip(rows, heights, strict=True)):
        width = max(1, round(room * height / most)) if height else 0
        if rtl:
            bar_x = WIDTH - LABEL_WIDTH - width
            label_x, value_x = WIDTH - 6, bar_x - 6
        else:
            bar_x = LABEL_WIDTH
            label_x, value_x = LABEL_WIDTH - 6, bar_x + width + 6
        bars.append(
            Bar(
                label=figure.label,
                short=shorten(figure.label, LABEL_LENGTH),
                value=shown_value(figure),
                suppressed=figure.suppressed,
                y=index * ROW_HEIGHT,
                bar_x=bar_x,
                bar_width=width,
                label_x=label_x,
                value_x=value_x,
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        label_heading=label_heading,
        bars=tuple(bars),
        width=WIDTH,
        height=max(1, len(bars)) * ROW_HEIGHT,
        rtl=rtl,
        # The SVG is drawn left to right whatever the page's direction (its own
        # ``direction="ltr"``), so these are the text's right ("end") or left edge.
        anchor_label="end",
        anchor_value="end" if rtl else "start",
    )
