"""Typed keywords are stored as the CSV import and the demo store them: a
comma-separated list, each item once, within its limit; search reads them back."""

from __future__ import annotations

import pytest

from handlers.directory.limits import MAX_KEYWORDS, limit
from handlers.directory.search import Place, search
from handlers.directory.typed import keywords, tidy
from storage.demo.directory import DEMO_ENTRIES
from storage.models import DirectoryEntry


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("teenagers, young people, pool table", "teenagers, young people, pool table"),
        ("  chess,,  Chess ; board   games\n\nquiz ", "chess, board games, quiz"),
        ("Café, cafe, CAFE", "Café"),  # case and accents, as search folds them
        ("شطرنج، ألعاب؛ شطرنج", "شطرنج, ألعاب"),  # Arabic's comma and semicolon
        ("knit\x00ting\x07, \u200bsew", "knitting, \u200bsew"),  # control characters go
        (" ,, ;\n ", ""),
        ("<b>bold</b>, a & b", "<b>bold</b>, a & b"),  # kept as typed, escaped when shown
    ],
)
def test_keywords_are_a_tidy_list(typed: str, kept: str) -> None:
    assert keywords(typed) == kept


def test_the_demo_keywords_are_already_stored_that_way() -> None:
    for *_parts, words in DEMO_ENTRIES:
        assert keywords(words) == words


def test_a_long_list_keeps_whole_items_within_the_limit() -> None:
    typed = ", ".join(f"word{n}" for n in range(500))
    kept = keywords(typed)
    assert len(kept) <= MAX_KEYWORDS == limit("keywords")
    items = kept.split(", ")
    assert items == [f"word{n}" for n in range(len(items))]
    assert len(", ".join([*items, f"word{len(items)}"])) > MAX_KEYWORDS  # as many as fit


def test_one_item_longer_than_the_limit_is_cut() -> None:
    assert keywords("x" * 1000) == "x" * MAX_KEYWORDS


def test_other_parts_are_only_cleaned_and_cut() -> None:
    assert tidy("description", " a,, b \x07") == "a,, b"
    assert tidy("name", "n" * 500) == "n" * limit("name")
    assert tidy("keywords", "a,, b") == "a, b"


def test_search_finds_an_entry_by_its_stored_keywords() -> None:
    entry = DirectoryEntry(id=1, name="Club", category="clubs", keywords=keywords("Rogue traders"))
    assert search([entry], "rogue trader", Place()) == [entry]
