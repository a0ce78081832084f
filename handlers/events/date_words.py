"""Day and month names, "today" and "tomorrow" in the other languages Chinwag speaks.

``handlers.events.dates`` reads English words; staff who write in Welsh, Polish,
Ukrainian, Romanian or Arabic type theirs. Weekday and month names come from Babel's
locale data (both grammatical contexts, and without accents, as people type on a
phone); a few forms Babel does not list (the accusative "w środę", "у середу") and
the words for today and tomorrow are written here.

A word that could mean two things is left out, so it stays unreadable rather than
misread: Welsh "Mawrth" is March, and Tuesday only as "dydd Mawrth" (a phrase the
parser reads as one weekday).
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from babel import Locale

LANGUAGES = ("cy", "pl", "uk", "ro", "ar")
DAY_PREFIXES = frozenset({"dydd", "nos", "يوم"})  # "dydd Mawrth", "يوم الثلاثاء"

# Forms Babel does not give: the accusative after "w"/"у" (on Wednesday), by weekday.
_EXTRA_WEEKDAYS = {
    "środę": 2, "sobotę": 5, "niedzielę": 6,  # pl
    "середу": 2, "пʼятницю": 4, "суботу": 5, "неділю": 6,  # uk
    "marţi": 1, "sâmbăta": 5, "duminica": 6,  # ro: cedilla spelling, articled forms
}  # fmt: skip
_RELATIVE_WORDS = {
    "heddiw": 0, "heno": 0, "yfory": 1,  # cy
    "dziś": 0, "dzisiaj": 0, "jutro": 1,  # pl
    "сьогодні": 0, "завтра": 1,  # uk
    "azi": 0, "astăzi": 0, "diseară": 0, "mâine": 1,  # ro
    "اليوم": 0, "الليلة": 0, "غدا": 1, "غدًا": 1, "بكرة": 1,  # ar
}  # fmt: skip
FILLERS = frozenset(
    {
        "ar", "yn", "o'r", "gloch",  # cy ("am", at, would swallow English "6 am")
        "w", "we", "o", "godz", "godzina", "godzinie", "dnia",  # pl
        "у", "в", "о", "об", "на", "годині",  # uk
        "la", "ora", "în", "pe", "data", "de",  # ro
        "في", "الساعة", "على",  # ar
    }
)  # fmt: skip
DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def folded(word: str) -> str:
    """Without accents (``środa`` → ``sroda``), as many type on a phone."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _spellings(word: str) -> set[str]:
    word = word.casefold().rstrip(".")
    forms = {word, folded(word)}
    for apostrophe in ("'", "’"):  # Ukrainian: ʼ as Babel writes it, or as typed
        forms |= {form.replace("ʼ", apostrophe) for form in list(forms)}
    return {form for form in forms if form}


def _unambiguous(candidates: Iterable[tuple[str, int]], taken: set[str]) -> dict[str, int]:
    values: defaultdict[str, set[int]] = defaultdict(set)
    for word, value in candidates:
        for spelling in _spellings(word):
            values[spelling].add(value)
    return {w: next(iter(v)) for w, v in values.items() if len(v) == 1 and w not in taken}


def _names(kind: str) -> list[tuple[str, int]]:
    found: list[tuple[str, int]] = []
    for language in LANGUAGES:
        locale = Locale.parse(language)
        table = locale.days if kind == "days" else locale.months
        for context in ("format", "stand-alone"):
            for width in ("wide", "abbreviated"):
                for key, name in table[context][width].items():
                    found.append((name, int(key)))
    return found


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The words read from Babel's locale data."""

    weekdays: dict[str, int]
    months: dict[str, int]
    weekday_phrases: dict[tuple[str, str], int]  # ("dydd", "mawrth"): 1


@cache
def vocabulary() -> Vocabulary:
    """Built on first use: reading five locales' data is about a tenth of a second,
    which every ``chinwag`` command would otherwise spend at start, dates or not."""
    phrases: dict[tuple[str, str], int] = {}
    day_words: list[tuple[str, int]] = []
    for name, weekday in _names("days"):
        parts = name.casefold().split()
        if len(parts) == 2 and parts[0] in DAY_PREFIXES:
            for spelling in _spellings(parts[1]):
                phrases[(parts[0], spelling)] = weekday
            day_words.append((parts[1], weekday))
        elif len(parts) == 1 and len(parts[0].rstrip(".")) >= 3:
            day_words.append((parts[0], weekday))
    day_words += list(_EXTRA_WEEKDAYS.items())
    month_words = [
        (name, month)
        for name, month in _names("months")
        if len(name.split()) == 1 and len(name.rstrip(".")) >= 3
    ]
    every_month = {s for w, _ in month_words for s in _spellings(w)}
    # A word that is also a month is read as the month ("mawrth": March in Welsh).
    weekdays = _unambiguous(day_words, every_month | set(FILLERS))
    months = _unambiguous(month_words, set(FILLERS))
    return Vocabulary(weekdays, months, phrases)


RELATIVE = {s: n for w, n in _RELATIVE_WORDS.items() for s in _spellings(w)}
