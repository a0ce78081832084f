"""Themes, organisations named and the small-numbers rule, without a database."""

from __future__ import annotations

from handlers.reports.figures import FEWER, Figure, shown
from handlers.reports.organisations import mentions, named
from handlers.reports.themes import phrases, themes


def test_small_numbers_are_hidden_but_zero_is_not() -> None:
    assert [shown(n) for n in (0, 1, 4, 5, 12)] == [0, FEWER, FEWER, 5, 12]
    assert Figure("s", "plans", 3, people=False).value == 3


def test_stop_words_and_welsh_apostrophes_are_dropped() -> None:
    assert ("mae",) not in phrases("Mae'n beryglus i'r plant")
    assert ("beryglus", "plant") in phrases("Mae'n beryglus i'r plant")
    assert ("the",) not in phrases("The speeding on the main road")


def test_themes_count_people_once_and_merge_longer_phrases() -> None:
    people = [
        ["Speed cameras on the main road please", "more speed cameras"],
        ["We need speed cameras near the school"],
        ["Speed cameras would help"],
        ["The park is lovely"],
    ]
    found = themes(people, limit=3)
    assert found[0].phrase == "speed cameras"
    assert found[0].people == 3
    assert 2 <= len(found[0].quotes) <= 3
    assert all(t.phrase not in ("speed", "cameras") for t in found)


def test_themes_are_found_in_other_alphabets() -> None:
    people = [["Машини їдуть дуже швидко"], ["Швидко їдуть машини вночі"], ["машини біля школи"]]
    assert any("машини" in t.phrase for t in themes(people))


def test_organisations_known_and_capitalised() -> None:
    texts = [
        "Age UK helps. Tarvin Community Choir sings.",
        "I go to Tarvin Community Choir on Fridays",
        "John Smith was kind",
        "Gwarchod Cymdogaeth yn weithgar",
    ]
    found = {m.name: (m.answers, m.source) for m in mentions(texts)}
    assert found["Age UK"] == (1, "known partner")
    assert found["Neighbourhood Watch"] == (1, "known partner")
    assert found["Tarvin Community Choir"] == (2, "named in answers")
    assert "John Smith" not in found  # named once: could be a person, not reported
    assert "We Love" not in named("We Love it")
