"""How a typed part of a directory entry is stored, in the chat and on the dashboard.

Every part is cleaned (``handlers.text_input.clean``) and cut to its length
(``limits``). Keywords are stored as the CSV import and the demo write them, a
comma-separated list ("teenagers, young people, pool table"): split at commas,
semicolons (Latin or Arabic) and line breaks, the spaces inside an item collapsed,
empty items and repeats (ignoring case and accents, as search does) dropped, and
whole items kept while they fit. Search reads them word by word, so the commas are
for people.
"""

from __future__ import annotations

import re

from handlers.directory.limits import limit
from handlers.directory.search import fold
from handlers.text_input import clean

# The typed parts, in the order the chat asks for them. A button names a part by its
# place here (``DirectoryAction.FIELD``): a new part goes at the end.
PARTS = (
    "name",
    "description",
    "where_when",
    "contact",
    "accessibility",
    "languages",
    "keywords",
)
_BETWEEN = re.compile(r"[,;\n\u060c\u061b]")  # "،" and "؛" are Arabic's


def keywords(text: str) -> str:
    """``text`` as a stored keyword list, at most ``limit("keywords")`` long."""
    longest = limit("keywords")
    items: list[str] = []
    seen: set[str] = set()
    for part in _BETWEEN.split(clean(text)):
        item = " ".join(part.split())
        if item and fold(item) not in seen:
            seen.add(fold(item))
            items.append(item)
    kept: list[str] = []
    for item in items:
        if len(", ".join([*kept, item])) > longest:
            if not kept:  # one item longer than the whole list may be
                kept.append(item[:longest].rstrip())
            break
        kept.append(item)
    return ", ".join(kept)


def tidy(field: str, text: str) -> str:
    """A typed part as it is stored."""
    if field == "keywords":
        return keywords(text)
    return clean(text)[: limit(field)]
