"""How long each typed part of a directory entry may be, in the chat and on the dashboard.

The name and the languages have a length in the database (``DirectoryEntry``;
PostgreSQL refuses a longer value), the other parts are text and get a generous cap.
"""

from __future__ import annotations

MAX_NAME = 200
MAX_TEXT = 1000
_COLUMN_LENGTHS = {"name": MAX_NAME, "languages": 200}


def limit(field: str) -> int:
    return _COLUMN_LENGTHS.get(field, MAX_TEXT)
