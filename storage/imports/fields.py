"""Field checks shared by the JSON and CSV readers: each bad field becomes a reason."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

from storage.imports.records import Point
from storage.text import clean, is_clean

# An outward code (CH3, SK10, M1, EC1A...), an optional space, then the sector digit.
_SECTOR = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def normalise_sector(raw: str) -> str | None:
    """``" ch3  8"`` -> ``"CH3 8"``; ``None`` if it is not a postcode sector."""
    match = _SECTOR.fullmatch(" ".join(raw.upper().split()))
    return f"{match[1]} {match[2]}" if match else None


def is_slug(value: str) -> bool:
    return _SLUG.fullmatch(value) is not None


def is_email(value: str) -> bool:
    return _EMAIL.fullmatch(value) is not None


def quoted(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else repr(value)


def as_number(value: object) -> float | None:
    """A finite number from JSON (int or float, not bool) or from CSV text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


def point_problem(lat: float, lon: float) -> str | None:
    if not -90 <= lat <= 90:
        return f"latitude {lat} is outside -90 to 90"
    if not -180 <= lon <= 180:
        return f"longitude {lon} is outside -180 to 180"
    return None


class FieldReader:
    """Reads one row (CSV) or object (JSON), keeping a reason for every bad field.

    Missing keys, ``null`` and blank text all count as absent. ``label`` is put in
    front of each field name in the reasons, e.g. ``team[1].`` for a team member;
    readers of the parts of one row share its ``problems``.
    """

    def __init__(
        self, raw: Mapping[str, object], label: str = "", problems: list[str] | None = None
    ) -> None:
        self.raw = raw
        self.label = label
        self.problems: list[str] = [] if problems is None else problems

    def problem(self, reason: str) -> None:
        self.problems.append(reason)

    def name(self, key: str) -> str:
        return f"{self.label}{key}"

    def present(self, key: str) -> bool:
        value = self.raw.get(key)
        return value is not None and not (isinstance(value, str) and not value.strip())

    def text(
        self, key: str, *, max_length: int, required: bool = False, exact: bool = False
    ) -> str:
        """The text, cleaned (``storage.text.clean``: no NUL, no control characters).

        ``exact`` is for identifiers: a control character rejects it instead, as
        dropping one could make two different ids the same.
        """
        value = self.raw.get(key)
        if not self.present(key):
            if required:
                self.problem(f"{self.name(key)} is missing")
            return ""
        if not isinstance(value, str):
            self.problem(f"{self.name(key)} must be text, not {quoted(value)}")
            return ""
        if exact and not is_clean(value):
            self.problem(f"{self.name(key)} has a control character, such as NUL")
            return ""
        value = clean(value)
        text = " ".join(value.split()) if "\n" not in value else value
        if len(text) > max_length:
            self.problem(f"{self.name(key)} is longer than {max_length} characters")
            return ""
        return text

    def optional_text(self, key: str, *, max_length: int, exact: bool = False) -> str | None:
        """``None`` when absent (meaning "keep what is stored"), else the text."""
        if not self.present(key):
            return None
        return self.text(key, max_length=max_length, exact=exact)

    def slug(self, key: str, *, max_length: int) -> str:
        value = self.text(key, max_length=max_length, required=True, exact=True)
        if value and not is_slug(value):
            self.problem(
                f"{self.name(key)} {quoted(value)} must be lower-case letters, digits and hyphens"
            )
            return ""
        return value

    def email(self, key: str) -> str:
        value = self.text(key, max_length=200)
        if value and not is_email(value):
            self.problem(f"{self.name(key)} {quoted(value)} is not an email address")
            return ""
        return value

    def number(self, key: str, low: float, high: float, *, required: bool = False) -> float | None:
        if not self.present(key):
            if required:
                self.problem(f"{self.name(key)} is missing")
            return None
        value = self.raw[key]
        number = as_number(value)
        if number is None:
            self.problem(f"{self.name(key)} {quoted(value)} is not a number")
        elif not low <= number <= high:
            self.problem(f"{self.name(key)} {number} is outside {low:g} to {high:g}")
            return None
        return number

    def point(self, value: object, what: str) -> Point | None:
        """A ``[lat, lon]`` pair."""
        if not isinstance(value, list | tuple) or len(value) != 2:
            self.problem(f"{what} must be [latitude, longitude], not {quoted(value)}")
            return None
        lat, lon = as_number(value[0]), as_number(value[1])
        if lat is None or lon is None:
            self.problem(f"{what} must be two numbers, not {quoted(value)}")
            return None
        reason = point_problem(lat, lon)
        if reason:
            self.problem(f"{what}: {reason}")
            return None
        return (lat, lon)

    def strings(self, key: str) -> dict[str, str]:
        """An object of text values, such as a contact or social links."""
        if not self.present(key):
            return {}
        value = self.raw[key]
        if not isinstance(value, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in value.items()
        ):
            self.problem(f"{self.name(key)} must be an object of text values")
            return {}
        return {clean(k): clean(v) for k, v in value.items() if clean(v)}

    def unknown(self, allowed: set[str]) -> None:
        for key in sorted(set(self.raw) - allowed):
            self.problem(f"unknown field {self.name(key)}")
