"""Who may change which directory entries: the stored role and area, checked on every press.

Organisers, sergeants and inspectors look after entries in their LPU (its
communities included); PCSOs and officers those of their community; admins, and
organisers with no LPU, everything, force-wide entries included.
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


def can_manage(user: User, entry: DirectoryEntry, community_lpu_id: int | None) -> bool:
    """``community_lpu_id`` is the LPU of the entry's community, when it has one."""
    if roles.everywhere(user):
        return True
    if user.role in _LPU_ROLES and user.role_lpu_id is not None:
        lpu = entry.lpu_id if entry.community_id is None else community_lpu_id
        return lpu == user.role_lpu_id
    if user.role in _COMMUNITY_ROLES and user.role_community_id is not None:
        return entry.community_id == user.role_community_id
    return False


def home_area(user: User) -> tuple[int | None, int | None]:
    """Where a new entry by ``user`` serves: ``(community_id, lpu_id)``."""
    if roles.everywhere(user):
        return None, None
    if user.role in _COMMUNITY_ROLES:
        return user.role_community_id, None
    return None, user.role_lpu_id
