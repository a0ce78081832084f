"""Does a message look like an emergency? Whole words, any case, any accents.

Both the message and the keywords go through ``normalise``: case folded, accents
and Arabic vowel marks dropped, ``ł`` read as ``l``, any script's digits as ASCII.
Then a keyword matches where its words appear next to each other in the message.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path

from handlers.safety.keywords import DEFAULT_KEYWORDS

_WORD = re.compile(r"\w+")
_LETTERS = str.maketrans({"ł": "l", "Ł": "l", "ø": "o", "đ": "d", "ı": "i", "\u0640": ""})

Words = tuple[str, ...]


def _plain(ch: str) -> str:
    if ch.isdecimal():
        return str(unicodedata.decimal(ch, 0))
    return ch


def normalise(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.translate(_LETTERS).casefold())
    return "".join(_plain(ch) for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> Words:
    return tuple(_WORD.findall(normalise(text)))


class KeywordMatcher:
    """Matches any of the given keywords (of any language) in a text."""

    def __init__(self, keywords: Iterable[str]) -> None:
        phrases = {words(k) for k in keywords}
        phrases.discard(())
        self._single = {p[0] for p in phrases if len(p) == 1}
        self._multi = [p for p in phrases if len(p) > 1]

    def matches(self, text: str) -> bool:
        found = words(text)
        if self._single.intersection(found):
            return True
        for phrase in self._multi:
            size = len(phrase)
            if any(found[i : i + size] == phrase for i in range(len(found) - size + 1)):
                return True
        return False


class KeywordsFileError(ValueError):
    """The keywords file is missing, not TOML, or not lists of strings per language."""


def load_keywords(path: Path | None) -> dict[str, tuple[str, ...]]:
    """The built-in lists, with each language in the TOML file ``path`` replaced.

    The file holds one list per language code: ``en = ["help me", "knife"]``.
    """
    keywords = dict(DEFAULT_KEYWORDS)
    if path is None:
        return keywords
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KeywordsFileError(f"cannot read {path}: {exc}") from None
    for language, entries in data.items():
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            raise KeywordsFileError(f"{path}: {language} must be a list of strings")
        keywords[language] = tuple(entries)
    return keywords


def matcher_for(keywords: Mapping[str, Iterable[str]]) -> KeywordMatcher:
    return KeywordMatcher(k for entries in keywords.values() for k in entries)


def default_matcher() -> KeywordMatcher:
    return matcher_for(DEFAULT_KEYWORDS)
