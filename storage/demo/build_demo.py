"""Regenerate the demo dataset, ``communities.json``: boundaries, teams and bases.

The places are real and are read from ``communities.json`` itself: the force, the
LPUs, and each community's slug, name, LPU, postcode sectors and centroid (plus an
``external_id`` or ``url`` if one is set). Everything else is made up from them,
deterministically, so running this twice writes the same file::

    python -m storage.demo.build_demo

To change the demo data, edit those place fields in the JSON (or add a community
with just them) or the lists below, run this, and commit the new JSON.

- Boundaries are rectangles that tile each LPU: the LPU's centroids are grouped into
  rows by latitude, each row is a band cut halfway between neighbouring rows, and
  each band is cut halfway between neighbouring centroids, its first and last tile
  reaching the LPU's edges. Where two LPUs' rectangles overlap they are cut apart
  halfway between their nearest centroids. No tiles overlap; each holds its centroid.
- People are fictional: first names and invented surnames, ``@demo.invalid`` emails
  and the non-emergency number 101. Each community has a police community officer
  and a PCSO; each LPU's first community also has the LPU's sergeant and inspector.
- Bases are generic buildings (a library, a community centre...) on generic streets.
"""

from __future__ import annotations

import json
import math
import zlib
from collections.abc import Sequence
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

from storage.imports import parse_json

DEMO_FILE = Path(__file__).resolve().parent / "communities.json"

FIRST_NAMES = (
    *("Alex", "Sam", "Jo", "Chris", "Robin", "Jamie", "Charlie", "Morgan", "Taylor", "Jordan"),
    *("Casey", "Riley", "Frankie", "Kit", "Ashley", "Drew", "Rowan", "Billie", "Hayden", "Lou"),
)
# Invented, so that no demo officer shares a real person's name.
SURNAMES = (
    *("Sampleford", "Testwood", "Mockridge", "Exampleby", "Draftley", "Proofield"),
    *("Pilotgate", "Trialsworth", "Modelbury", "Placeholme", "Specimore", "Fictonby"),
    *("Lorembury", "Dummington", "Figmentley", "Ipsumthwaite"),
)
TOWN_BUILDINGS = ("Community Centre", "Library", "Community Hub", "Leisure Centre")
VILLAGE_BUILDINGS = ("Community Centre", "Library", "Village Hall", "Parish Rooms")
STREETS = (
    *("High Street", "Church Road", "Station Road", "Main Road", "Park Lane"),
    *("Market Street", "Mill Lane", "School Lane", "Chapel Street", "Green Lane"),
)
DAYS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays")
HOURS = ("10:00 to 12:00", "14:00 to 16:00", "18:00 to 20:00", "09:30 to 11:30")
ACCESS = (
    "Step-free access; hearing loop",
    "Step-free access; accessible toilet",
    "Ramp at the side entrance; hearing loop",
    "Step-free access; accessible parking nearby",
    "Ground floor meeting room; hearing loop",
)
TELEPHONE = "101"  # the police non-emergency number: never a personal one

ROW_MARGIN = 0.009  # degrees of latitude above and below a lone row
COLUMN_MARGIN = 0.015  # degrees of longitude either side of a lone centroid
DECIMALS = 5

Point = tuple[float, float]  # (latitude, longitude)
Rect = tuple[float, float, float, float]  # (south, west, north, east)


# --- boundaries ---------------------------------------------------------------------


def _margin(values: Sequence[float], default: float) -> float:
    gaps = [b - a for a, b in pairwise(sorted(set(values)))]
    return min(gaps) / 2 if gaps else default


def _cuts(values: Sequence[float], low: float, high: float) -> list[float]:
    """``low``, the midpoints between neighbouring ``values`` (sorted), then ``high``."""
    return [low, *((a + b) / 2 for a, b in pairwise(values)), high]


