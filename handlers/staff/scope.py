"""A role and its area, checked once for ``chinwag staff grant`` and ``staff invite``.

``pcso`` and ``officer`` need a community (their own); ``sergeant`` and ``inspector``
an LPU (or a community, whose LPU is used); an ``organiser`` an LPU, or none to work
force-wide; ``admin`` and ``resident`` take no area. The messages name the command
line options, as only the command line asks for a scope by name.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.roles import ROLES
from storage.models import Community, Lpu, User
from storage.uow import UnitOfWork

__all__ = ["Scope", "ScopeError", "check_scope", "give_role", "resolve_scope"]


class ScopeError(ValueError):
    """A role or area that cannot be given; the message says why."""


@dataclass(frozen=True, slots=True)
class Scope:
    """A role and the ids of its area, as stored on ``users`` and ``staff_invites``."""

    role: str
    lpu_id: int | None = None
    community_id: int | None = None


def check_scope(role: str, lpu: Lpu | None, community: Community | None) -> Scope:
    """The scope ``role`` gets with this LPU and community (either may be ``None``)."""
    if role not in ROLES:
        raise ScopeError(f"unknown role {role!r} (use {', '.join(ROLES)})")
    outside = lpu is not None and community is not None and lpu.id != community.lpu_id
    if outside and role in ("pcso", "officer", "sergeant", "inspector"):
        assert lpu is not None and community is not None
        raise ScopeError(f"{community.name} is not in the LPU {lpu.slug!r}")
    if role in ("pcso", "officer"):
        if community is None:
            raise ScopeError(f"a {role} needs --community (their own community)")
        return Scope(role, community.lpu_id, community.id)
    if role in ("sergeant", "inspector"):
        if community is not None:
            return Scope(role, community.lpu_id, community.id)
        if lpu is None:
            raise ScopeError(f"a {role} needs --lpu (or --community)")
        return Scope(role, lpu.id)
    if role == "organiser":
        if community is not None:
            raise ScopeError("an organiser works across an LPU: use --lpu, or neither for all")
        return Scope(role, lpu.id if lpu is not None else None)
    if lpu is not None or community is not None:
        raise ScopeError(f"the role {role} takes no --lpu or --community")
    return Scope(role)


async def _community(uow: UnitOfWork, name: str) -> Community:
    found = await uow.organisers.communities_named(name)
    if not found:
        raise ScopeError(f"no community is called {name!r}")
    if len(found) > 1:
        slugs = ", ".join(c.slug for c in found)
        raise ScopeError(f"several communities are called {name!r}; give the slug ({slugs})")
    return found[0]


async def _lpu(uow: UnitOfWork, slug: str) -> Lpu:
    lpu = await uow.communities.lpu_by_slug(slug.strip().lower())
    if lpu is None:
        raise ScopeError(f"no LPU has the slug {slug!r}")
    return lpu


async def resolve_scope(
    uow: UnitOfWork, role: str, *, lpu: str | None = None, community: str | None = None
) -> Scope:
    """``check_scope`` with the LPU (by slug) and community (by name or slug) looked up."""
    if role not in ROLES:
        raise ScopeError(f"unknown role {role!r} (use {', '.join(ROLES)})")
    lpu_row = await _lpu(uow, lpu) if lpu else None
    community_row = await _community(uow, community) if community else None
    return check_scope(role, lpu_row, community_row)


def give_role(user: User, scope: Scope) -> None:
    """Set ``user``'s role and area (the caller adds the user to the session)."""
    user.role, user.role_lpu_id, user.role_community_id = (
        scope.role,
        scope.lpu_id,
        scope.community_id,
    )
