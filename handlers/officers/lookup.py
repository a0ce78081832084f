"""From what a resident typed or shared to a community: postcode, point or place name.

Postcodes are answered from the communities' own postcode sectors first (no
network, and the offline fallback for the demo data), then from the postcode cache,
then from the postcode service.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context
from handlers.officers.index import CommunityIndex, Place
from handlers.officers.locator import Location, LocatorUnavailable
from handlers.officers.postcodes import Postcode, looks_like_postcode, parse_postcode


@dataclass(frozen=True, slots=True)
class Found:
    place: Place
    exact: bool = True  # False: the nearest community to a point outside every boundary


@dataclass(frozen=True, slots=True)
class Choose:
    places: tuple[Place, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """Nothing to show: ``reason`` is invalid, unknown, outside or unavailable."""

    reason: str


Result = Found | Choose | Outcome


async def index_of(ctx: Context) -> CommunityIndex:
    return await ctx.deps.communities.get(ctx.uow, ctx.deps.monotonic())


def _in_force(location: Location, force: str) -> bool:
    if not location.police_force:
        return True  # unknown: decide by distance instead
    squash = "".join(ch for ch in location.police_force.lower() if ch.isalnum())
    return force.replace("-", "") in squash


async def _locate(ctx: Context, postcode: Postcode) -> Location | None:
    key = str(postcode)
    cached = await ctx.uow.postcodes.get(key)
    if cached is not None:
        if not cached.found or cached.latitude is None or cached.longitude is None:
            return None
        return Location(cached.latitude, cached.longitude, cached.police_force)
    locator = ctx.deps.postcode_locator
    if locator is None:
        raise LocatorUnavailable("no postcode service configured")
    found = await (locator.postcode(key) if postcode.is_full else locator.outcode(key))
    await ctx.uow.postcodes.put(
        key,
        latitude=found.latitude if found else None,
        longitude=found.longitude if found else None,
        police_force=found.police_force if found else "",
        found=found is not None,
    )
    return found


async def _from_location(ctx: Context, index: CommunityIndex, location: Location) -> Result:
    if not _in_force(location, ctx.deps.police_force):
        return Outcome("outside")
    hit = index.by_point(location.latitude, location.longitude)
    if hit is None:
        return Outcome("outside")
    return Found(hit[0], hit[1])


async def by_postcode(ctx: Context, postcode: Postcode) -> Result:
    index = await index_of(ctx)
    if postcode.sector and (place := index.by_sector(postcode.sector)):
        return Found(place)
    if not postcode.is_full and (places := index.by_outward(postcode.outward)):
        return Found(places[0]) if len(places) == 1 else Choose(tuple(places[:8]))
    try:
        location = await _locate(ctx, postcode)
    except LocatorUnavailable:
        return Outcome("unavailable")
    if location is None:
        return Outcome("unknown")
    return await _from_location(ctx, index, location)


async def by_point(ctx: Context, latitude: float, longitude: float) -> Result:
    index = await index_of(ctx)
    hit = index.by_point(latitude, longitude)
    return Outcome("outside") if hit is None else Found(hit[0], hit[1])


async def by_text(ctx: Context, text: str) -> Result:
    """A postcode if it is one, else a place name (typos forgiven)."""
    postcode = parse_postcode(text)
    if postcode is not None:
        return await by_postcode(ctx, postcode)
    if looks_like_postcode(text):
        return Outcome("invalid")
    index = await index_of(ctx)
    matches = index.by_name(text)
    if not matches:
        return Outcome("unknown")
    if len(matches) == 1 or matches[0].score >= 0.9 > matches[1].score:
        return Found(index.places[matches[0].id])
    return Choose(tuple(index.places[m.id] for m in matches))
