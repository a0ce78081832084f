"""One way to send any dashboard list as CSV.

UTF-8 with a byte-order mark (so spreadsheet programs read Welsh, Polish or Arabic
names right), one header row, and every cell that a spreadsheet would take for a
formula prefixed with ``'`` (``handlers.spreadsheet``, as the chat's CSV does).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from starlette.requests import Request
from starlette.responses import Response

from handlers import spreadsheet


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(spreadsheet.row(tuple(row)))
    return buffer.getvalue()


def csv_response(
    filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]
) -> Response:
    """A CSV download; ``filename`` is ours (ASCII, no quotes), never a user's text."""
    body = "\ufeff" + csv_text(header, rows)
    return Response(
        body.encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def wants_csv(query: str | None) -> bool:
    """``?format=csv``."""
    return query == "csv"


def csv_wanted(request: Request) -> bool:
    """``?format=csv``, or a path that ends ``.csv`` (``/groups.csv``)."""
    return wants_csv(request.query_params.get("format")) or request.url.path.endswith(".csv")
