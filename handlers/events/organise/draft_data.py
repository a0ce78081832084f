"""A draft's answers so far: the JSON kept on its row, and the typed values read back from it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.context import Context
from storage.models import EventDraft


def load(row: EventDraft) -> dict[str, Any]:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def dump(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


def zone(data: dict[str, Any], ctx: Context) -> ZoneInfo:
    name = data.get("tz")
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except Exception:  # an unknown or malformed zone name: use the deployment's
            pass
    return ctx.deps.timezone


def instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def as_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
