"""Which steps a draft goes through, in what order, for its mode and the organiser's role."""

from __future__ import annotations

from typing import Any

from handlers import roles
from storage.models import User

EVENT_STEPS = (
    "kind",
    "group",
    "title",
    "when",
    "confirm",
    "repeat",
    "venue",
    "address",
    "location",
    "capacity",
    "access",
    "desc",
    "where",
    "summary",
)
MOVE_STEPS = ("when", "confirm")
GROUP_STEPS = ("gtitle", "gdesc", "glpu")
OPTIONAL = frozenset({"address", "location", "capacity", "access", "desc", "gdesc"})
TEXT_FIELDS = {  # step: (data key, longest answer)
    "title": ("title", 200),
    "venue": ("venue", 200),
    "address": ("address", 400),
    "access": ("accessibility", 1000),
    "desc": ("description", 2000),
    "gtitle": ("title", 200),
    "gdesc": ("description", 2000),
}


def steps_of(data: dict[str, Any]) -> tuple[str, ...]:
    mode = data.get("mode")
    if mode == "move":
        return MOVE_STEPS
    if mode == "group":
        return GROUP_STEPS
    return EVENT_STEPS


def _needs_place_choice(user: User, data: dict[str, Any]) -> bool:
    kind = data.get("kind")
    if kind == "action_group":
        return False  # the group's LPU
    if kind == "surgery":
        return user.role not in ("pcso", "officer")  # theirs is their own community
    return roles.everywhere(user)  # others: the organiser's LPU, if it has one


def _applies(user: User, data: dict[str, Any], step: str) -> bool:
    if step == "kind":
        return len(roles.allowed_kinds(user)) > 1
    if step == "group":
        return data.get("kind") == "action_group"
    if step == "where":
        return _needs_place_choice(user, data)
    if step == "glpu":
        return roles.everywhere(user)
    return True


def first_step(user: User, data: dict[str, Any]) -> str:
    return next(s for s in steps_of(data) if _applies(user, data, s))


def next_step(user: User, data: dict[str, Any], step: str) -> str | None:
    steps = steps_of(data)
    later = steps[steps.index(step) + 1 :] if step in steps else steps
    return next((s for s in later if _applies(user, data, s)), None)


def previous_step(user: User, data: dict[str, Any], step: str) -> str | None:
    steps = steps_of(data)
    earlier = steps[: steps.index(step)] if step in steps else ()
    return next((s for s in reversed(earlier) if _applies(user, data, s)), None)


def fields_of(step: str) -> tuple[str, ...]:
    """The data keys an answer to ``step`` sets (what /skip clears)."""
    if step == "location":
        return ("latitude", "longitude")
    if step == "capacity":
        return ("capacity",)
    if step in TEXT_FIELDS:
        return (TEXT_FIELDS[step][0],)
    return ()
