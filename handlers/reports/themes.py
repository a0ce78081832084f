"""The most frequent themes in free-text answers: key phrases, counted, with quotes.

Deterministic and language-neutral: words are lower-cased (apostrophes split
them: "mae'n" is "mae" and "n"), stop words of the six languages are dropped, and phrases of one
to three neighbouring words are counted once per person. A longer phrase that is
said nearly as often as a shorter one inside it replaces it; otherwise any
phrase sharing a word with one already chosen is dropped, so "love events bring"
and "events bring together" do not both appear, and so is any phrase said by
much the same people as one already chosen (they come from the same sentence). Each theme keeps two or
three representative quotes: answers that mention it, of a readable length.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from handlers.reports.stopwords import STOP_WORDS

WORD = re.compile(r"[^\W\d_]+")
SENTENCE = re.compile(r"[.!?;:\n،؛]+")
MAX_WORDS = 3
MIN_PEOPLE = 2
QUOTES = 3
QUOTE_LENGTH = 160  # ideal length of a quote, in characters
MERGE_RATIO = 0.6  # a longer phrase absorbs a shorter one said at least this often
SAME_PEOPLE = 0.7  # two phrases said by much the same people are one theme


@dataclass(frozen=True, slots=True)
class Theme:
    phrase: str
    people: int  # how many people mention it, in any of their answers
    quotes: tuple[str, ...]


def normalise(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> list[list[str]]:
    """Content words of each sentence, in order, stop words dropped."""
    sentences: list[list[str]] = []
    for sentence in SENTENCE.split(normalise(text)):
        kept = [w for w in WORD.findall(sentence) if len(w) > 2 and w not in STOP_WORDS]
        if kept:
            sentences.append(kept)
    return sentences


def phrases(text: str) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()
    for sentence in words(text):
        for size in range(1, MAX_WORDS + 1):
            for start in range(len(sentence) - size + 1):
                gram = tuple(sentence[start : start + size])
                if len(set(gram)) == size:
                    found.add(gram)
    return found


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    size = len(shorter)
    return any(longer[i : i + size] == shorter for i in range(len(longer) - size + 1))


def _same_people(a: set[int], b: set[int]) -> bool:
    return len(a & b) >= SAME_PEOPLE * len(a | b)


def _pick(said_by: dict[tuple[str, ...], set[int]], limit: int) -> list[tuple[str, ...]]:
    counts = {gram: len(people) for gram, people in said_by.items()}
    candidates = [g for g, n in counts.items() if n >= MIN_PEOPLE]
    # Longer phrases first among equals: "speed cameras" before "speed".
    candidates.sort(key=lambda g: (-counts[g], -len(g), g))
    chosen: list[tuple[str, ...]] = []
    for gram in candidates:
        overlap = [
            c for c in chosen if set(c) & set(gram) or _same_people(said_by[c], said_by[gram])
        ]
        if not overlap:
            chosen.append(gram)
        elif all(
            len(gram) > len(c) and _contains(gram, c) and counts[gram] >= MERGE_RATIO * counts[c]
            for c in overlap
        ):
            chosen = [c for c in chosen if c not in overlap] + [gram]
        if len(chosen) >= limit * 2:
            break
    chosen.sort(key=lambda g: (-counts[g], -len(g), g))
    return chosen[:limit]


def _quotes(texts: Sequence[str], gram: tuple[str, ...]) -> tuple[str, ...]:
    having = [t.strip() for t in texts if gram in phrases(t)]
    unique = sorted(set(having), key=lambda t: (abs(len(t) - QUOTE_LENGTH), t))
    return tuple(unique[:QUOTES])


def themes(people: Iterable[Sequence[str]], limit: int = 12) -> list[Theme]:
    """The ``limit`` most frequent themes; ``people`` holds each person's answers."""
    answers: list[str] = []
    said_by: dict[tuple[str, ...], set[int]] = defaultdict(set)
    for person, texts in enumerate(people):
        said = [t for t in texts if t and t.strip()]
        answers += said
        for text in said:
            for gram in phrases(text):
                said_by[gram].add(person)
    return [
        Theme(phrase=" ".join(gram), people=len(said_by[gram]), quotes=_quotes(answers, gram))
        for gram in _pick(said_by, limit)
    ]
