"""UK postcodes as residents type them: "CH3 8EH", "ch38eh", or just "CH3"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_INWARD = r"[0-9][A-Z]{2}"
_FULL = re.compile(rf"^({_OUTWARD})({_INWARD})$")
_OUTWARD_ONLY = re.compile(rf"^({_OUTWARD})$")
_SECTOR = re.compile(rf"^({_OUTWARD}) ?([0-9])$")


@dataclass(frozen=True, slots=True)
class Postcode:
    outward: str
    inward: str | None = None

    @property
    def is_full(self) -> bool:
        return self.inward is not None

    @property
    def sector(self) -> str | None:
        """The postcode sector, e.g. "CH3 8" for "CH3 8EH"."""
        return f"{self.outward} {self.inward[0]}" if self.inward else None

    def __str__(self) -> str:
        return f"{self.outward} {self.inward}" if self.inward else self.outward


def parse_postcode(text: str) -> Postcode | None:
    """A postcode or outward code, or ``None`` if ``text`` is not one. Never raises."""
    compact = "".join(str(text).split()).upper()
    if not 2 <= len(compact) <= 7:
        return None
    if full := _FULL.match(compact):
        return Postcode(full.group(1), full.group(2))
    if outward := _OUTWARD_ONLY.match(compact):
        return Postcode(outward.group(1))
    return None


def looks_like_postcode(text: str) -> bool:
    """Digits and letters in a postcode's shape: worth a postcode error message if invalid."""
    compact = "".join(str(text).split())
    return 2 <= len(compact) <= 8 and any(c.isdigit() for c in compact) and compact.isalnum()


def normalise_sector(text: str) -> str | None:
    """ "ch3 8" or "CH38" → "CH3 8"; ``None`` if it is not a sector."""
    compact = "".join(str(text).split()).upper()
    match = _SECTOR.match(compact)
    return f"{match.group(1)} {match.group(2)}" if match else None
