"""Cleaning free text from residents before it is stored.

``clean`` drops control characters (keeping line breaks and tabs) and lone
surrogates, and trims the ends; everything else is kept as the resident wrote it
and escaped on the way out. It lives in ``storage.text``, which the imports share.
"""

from __future__ import annotations

from storage.text import clean

__all__ = ["clean"]
