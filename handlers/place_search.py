"""Typo-tolerant search of place names ("Tarvn" finds Tarvin)."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

MIN_SCORE = 0.72


def normalise(name: str) -> str:
    """Lower case, no accents, no punctuation, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in letters.lower())
    return " ".join(cleaned.split())


@dataclass(frozen=True, slots=True)
class Match:
    id: int
    name: str
    score: float


def _score(query: str, name: str) -> float:
    if not query:
        return 0.0
    if query == name:
        return 1.0
    if name.startswith(query) and len(query) >= 3:
        return 0.95
    words = name.split()
    if any(w.startswith(query) for w in words) and len(query) >= 3:
        return 0.9
    best = SequenceMatcher(None, query, name).ratio()
    for word in words:
        best = max(best, SequenceMatcher(None, query, word).ratio() - 0.02)
    return best


def search(query: str, candidates: Iterable[tuple[int, str]], limit: int = 6) -> list[Match]:
    """Best matches first; an exact match, if any, comes alone."""
    wanted = normalise(query)
    if not wanted:
        return []
    scored = []
    for cid, name in candidates:
        score = _score(wanted, normalise(name))
        if score >= MIN_SCORE:
            scored.append(Match(cid, name, score))
    scored.sort(key=lambda m: (-m.score, m.name))
    exact = [m for m in scored if m.score == 1.0]
    return exact[:1] if len(exact) == 1 else scored[:limit]


class NameIndex:
    """The same search as ``search``, over a fixed list, with the per-name work done once.

    ``SequenceMatcher`` caches what it learns about its second sequence, so each
    candidate name keeps its own matcher and only the query changes between searches.
    """

    def __init__(self, candidates: Iterable[tuple[int, str]]) -> None:
        self._entries = []
        for cid, name in candidates:
            norm = normalise(name)
            words = norm.split()
            self._entries.append(
                (
                    cid,
                    name,
                    norm,
                    words,
                    SequenceMatcher(None, "", norm),
                    [SequenceMatcher(None, "", w) for w in words],
                )
            )
        self._exact = {norm: (cid, name) for cid, name, norm, *_ in self._entries}

    def search(self, query: str, limit: int = 6) -> list[Match]:
        wanted = normalise(query)
        if not wanted:
            return []
        if wanted in self._exact:
            cid, name = self._exact[wanted]
            return [Match(cid, name, 1.0)]
        scored = []
        for cid, name, norm, words, whole, parts in self._entries:
            score = 0.0
            if len(wanted) >= 3 and norm.startswith(wanted):
                score = 0.95
            elif len(wanted) >= 3 and any(w.startswith(wanted) for w in words):
                score = 0.9
            else:
                whole.set_seq1(wanted)
                if whole.real_quick_ratio() >= MIN_SCORE and whole.quick_ratio() >= MIN_SCORE:
                    score = whole.ratio()
                for part in parts:
                    part.set_seq1(wanted)
                    if (
                        part.real_quick_ratio() - 0.02 >= MIN_SCORE
                        and part.quick_ratio() - 0.02 >= MIN_SCORE
                    ):
                        score = max(score, part.ratio() - 0.02)
            if score >= MIN_SCORE:
                scored.append(Match(cid, name, score))
        scored.sort(key=lambda m: (-m.score, m.name))
        return scored[:limit]