def lpu_tiles(centroids: Sequence[Point]) -> list[Rect]:
    """One rectangle per centroid, together covering the LPU's rectangle."""
    if len(set(centroids)) != len(centroids):
        raise ValueError("two communities in one LPU share a centroid")
    lats = sorted({lat for lat, _ in centroids})
    lons = [lon for _, lon in centroids]
    lat_margin = _margin(lats, ROW_MARGIN)
    lon_margin = _margin(lons, COLUMN_MARGIN)
    bands = _cuts(lats, lats[0] - lat_margin, lats[-1] + lat_margin)
    west, east = min(lons) - lon_margin, max(lons) + lon_margin
    tiles: dict[Point, Rect] = {}
    for row, lat in enumerate(lats):
        row_lons = sorted(lon for c_lat, lon in centroids if c_lat == lat)
        cuts = _cuts(row_lons, west, east)
        for column, lon in enumerate(row_lons):
            tiles[(lat, lon)] = (bands[row], cuts[column], bands[row + 1], cuts[column + 1])
    return [tiles[c] for c in centroids]


def _bounds(tiles: Sequence[Rect]) -> Rect:
    return (
        min(t[0] for t in tiles),
        min(t[1] for t in tiles),
        max(t[2] for t in tiles),
        max(t[3] for t in tiles),
    )


