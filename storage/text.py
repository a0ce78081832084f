"""Text from outside (a chat, an import file, an API) as every database can hold it.

PostgreSQL refuses a NUL in any text column, and a lone surrogate (JSON may write
one, ``"\\ud800"``) cannot be encoded at all; other control characters have no
place in what people read. ``clean`` drops them all; ``handlers.text_input`` uses
it for what residents type, the imports and the police.uk sync for what they read.
"""

from __future__ import annotations

import unicodedata

_KEEP = {"\n", "\t"}
_DROP = {"Cc", "Cs"}  # control characters, surrogates


def clean(text: str) -> str:
    """Drop control characters (keeping line breaks and tabs) and lone surrogates, and
    trim the ends. Everything else is kept as written; it is escaped on the way out.
    """
    kept = "".join(ch for ch in text if ch in _KEEP or unicodedata.category(ch) not in _DROP)
    return kept.strip()


def is_clean(text: str) -> bool:
    """``True`` if ``clean`` would only trim ``text``: for identifiers, which are
    rejected rather than changed (two ids must not become one)."""
    return clean(text) == text.strip()
