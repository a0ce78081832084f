"""UTC timestamps for rows; local time is the handlers' business."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    return datetime.now(UTC)
