"""How long each typed part of a directory entry may be, in the chat and on the dashboard.

The name and the languages have a length in the database (``DirectoryEntry``;
PostgreSQL refuses a longer value), the other parts are text and get a generous cap.
Keywords are text too, but a short list of search words: a tighter cap.
"""

from __future__ import annotations

MAX_NAME = 200
MAX_TEXT = 1000
MAX_KEYWORDS = 300
_LIMITS = {"name": MAX_NAME, "languages": 200, "keywords": MAX_KEYWORDS}


def limit(field: str) -> int:
    return _LIMITS.get(field, MAX_TEXT)
