"""Cleaning free text from residents before it is stored."""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}


def clean(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs) and trim the ends.

    Everything else is kept as the resident wrote it; it is escaped on the way out.
    """
    kept = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) != "Cc")
    return kept.strip()
