"""Typo-tolerant place search over the demo communities."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.place_search import MIN_SCORE, Match, normalise, search

DEMO = Path(__file__).resolve().parents[2] / "storage" / "demo" / "communities.json"
PLACES: list[tuple[int, str]] = [
    (i, c["name"]) for i, c in enumerate(json.loads(DEMO.read_text("utf-8"))["communities"], 1)
]
BY_NAME = {name: cid for cid, name in PLACES}


def names(matches: list[Match]) -> list[str]:
    return [m.name for m in matches]


def test_the_demo_list_is_realistic() -> None:
    assert len(PLACES) > 50
    assert "Tarvin" in BY_NAME and "Tarporley" in BY_NAME


@pytest.mark.parametrize("query", ["Tarvn", "tarvn", "Tarvinn", "Travin", "  TARVN  "])
def test_typos_find_tarvin(query: str) -> None:
    found = search(query, PLACES)
    assert found, query
    assert found[0].name == "Tarvin"
    assert found[0].id == BY_NAME["Tarvin"]
    assert MIN_SCORE <= found[0].score < 1.0


@pytest.mark.parametrize("query", ["tarvin", "Tarvin", "TARVIN", " tarvin. "])
def test_exact_match_comes_alone(query: str) -> None:
    assert search(query, PLACES) == [Match(BY_NAME["Tarvin"], "Tarvin", 1.0)]


def test_two_exact_matches_are_both_offered() -> None:
    places = [(1, "Newton"), (2, "Newton"), (3, "Newtown")]
    found = search("newton", places)
    assert {m.id for m in found} >= {1, 2}


def test_prefix_of_a_word_finds_every_place_with_it() -> None:
    found = search("crewe", PLACES, limit=10)
    crewes = {n for n in BY_NAME if "Crewe" in n}
    assert set(names(found)) == crewes


def test_limit_is_respected() -> None:
    assert len(search("crewe", PLACES, limit=3)) == 3
    assert len(search("crewe", PLACES)) <= 6


def test_short_query_does_not_crash() -> None:
    found = search("ch", PLACES)
    assert isinstance(found, list)
    assert all(isinstance(m, Match) and m.score >= MIN_SCORE for m in found)


@pytest.mark.parametrize(
    "query", ["Saint-Barnabas", "St. Barnabas", "st  barnabas!", "ST-BARNABAS"]
)
def test_punctuation_is_normalised(query: str) -> None:
    found = search(query, PLACES)
    assert "St Barnabas" in names(found)


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("St. Barnabas", "st barnabas"),
        ("Saint-Barnabas", "saint barnabas"),
        ("Willaston (Crewe)", "willaston crewe"),
        ("  Hálton   Léa ", "halton lea"),
        ("Żółć", "zołc"),  # ł has no decomposition; it stays a letter
        ("Ångström", "angstrom"),
        ("...", ""),
    ],
)
def test_normalise(raw: str, normal: str) -> None:
    assert normalise(raw) == normal


def test_accents_are_ignored() -> None:
    assert search("Tárvín", PLACES) == [Match(BY_NAME["Tarvin"], "Tarvin", 1.0)]
    assert search("tarvin", [(9, "Tárvín")]) == [Match(9, "Tárvín", 1.0)]


@pytest.mark.parametrize("query", ["", "   ", "...", "-", "\n\t", "()"])
def test_empty_query_gives_nothing(query: str) -> None:
    assert search(query, PLACES) == []


def test_nonsense_finds_nothing() -> None:
    assert search("qqqqzzzz", PLACES) == []


def test_results_are_best_first() -> None:
    found = search("Halton", PLACES, limit=10)
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert found[0].name.startswith("Halton")


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(max_size=30), st.integers(min_value=1, max_value=10))
def test_search_never_raises_and_sorts(query: str, limit: int) -> None:
    found = search(query, PLACES, limit=limit)
    assert len(found) <= limit
    scores = [m.score for m in found]
    assert scores == sorted(scores, reverse=True)
    assert all(MIN_SCORE <= s <= 1.0 for s in scores)
    assert all((m.id, m.name) in PLACES for m in found)
    if any(s == 1.0 for s in scores) and scores.count(1.0) == 1:
        assert len(found) == 1


@settings(max_examples=100, deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(), st.text(max_size=20)), max_size=20), st.text(max_size=20))
def test_search_never_raises_on_arbitrary_places(places: list[tuple[int, str]], query: str) -> None:
    found = search(query, places)
    assert all(isinstance(m, Match) for m in found)


@settings(max_examples=100, deadline=None, database=None)
@given(st.sampled_from(PLACES))
def test_every_place_finds_itself(place: tuple[int, str]) -> None:
    cid, name = place
    found = search(name, PLACES)
    assert cid in [m.id for m in found]
