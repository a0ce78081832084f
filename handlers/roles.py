"""Who may organise what, and where: a small, pure policy over the stored role.

Roles (``users.role``) and their scope (``role_lpu_id``, ``role_community_id``):

* ``organiser``: any kind of event in its LPU, or anywhere when it has no LPU;
* ``pcso``, ``officer``: police surgeries in their own community;
* ``sergeant``, ``inspector``: any kind of event in their LPU;
* ``admin``: anything, anywhere;
* ``resident`` (everyone else): nothing.

Nothing here reads the database: the caller passes the LPU an event belongs to through
its community or its action group, when the event has no LPU of its own. Every organiser action calls these again with
the role as stored now; a button's payload is never proof of anything.
"""

from __future__ import annotations

from storage.models import ActionGroup, Event, User

__all__ = [
    "EVENT_KINDS",
    "ROLES",
    "STAFF_ROLES",
    "allowed_kinds",
    "can_create",
    "can_create_group",
    "can_manage",
    "can_manage_group",
    "everywhere",
    "is_staff",
]

EVENT_KINDS = ("conversation", "action_group", "surgery", "other")
STAFF_ROLES = frozenset({"organiser", "pcso", "officer", "sergeant", "inspector", "admin"})
ROLES = ("resident", "organiser", "pcso", "officer", "sergeant", "inspector", "admin")
_COMMUNITY_ROLES = frozenset({"pcso", "officer"})
_LPU_ROLES = frozenset({"sergeant", "inspector"})


def is_staff(user: User) -> bool:
    return user.role in STAFF_ROLES


def allowed_kinds(user: User) -> tuple[str, ...]:
    """The kinds of event ``user`` may create somewhere."""
    if user.role in _COMMUNITY_ROLES:
        return ("surgery",) if user.role_community_id is not None else ()
    if user.role in _LPU_ROLES:
        return EVENT_KINDS if user.role_lpu_id is not None else ()
    if user.role in ("organiser", "admin"):
        return EVENT_KINDS
    return ()


def everywhere(user: User) -> bool:
    """Whether ``user``'s scope is the whole force."""
    return user.role == "admin" or (user.role == "organiser" and user.role_lpu_id is None)


def _in_scope(user: User, lpu_id: int | None, community_id: int | None) -> bool:
    if everywhere(user):
        return True
    if user.role in ("organiser", *_LPU_ROLES):
        return user.role_lpu_id is not None and lpu_id == user.role_lpu_id
    if user.role in _COMMUNITY_ROLES:
        return user.role_community_id is not None and community_id == user.role_community_id
    return False


def can_create(
    user: User, kind: str, *, lpu_id: int | None, community_id: int | None = None
) -> bool:
    """Whether ``user`` may create a ``kind`` event in a community (``community_id``,
    with ``lpu_id`` its LPU) or, with no community, for a whole LPU (``lpu_id``)."""
    if kind not in allowed_kinds(user):
        return False
    if user.role in _COMMUNITY_ROLES and community_id is None:
        return False
    if kind == "surgery" and community_id is None:
        return False  # a surgery is always in a community
    return _in_scope(user, lpu_id, community_id)


def can_manage(user: User, event: Event, *, place_lpu_id: int | None = None) -> bool:
    """Whether ``user`` may change, cancel or see who is coming to ``event``.

    ``place_lpu_id`` is the LPU of the event's community (or of its action group),
    needed when the event belongs to a community or a group rather than to an LPU."""
    if not is_staff(user):
        return False
    if event.organiser_id is not None and event.organiser_id == user.id:
        return True
    lpu_id = event.lpu_id if event.lpu_id is not None else place_lpu_id
    if user.role in _COMMUNITY_ROLES and event.kind != "surgery":
        return False
    return _in_scope(user, lpu_id, event.community_id)


def can_create_group(user: User, lpu_id: int | None) -> bool:
    """Action groups belong to an LPU; organisers, sergeants, inspectors and admins
    may start them in their scope."""
    if user.role not in ("organiser", "admin", *_LPU_ROLES) or lpu_id is None:
        return False
    return _in_scope(user, lpu_id, None)


def can_manage_group(user: User, group: ActionGroup) -> bool:
    if not is_staff(user):
        return False
    if group.organiser_id is not None and group.organiser_id == user.id:
        return True
    return can_create_group(user, group.lpu_id)