def _overlap(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _rect(values: Sequence[float]) -> Rect:
    return (values[0], values[1], values[2], values[3])


def _separate(
    a: Rect, b: Rect, a_points: Sequence[Point], b_points: Sequence[Point]
) -> tuple[Rect, Rect]:
    """Cut overlapping ``a`` and ``b`` apart halfway between their nearest centroids.

    Both axes, and both ways round, are tried; the cut with the widest gap between
    the two LPUs' centroids (in kilometres) wins.
    """
    lon_scale = math.cos(math.radians((a[0] + a[2]) / 2))
    points = (a_points, b_points)
    best: tuple[float, Rect, Rect] | None = None
    for axis, scale in ((0, 1.0), (1, lon_scale)):
        for low, high in ((0, 1), (1, 0)):  # which LPU keeps the lower side
            top = max(p[axis] for p in points[low])
            bottom = min(p[axis] for p in points[high])
            if top >= bottom:
                continue
            cut = (top + bottom) / 2
            rects = [list(a), list(b)]
            rects[low][axis + 2] = min(rects[low][axis + 2], cut)
            rects[high][axis] = max(rects[high][axis], cut)
            gap = (bottom - top) * scale
            if best is None or gap > best[0]:
                best = (gap, _rect(rects[0]), _rect(rects[1]))
    if best is None:
        raise ValueError("two LPUs' centroids interleave: no straight cut separates them")
    return best[1], best[2]


def _clip(tile: Rect, bounds: Rect) -> Rect:
    return (
        max(tile[0], bounds[0]),
        max(tile[1], bounds[1]),
        min(tile[2], bounds[2]),
        min(tile[3], bounds[3]),
    )


def _centroid(community: dict[str, Any]) -> Point:
    lat, lon = community["centroid"]
    return (float(lat), float(lon))


def boundaries(communities: Sequence[dict[str, Any]]) -> dict[str, list[list[float]]]:
    """Each community's boundary, ``[[lat, lon], ...]`` (four corners), by slug."""
    by_lpu: dict[str, list[dict[str, Any]]] = {}
    for community in communities:
        by_lpu.setdefault(community["lpu"], []).append(community)
    points = {lpu: [_centroid(c) for c in items] for lpu, items in by_lpu.items()}
    tiles = {lpu: lpu_tiles(points[lpu]) for lpu in by_lpu}
    bounds = {lpu: _bounds(tiles[lpu]) for lpu in by_lpu}
    for a, b in combinations(sorted(by_lpu), 2):
        if _overlap(bounds[a], bounds[b]):
            bounds[a], bounds[b] = _separate(bounds[a], bounds[b], points[a], points[b])
    found: dict[str, list[list[float]]] = {}
    for lpu, items in by_lpu.items():
        for community, tile in zip(items, tiles[lpu], strict=True):
            south, west, north, east = (round(v, DECIMALS) for v in _clip(tile, bounds[lpu]))
            found[community["slug"]] = [[south, west], [south, east], [north, east], [north, west]]
    return found


# --- people and places --------------------------------------------------------------


def _pick(options: Sequence[str], slug: str, salt: str) -> str:
    """A choice that depends only on the community, not on its place in the file."""
    return options[zlib.crc32(f"{salt}:{slug}".encode()) % len(options)]


def person(number: int) -> tuple[str, str]:
    """The ``number``th fictional person: first name and surname, unique up to 320."""
    first = FIRST_NAMES[number % len(FIRST_NAMES)]
    # With 20 first names and 16 surnames, stepping the surname by number // 20 as
    # well gives every one of the 320 pairs exactly once.
    last = SURNAMES[(number + number // len(FIRST_NAMES)) % len(SURNAMES)]
    return first, last


def member(number: int, rank: str, role: str, bio: str) -> dict[str, str]:
    first, last = person(number)
    return {
        "name": f"{first} {last}",
        "rank": rank,
        "role": role,
        "email": f"{first}.{last}@demo.invalid".lower(),
        "phone": TELEPHONE,
        "bio": f"Demo data: a fictional {bio}.",
    }


def base(community: dict[str, Any]) -> dict[str, Any]:
    name, slug = community["name"], community["slug"]
    town = any(word in name for word in ("Town", "Central", "Centre", "City"))
    building = _pick(TOWN_BUILDINGS if town else VILLAGE_BUILDINGS, slug, "building")
    lat, lon = _centroid(community)
    return {
        "name": f"{name} {building}",
        "address": f"{_pick(STREETS, slug, 'street')}, {name}",
        "latitude": lat,
        "longitude": lon,
        "opening_times": f"{_pick(DAYS, slug, 'day')} {_pick(HOURS, slug, 'hours')}",
        "accessibility": _pick(ACCESS, slug, "access"),
    }


def build(source: dict[str, Any]) -> dict[str, Any]:
    """The whole demo dataset, in the import format, from the places in ``source``."""
    lpu_names = {lpu["slug"]: lpu["name"] for lpu in source["lpus"]}
    places = source["communities"]
    shapes = boundaries(places)
    sizes = {slug: sum(1 for c in places if c["lpu"] == slug) for slug in lpu_names}
    communities = []
    for index, place in enumerate(places):
        name, lpu = place["name"], place["lpu"]
        team = [
            member(2 * index, "PC", "officer", f"police community officer for {name}"),
            member(2 * index + 1, "PCSO", "pcso", f"PCSO for {name}"),
        ]
        community = {
            "slug": place["slug"],
            "name": name,
            "lpu": lpu,
            **{key: place[key] for key in ("external_id", "url") if place.get(key)},
            "postcode_sectors": place["postcode_sectors"],
            "centroid": list(_centroid(place)),
            "boundary": shapes[place["slug"]],
            "description": (
                f"{name}, one of the {sizes[lpu]} policing communities in the "
                f"{lpu_names[lpu]} LPU. Demo data: the place is real; its team and "
                "base are fictional."
            ),
            "contact": {"email": f"{place['slug']}@demo.invalid", "telephone": TELEPHONE},
            "team": team,
            "bases": [base(place)],
        }
        communities.append(community)
    leaders = 2 * len(places)
    for number, lpu in enumerate(lpu_names):
        first = next(c for c in communities if c["lpu"] == lpu)
        area = f"the {lpu_names[lpu]} LPU"
        first["team"] += [
            member(leaders + 2 * number, "Sergeant", "sergeant", f"sergeant for {area}"),
            member(leaders + 2 * number + 1, "Inspector", "inspector", f"inspector for {area}"),
        ]
    names = [m["name"] for c in communities for m in c["team"]]
    if len(set(names)) != len(names):
        raise ValueError("more people than fictional names: add first names or surnames")
    force = dict(source["force"])
    force.setdefault("telephone", TELEPHONE)
    return {"force": force, "lpus": source["lpus"], "communities": communities}


def main(path: Path = DEMO_FILE) -> None:
    source = json.loads(path.read_text(encoding="utf-8"))
    text = json.dumps(build(source), indent=1, ensure_ascii=False) + "\n"
    problems = parse_json(text).errors
    if problems:
        raise SystemExit("\n".join(str(problem) for problem in problems))
    path.write_text(text, encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
