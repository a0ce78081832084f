"""The port to a postcode service (postcodes.io in production, a fixture server in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float
    police_force: str = ""  # the police force area's name, when the service knows it


class LocatorUnavailable(Exception):
    """The postcode service could not be asked just now (network, timeout, 5xx)."""


class PostcodeLocator(Protocol):
    async def postcode(self, postcode: str) -> Location | None:
        """Where a full postcode is, or ``None`` if there is no such postcode."""
        ...

    async def outcode(self, outcode: str) -> Location | None:
        """The middle of an outward code ("CH3"), or ``None`` if there is none."""
        ...
