"""The shipped demo dataset: complete, consistent, clearly fictional, and loadable twice."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest

from storage.demo.build_demo import build
from storage.demo.loader import DEMO_FILE
from storage.imports import parse_json

DATA: dict[str, Any] = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
COMMUNITIES: list[dict[str, Any]] = DATA["communities"]


def inside(polygon: Sequence[Sequence[float]], lat: float, lon: float) -> bool:
    """Ray casting: does a ray from the point cross the polygon's edges an odd number of times?"""
    crossings = 0
    for (lat_a, lon_a), (lat_b, lon_b) in zip(polygon, [*polygon[1:], polygon[0]], strict=True):
        if (lat_a > lat) != (lat_b > lat):
            lon_at = lon_a + (lat - lat_a) * (lon_b - lon_a) / (lat_b - lat_a)
            crossings += lon < lon_at
    return crossings % 2 == 1


def test_inside_is_right_about_a_square() -> None:
    square = [[0, 0], [0, 2], [2, 2], [2, 0]]
    assert inside(square, 1, 1) and not inside(square, 3, 1) and not inside(square, 1, -1)


def test_the_file_imports_without_a_single_error() -> None:
    parsed = parse_json(DEMO_FILE.read_text(encoding="utf-8"))
    assert parsed.errors == []
    assert len(parsed.communities) == 122


def test_eight_lpus_and_122_communities() -> None:
    assert len(DATA["lpus"]) == 8
    assert len(COMMUNITIES) == 122
    assert {c["lpu"] for c in COMMUNITIES} == {lpu["slug"] for lpu in DATA["lpus"]}
    assert len({c["slug"] for c in COMMUNITIES}) == 122
    tarvin = next(c for c in COMMUNITIES if c["slug"] == "tarvin")
    assert (tarvin["name"], tarvin["lpu"], tarvin["postcode_sectors"]) == (
        "Tarvin",
        "chester",
        ["CH3 8"],
    )


@pytest.mark.parametrize("community", COMMUNITIES, ids=lambda c: c["slug"])
def test_every_community_is_complete(community: dict[str, Any]) -> None:
    roles = Counter(member["role"] for member in community["team"])
    assert roles["officer"] == 1 and roles["pcso"] == 1
    assert len(community["bases"]) >= 1
    assert all(base["address"] and base["opening_times"] for base in community["bases"])
    assert len(community["postcode_sectors"]) >= 1
    assert len(community["boundary"]) >= 3
    assert inside(community["boundary"], *community["centroid"])


def test_no_two_boundaries_hold_the_same_centroid() -> None:
    for community in COMMUNITIES:
        holders = [c["slug"] for c in COMMUNITIES if inside(c["boundary"], *community["centroid"])]
        assert holders == [community["slug"]]


def test_every_postcode_sector_belongs_to_one_community() -> None:
    sectors = [s for c in COMMUNITIES for s in c["postcode_sectors"]]
    assert len(sectors) == len(set(sectors))


def test_people_are_clearly_fictional() -> None:
    members = [m for c in COMMUNITIES for m in c["team"]]
    emails = [m["email"] for m in members] + [c["contact"]["email"] for c in COMMUNITIES]
    assert all(email.endswith(".invalid") for email in emails)
    assert {m["phone"] for m in members} == {"101"}
    assert all(m["bio"].startswith("Demo data: a fictional") for m in members)
    assert len({m["name"] for m in members}) == len(members)
    assert "demo" in DATA["force"]["name"].lower()


def test_each_lpu_has_a_sergeant_and_an_inspector_in_its_first_community() -> None:
    for lpu in DATA["lpus"]:
        first, *rest = [c for c in COMMUNITIES if c["lpu"] == lpu["slug"]]
        assert sorted(m["role"] for m in first["team"]) == [
            "inspector",
            "officer",
            "pcso",
            "sergeant",
        ]
        assert all(len(c["team"]) == 2 for c in rest)


def test_the_file_is_what_the_generator_writes() -> None:
    # Edited by hand without regenerating? Run: python -m storage.demo.build_demo
    assert build(DATA) == DATA
