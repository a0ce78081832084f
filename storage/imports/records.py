"""What an import file says, once checked: plain records, no database rows yet."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

ROLES = ("officer", "pcso", "sergeant", "inspector", "other")

Point = tuple[float, float]  # (latitude, longitude)


class ImportFormatError(Exception):
    """The file as a whole cannot be imported: missing, unreadable or of an unknown shape."""


@dataclass(frozen=True, order=True)
class RowError:
    """One rejected row (or LPU entry) and why, e.g. ``row 4: centroid_lat is missing``.

    ``position`` orders the errors as they appear in the file.
    """

    position: tuple[int, int]
    where: str = field(compare=False)
    reason: str = field(compare=False)

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass(frozen=True)
class ForceRecord:
    slug: str
    name: str | None = None  # None: keep the stored name (or make one up from the slug)
    telephone: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class LpuRecord:
    slug: str
    name: str | None  # None (CSV without lpu_name): the LPU must already exist
    where: str
    position: tuple[int, int]


@dataclass(frozen=True)
class MemberRecord:
    name: str
    rank: str
    role: str
    email: str = ""
    phone: str = ""
    social: Mapping[str, str] = field(default_factory=dict)
    bio: str = ""


@dataclass(frozen=True)
class BaseRecord:
    name: str
    address: str
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    opening_times: str = ""
    accessibility: str = ""


@dataclass(frozen=True)
class CommunityRecord:
    where: str  # "row 4" or "communities[3] (tarvin)"
    position: tuple[int, int]
    slug: str
    name: str
    lpu: str
    postcode_sectors: tuple[str, ...]
    centroid: Point
    external_id: str | None = None  # None: keep the stored one
    description: str = ""
    boundary: tuple[Point, ...] = ()
    contact: Mapping[str, str] = field(default_factory=dict)
    url: str = ""
    team: tuple[MemberRecord, ...] = ()
    bases: tuple[BaseRecord, ...] = ()

    def error(self, reason: str) -> RowError:
        return RowError(self.position, self.where, reason)


@dataclass
class ParsedImport:
    """A checked file: the good records, and a ``RowError`` for every bad one.

    ``partial`` is true for CSV files, which have no columns for a community's
    boundary, contact, url and external id, a team member's social links and bio, or
    a base's coordinates: those keep their stored values instead of being cleared.
    """

    force: ForceRecord
    lpus: list[LpuRecord]
    communities: list[CommunityRecord]
    errors: list[RowError]
    partial: bool = False
