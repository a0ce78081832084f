"""Find directory entries by name or by a need in the resident's own words, offline.

Deterministic and small: words are folded and lightly stemmed; a need map points
everyday words ("lonely", "teenage", "scam") at a category; names, keywords and
descriptions are matched word by word. Entries serving the resident's community
come first, then its LPU, then the whole force, then anywhere else.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from storage.models import DirectoryEntry

WORD = re.compile(r"[^\W_]+")


def _set(text: str) -> frozenset[str]:
    return frozenset(text.split())


IGNORED = _set(
    "a an and the for my our me i we to of in on at is are something somewhere someone "
    "any some help with who what where near need needs needed looking find want"
)
NEEDS: dict[str, frozenset[str]] = {
    "youth": _set(
        "teen teenage teenager son daughter youth young kid child children boy girl "
        "school skate football"
    ),
    "social": _set(
        "lonely loneliness isolated isolation alone friend friendship befriend befriending "
        "company coffee chat elderly older"
    ),
    "crime": _set(
        "scam fraud burglary burgle theft steal stolen crime watch safe safety security "
        "speeding antisocial"
    ),
    "advice": _set("advice benefit debt money housing rent bill energy form citizen"),
    "support": _set(
        "support carer caring mental health wellbeing bereavement grief addiction "
        "domestic abuse food bank foodbank"
    ),
    "clubs": _set("club hobby sport music choir art craft garden walk walking"),
    "bases": _set("base hall centre center library venue room drop"),
}


def fold(text: str) -> str:
    """Lower case without accents: "Café" and "cafe" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def stem(word: str) -> str:
    for suffix in ("ness", "ing", "ers", "er", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return [stem(w) for w in WORD.findall(fold(text))]


_NEED_STEMS = {category: frozenset(stem(w) for w in ws) for category, ws in NEEDS.items()}


def needed_categories(query: str) -> set[str]:
    """The categories the words of ``query`` point to ("lonely" → social)."""
    found = set(words(query))
    return {category for category, stems in _NEED_STEMS.items() if found & stems}


@dataclass(frozen=True, slots=True)
class Place:
    """Where the resident is: their community and its LPU (either may be unknown)."""

    community_id: int | None = None
    lpu_id: int | None = None


def nearness(entry: DirectoryEntry, place: Place, lpu_of: dict[int, int]) -> int:
    """0 their community, 1 their LPU, 2 the whole force, 3 somewhere else."""
    if entry.community_id is not None:
        if entry.community_id == place.community_id:
            return 0
        in_lpu = lpu_of.get(entry.community_id) == place.lpu_id and place.lpu_id is not None
        return 1 if in_lpu else 3
    if entry.lpu_id is not None:
        return 1 if entry.lpu_id == place.lpu_id else 3
    return 2


def score(entry: DirectoryEntry, query: str) -> int:
    """How well ``entry`` answers ``query``; 0 is not at all."""
    asked = [w for w in words(query) if w not in IGNORED]
    if not asked:
        return 0
    name = set(words(entry.name))
    keywords = set(words(entry.keywords))
    text = set(words(f"{entry.description} {entry.where_when}"))
    points = 0
    folded_query = " ".join(asked)
    if folded_query and folded_query in " ".join(words(entry.name)):
        points += 20
    for word in asked:
        points += 10 * (word in name) + 6 * (word in keywords) + 3 * (word in text)
    if entry.category in needed_categories(query):
        points += 8
    return points


def rank(
    entries: Iterable[DirectoryEntry],
    place: Place,
    lpu_of: dict[int, int] | None = None,
) -> list[DirectoryEntry]:
    """Nearest first, then by name."""
    lpus = lpu_of or {}
    return sorted(entries, key=lambda e: (nearness(e, place, lpus), fold(e.name), e.id or 0))


def search(
    entries: Sequence[DirectoryEntry],
    query: str,
    place: Place,
    lpu_of: dict[int, int] | None = None,
) -> list[DirectoryEntry]:
    """The entries that match ``query``: nearest first, then the best match."""
    lpus = lpu_of or {}
    scored = [(score(e, query), e) for e in entries]
    found = [(s, e) for s, e in scored if s > 0]
    found.sort(key=lambda item: (nearness(item[1], place, lpus), -item[0], fold(item[1].name)))
    return [e for _s, e in found]
