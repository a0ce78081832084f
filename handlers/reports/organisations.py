"""Organisations and groups that residents name in their answers.

Two sources: the known partners in ``partners.toml`` (plus the names of the
organisations that sent an engagement plan), matched by name or alias; and names
written with capitals ("Tarvin Community Choir"), counted when at least two
answers use them, so that a single mention of a person's name is not reported.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from handlers.i18n import N_, _
from handlers.reports.stopwords import STOP_WORDS

PARTNERS_FILE = Path(__file__).with_name("partners.toml")
CONNECTORS = frozenset({"of", "for", "the", "&"})
TOKEN = re.compile(r"[^\W_][\w'’&.-]*")
MIN_NAMED = 2
# Words that start a sentence with a capital without starting a name.
OPENERS = STOP_WORDS | {"we", "i", "my", "in", "on", "at", "it", "so", "if", "to", "as", "by", "no"}
# How a name was found: the id (JSON's "source"), and its name for people.
SOURCES = {
    "directory entry": N_("directory entry"),
    "known partner": N_("known partner"),
    "named in answers": N_("named in answers"),
}


def source_name(source: str) -> str:
    """How a name was found, for people, in the current language."""
    return _(SOURCES[source]) if source in SOURCES else source


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    aliases: tuple[str, ...] = ()

    def patterns(self) -> list[re.Pattern[str]]:
        found = []
        for alias in (self.name, *self.aliases):
            # Short capitals ("WI", "PCC") only as written; anything else ignoring case.
            exact = len(alias) <= 4 and alias.isupper()
            flags = 0 if exact else re.IGNORECASE
            found.append(re.compile(rf"(?<!\w){re.escape(alias)}(?!\w)", flags))
        return found


@dataclass(frozen=True, slots=True)
class Mention:
    name: str
    answers: int
    source: str  # an id of ``SOURCES``: "directory entry", "known partner"...


def load_partners(path: Path = PARTNERS_FILE) -> list[Partner]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [
        Partner(name=str(item["name"]), aliases=tuple(str(a) for a in item.get("also", ())))
        for item in data.get("partner", [])
    ]


def _capitalised(token: str) -> bool:
    return token[:1].isupper()


def named(text: str) -> set[str]:
    """Runs of two or more capitalised words, e.g. "Tarvin Community Choir"."""
    found: set[str] = set()
    for sentence in re.split(r"[.!?;:\n()\"“”«»]+", text):
        tokens = TOKEN.findall(sentence)
        run: list[str] = []
        for position, token in enumerate([*tokens, ""]):
            word = token.strip(".-'’")
            if word and _capitalised(word):
                if not run and position == 0 and word.casefold() in OPENERS:
                    continue  # "The", "We", "Our" opening a sentence
                run.append(word)
                continue
            if run and word.casefold() in CONNECTORS and position + 1 < len(tokens):
                run.append(word)
                continue
            while run and run[-1].casefold() in CONNECTORS:
                run.pop()
            if sum(1 for w in run if _capitalised(w)) >= 2:
                found.add(" ".join(run))
            run = []
    return found


def mentions(
    texts: Iterable[str], extra_names: Sequence[str] = (), directory: Sequence[str] = ()
) -> list[Mention]:
    """``directory`` names active directory entries: they come first and say so."""
    listed = [Partner(name=n) for n in dict.fromkeys(directory) if n.strip()]
    in_directory = {p.name.casefold() for p in listed}
    partners = listed + [
        p
        for p in load_partners() + [Partner(name=n) for n in extra_names if n.strip()]
        if p.name.casefold() not in in_directory
    ]
    answers = [t for t in texts if t]
    known: Counter[str] = Counter()
    loose: Counter[str] = Counter()
    for text in answers:
        matched_spans: list[str] = []
        for partner in partners:
            hits = [p.search(text) for p in partner.patterns()]
            if any(hits):
                known[partner.name] += 1
                matched_spans += [h.group(0).casefold() for h in hits if h]
        for name in named(text):
            folded = name.casefold()
            if not any(span in folded or folded in span for span in matched_spans):
                loose[name] += 1
    result = [
        Mention(name, n, "directory entry" if name.casefold() in in_directory else "known partner")
        for name, n in known.items()
    ]
    result += [Mention(name, n, "named in answers") for name, n in loose.items() if n >= MIN_NAMED]
    result.sort(key=lambda m: (-m.answers, m.name))
    return result
