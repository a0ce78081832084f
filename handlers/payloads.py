"""Compact, typed button payloads (Telegram callback data, at most 64 bytes).

A payload is a frozen dataclass registered under a short prefix; it is encoded as
``prefix:field:field`` and decoded back with every field checked against its type.
Payloads carry ids, never labels, and are never trusted for authorisation: the
handler that receives one re-checks it against what is stored.

A number is a row id, an index or a version, all 32-bit columns, so the codec
reads only numbers in that range: a forged one beyond it would otherwise reach
PostgreSQL, which refuses the whole statement ("out of range for type integer").
"""

from __future__ import annotations

import dataclasses
import enum
import re
import typing
from collections.abc import Callable
from typing import Any, TypeVar

MAX_BYTES = 64
_SAFE_STR = re.compile(r"^[A-Za-z0-9_.\-]{1,40}\Z")  # \Z: "$" would allow a final "\n"
_INT = re.compile(r"^-?[0-9]{1,10}\Z")
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # PostgreSQL's integer, the ids' columns

P = TypeVar("P")
_registry: dict[str, type[Any]] = {}


class PayloadError(ValueError):
    """A payload could not be built (too long, unsafe field)."""


def payload(prefix: str) -> Callable[[type[P]], type[P]]:
    """Register a frozen dataclass as a payload type under ``prefix``."""

    def register(cls: type[P]) -> type[P]:
        if not _SAFE_STR.match(prefix) or prefix in _registry:
            raise PayloadError(f"bad or duplicate payload prefix {prefix!r}")
        if not dataclasses.is_dataclass(cls):
            raise PayloadError(f"{cls.__name__} must be a dataclass")
        cls.__payload_prefix__ = prefix  # type: ignore[attr-defined]
        _registry[prefix] = cls
        return cls

    return register


_FIELD_TYPES: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _field_types(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """Each field's name and type; resolved once per class (resolving hints is slow)."""
    fields = _FIELD_TYPES.get(cls)
    if fields is None:
        hints = typing.get_type_hints(cls)
        fields = _FIELD_TYPES[cls] = tuple((f.name, hints[f.name]) for f in dataclasses.fields(cls))
    return fields


def encode(obj: Any) -> str:
    prefix = getattr(type(obj), "__payload_prefix__", None)
    if prefix is None:
        raise PayloadError(f"{type(obj).__name__} is not a registered payload")
    parts = [prefix]
    for name, kind in _field_types(type(obj)):
        value = getattr(obj, name)
        if isinstance(value, enum.Enum):
            text = str(value.value)
        elif isinstance(value, bool) or kind is bool:
            text = "1" if value else "0"
        else:
            text = str(value)
        try:  # refuse anything decode() would not read back
            _convert(text, kind)
        except ValueError as exc:
            raise PayloadError(f"field {name}={text!r} is not payload-safe") from exc
        parts.append(text)
    data = ":".join(parts)
    if len(data.encode()) > MAX_BYTES:
        raise PayloadError(f"payload {data!r} is over {MAX_BYTES} bytes")
    return data


def _convert(text: str, kind: Any) -> Any:
    if kind is int:
        if not _INT.match(text) or not INT_MIN <= (number := int(text)) <= INT_MAX:
            raise ValueError(text)
        return number
    if kind is bool:
        if text not in ("0", "1"):
            raise ValueError(text)
        return text == "1"
    if kind is str:
        if not _SAFE_STR.match(text):
            raise ValueError(text)
        return text
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return kind(text)
    raise ValueError(f"unsupported payload field type {kind!r}")


def row_id(text: str) -> int | None:
    """A text field that names a row (a community, an LPU, a group) as its id, or
    ``None`` if it is not one a column could hold."""
    if not text.isascii() or not text.isdigit() or len(text) > 10:
        return None
    number = int(text)
    return number if number <= INT_MAX else None


def decode(data: str) -> Any | None:
    """The payload object for ``data``, or ``None`` if it is unknown or malformed."""
    if not isinstance(data, str) or not data:
        return None
    try:
        if len(data.encode()) > MAX_BYTES:
            return None
    except UnicodeEncodeError:  # a lone surrogate
        return None
    prefix, *values = data.split(":")
    cls = _registry.get(prefix)
    if cls is None:
        return None
    fields = _field_types(cls)
    if len(values) != len(fields):
        return None
    try:
        kwargs = {name: _convert(v, kind) for (name, kind), v in zip(fields, values, strict=True)}
    except (ValueError, KeyError):
        return None
    return cls(**kwargs)
