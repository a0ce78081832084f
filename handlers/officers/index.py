"""An in-memory index of the communities for fast lookups (well under a millisecond).

It is a cache of the database, rebuilt when the communities change (checked at most
every ``REFRESH_SECONDS``), so imports and syncs by another process show up soon.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from handlers.officers.geo import Point, bounding_box, contains, distance_km
from handlers.place_search import Match, NameIndex
from storage.models import Community, Lpu
from storage.uow import UnitOfWork

REFRESH_SECONDS = 30.0
NEAREST_LIMIT_KM = 25.0  # beyond this from every community, a point is outside our area


@dataclass(frozen=True, slots=True)
class Place:
    id: int
    name: str
    lpu_id: int
    lpu_name: str
    sectors: tuple[str, ...]
    centroid: Point | None
    polygon: tuple[Point, ...]
    bbox: tuple[float, float, float, float] | None


def _polygon(raw: str) -> tuple[Point, ...]:
    if not raw:
        return ()
    try:
        points = json.loads(raw)
        return tuple((float(lat), float(lon)) for lat, lon in points)
    except (ValueError, TypeError):
        return ()


def place_of(community: Community, lpu: Lpu) -> Place:
    assert community.id is not None and lpu.id is not None
    polygon = _polygon(community.boundary)
    centroid = None
    if community.centroid_lat is not None and community.centroid_lon is not None:
        centroid = (community.centroid_lat, community.centroid_lon)
    return Place(
        id=community.id,
        name=community.name,
        lpu_id=lpu.id,
        lpu_name=lpu.name,
        sectors=tuple(community.sectors()),
        centroid=centroid,
        polygon=polygon,
        bbox=bounding_box(polygon) if len(polygon) >= 3 else None,
    )


class CommunityIndex:
    def __init__(self, places: Sequence[Place]) -> None:
        self.places = {p.id: p for p in places}
        self._by_sector: dict[str, Place] = {}
        self._by_outward: dict[str, list[Place]] = {}
        for place in places:
            for sector in place.sectors:
                self._by_sector.setdefault(sector, place)
                outward = sector.rsplit(" ", 1)[0]
                bucket = self._by_outward.setdefault(outward, [])
                if place not in bucket:
                    bucket.append(place)
        self._names = NameIndex((p.id, p.name) for p in places)

    def by_sector(self, sector: str) -> Place | None:
        return self._by_sector.get(sector)

    def by_outward(self, outward: str) -> list[Place]:
        return sorted(self._by_outward.get(outward, []), key=lambda p: p.name)

    def by_point(self, lat: float, lon: float) -> tuple[Place, bool] | None:
        """The community whose boundary holds the point (``True``), else the nearest one."""
        for place in self.places.values():
            box = place.bbox
            if (
                box
                and box[0] <= lat <= box[2]
                and box[1] <= lon <= box[3]
                and contains(place.polygon, lat, lon)
            ):
                return place, True
        nearest = min(
            (p for p in self.places.values() if p.centroid),
            key=lambda p: distance_km((lat, lon), p.centroid),  # type: ignore[arg-type]
            default=None,
        )
        if nearest is None or nearest.centroid is None:
            return None
        if distance_km((lat, lon), nearest.centroid) > NEAREST_LIMIT_KM:
            return None
        return nearest, False

    def by_name(self, query: str, limit: int = 6) -> list[Match]:
        return self._names.search(query, limit)


class CommunityIndexCache:
    """Holds the current index; rebuilds it when the communities table changes."""

    def __init__(self) -> None:
        self._index: CommunityIndex | None = None
        self._stamp: tuple[int, str] | None = None
        self._checked_at = float("-inf")

    async def get(self, uow: UnitOfWork, now: float) -> CommunityIndex:
        if self._index is not None and now - self._checked_at < REFRESH_SECONDS:
            return self._index
        stamp = await uow.communities.stamp()
        self._checked_at = now
        if self._index is None or stamp != self._stamp:
            rows = await uow.communities.with_lpus()
            self._index = CommunityIndex([place_of(c, lpu) for c, lpu in rows])
            self._stamp = stamp
        return self._index

    def invalidate(self) -> None:
        self._checked_at = float("-inf")
