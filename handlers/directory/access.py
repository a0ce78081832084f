"""Who may change which directory entries: the stored role and area, checked on every press.

Organisers, sergeants and inspectors look after entries in their LPU (its
communities included); PCSOs and officers those of their community; admins, and
organisers with no LPU, everything, force-wide entries included. An entry may be
moved only to an area its person would look after there (``looks_after``).
"""

from __future__ import annotations

from handlers import roles
from storage.models import DirectoryEntry, User

_LPU_ROLES = frozenset({"organiser", "sergeant", "inspector"})
_COMMUNITY_ROLES = frozenset({"pcso", "officer"})


def may_edit_directory(user: User) -> bool:
    """Whether ``user`` looks after any part of the directory."""
    if roles.everywhere(user):
        return True
    if user.role in _LPU_ROLES:
        return user.role_lpu_id is not None
    if user.role in _COMMUNITY_ROLES:
        return user.role_community_id is not None
    return False


def looks_after(
    user: User, community_id: int | None, lpu_id: int | None, community_lpu_id: int | None
) -> bool:
    """Whether ``user`` looks after entries serving a community (``community_id``, in
    the LPU ``community_lpu_id``), else an LPU (``lpu_id``), else the whole force."""
    if roles.everywhere(user):
        return True
    if user.role in _LPU_ROLES and user.role_lpu_id is not None:
        lpu = lpu_id if community_id is None else community_lpu_id
        return lpu == user.role_lpu_id
    if user.role in _COMMUNITY_ROLES and user.role_community_id is not None:
        return community_id == user.role_community_id
    return False


def can_manage(user: User, entry: DirectoryEntry, community_lpu_id: int | None) -> bool:
    """``community_lpu_id`` is the LPU of the entry's community, when it has one."""
    return looks_after(user, entry.community_id, entry.lpu_id, community_lpu_id)


def one_area(user: User) -> bool:
    """Whether ``user`` looks after a single community (PCSOs, officers): no area to choose."""
    return user.role in _COMMUNITY_ROLES


def home_area(user: User) -> tuple[int | None, int | None]:
    """Where a new entry by ``user`` serves: ``(community_id, lpu_id)``."""
    if roles.everywhere(user):
        return None, None
    if user.role in _COMMUNITY_ROLES:
        return user.role_community_id, None
    return None, user.role_lpu_id
