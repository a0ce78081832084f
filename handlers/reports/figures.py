"""Figures for the report, with the small-numbers rule applied in this one place.

Any count of 1 to 4 people is shown as "fewer than 5", in every format and chart,
so that nobody can be picked out of a breakdown. Zero identifies nobody and is
shown as 0.

``value`` is for programs (the JSON and the CSV): a number, or the marker
``"fewer than 5"``, the same in every language. ``text`` is for people (the HTML,
the Markdown and the charts): the marker in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.i18n import N_, _

THRESHOLD = 5
FEWER = N_("fewer than 5")


def shown(count: int) -> int | str:
    """The count as the report may show it, for programs (the marker in English)."""
    return FEWER if 0 < count < THRESHOLD else count


def shown_text(count: int) -> str:
    """The count as the report may show it, for people (in the current language)."""
    value = shown(count)
    return _(FEWER) if value == FEWER else str(value)


@dataclass(frozen=True, slots=True)
class Figure:
    """One row of a breakdown: a section, a label and how many."""

    section: str
    label: str
    count: int
    people: bool = True  # a count of people: small ones are hidden

    @property
    def value(self) -> int | str:
        return shown(self.count) if self.people else self.count

    @property
    def suppressed(self) -> bool:
        return self.value == FEWER

    @property
    def text(self) -> str:
        """What a reader sees: the count, or "fewer than 5" in their language."""
        return _(FEWER) if self.suppressed else str(self.value)


def figures(section: str, rows: list[tuple[str, int]]) -> list[Figure]:
    return [Figure(section, label, count) for label, count in rows]
