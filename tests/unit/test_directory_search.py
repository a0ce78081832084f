"""Directory search: needs in everyday words, names, and nearest first; never raises."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from handlers.directory.search import Place, needed_categories, search
from storage.models import DirectoryEntry

HOME = Place(community_id=1, lpu_id=10)
LPU_OF = {1: 10, 2: 10, 3: 20}


def entry(
    entry_id: int, name: str, category: str, *, community: int | None = None, lpu: int | None = None
) -> DirectoryEntry:
    return DirectoryEntry(
        id=entry_id, name=name, category=category, community_id=community, lpu_id=lpu
    )


ENTRIES = [
    entry(1, "Far Youth Club", "youth", community=3),
    entry(2, "Force Youth Line", "youth"),
    entry(3, "Next Door Youth Club", "youth", community=2),
    entry(4, "Home Youth Club", "youth", community=1),
    entry(5, "Cuppa and Chat", "social", lpu=10),
    entry(6, "Scam Busters", "crime"),
    entry(7, "Money Advice Drop-in", "advice", community=1),
]


def names(found: list[DirectoryEntry]) -> list[str]:
    return [e.name for e in found]


def test_a_need_in_everyday_words_finds_the_category() -> None:
    assert needed_categories("something for my teenage son") == {"youth"}
    assert needed_categories("Loneliness") == {"social"}
    assert needed_categories("I was isolated") == {"social"}
    assert needed_categories("a phone SCAM") == {"crime"}
    assert needed_categories("help with benefits and debt") == {"advice"}


def test_the_residents_community_comes_first_then_its_lpu_then_the_force() -> None:
    found = search(ENTRIES, "something for my teenage son", HOME, LPU_OF)
    assert names(found) == [
        "Home Youth Club",
        "Next Door Youth Club",
        "Force Youth Line",
        "Far Youth Club",
    ]


def test_loneliness_finds_a_social_group() -> None:
    assert names(search(ENTRIES, "loneliness", HOME, LPU_OF)) == ["Cuppa and Chat"]


def test_a_name_is_found_ignoring_case_and_accents() -> None:
    assert names(search(ENTRIES, "scam busters", HOME, LPU_OF)) == ["Scam Busters"]
    assert names(search(ENTRIES, "MONEY ADVÍCE", HOME, LPU_OF))[0] == "Money Advice Drop-in"


def test_only_little_words_find_nothing() -> None:
    assert search(ENTRIES, "the and for my", HOME, LPU_OF) == []
    assert search(ENTRIES, "", HOME, LPU_OF) == []


def test_without_a_community_the_force_wide_entries_come_before_other_areas() -> None:
    found = search(ENTRIES, "youth", Place(), LPU_OF)
    assert names(found)[0] == "Force Youth Line"


@given(st.text())
def test_search_never_raises_on_any_text(text: str) -> None:
    found = search(ENTRIES, text, HOME, LPU_OF)
    assert all(isinstance(e, DirectoryEntry) for e in found)
