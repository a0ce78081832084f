"""Who a staff member may write to: their community, or their LPU.

PCSOs and police community officers write to the followers of their own community;
sergeants, inspectors and organisers to the followers of every community in their
LPU; an admin or a force-wide organiser chooses an LPU. Only a sergeant or above
may mark a broadcast urgent (it then ignores residents' quiet hours).

Like ``handlers.roles``, this is policy over the stored role: it is asked again at
every step, so a role taken away mid-draft stops the broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.roles import everywhere
from storage.models import Broadcast, User
from storage.uow import UnitOfWork

COMMUNITY_ROLES = frozenset({"pcso", "officer"})
LPU_ROLES = frozenset({"sergeant", "inspector", "organiser"})
URGENT_ROLES = frozenset({"sergeant", "inspector", "admin"})


@dataclass(frozen=True, slots=True)
class Audience:
    kind: str  # community, lpu
    id: int
    name: str


def may_mark_urgent(user: User) -> bool:
    return user.role in URGENT_ROLES


async def audiences(uow: UnitOfWork, user: User) -> list[Audience]:
    """Where ``user`` may send a broadcast, as stored now (empty: nowhere)."""
    if user.role in COMMUNITY_ROLES and user.role_community_id is not None:
        community = await uow.communities.get(user.role_community_id)
        return (
            [Audience("community", community.id, community.name)]
            if community and community.id
            else []
        )
    if everywhere(user):
        return [Audience("lpu", lpu.id, lpu.name) for lpu in await uow.communities.lpus() if lpu.id]
    if user.role in LPU_ROLES and user.role_lpu_id is not None:
        lpu = await uow.communities.get_lpu(user.role_lpu_id)
        return [Audience("lpu", lpu.id, lpu.name)] if lpu and lpu.id else []
    return []


async def may_send(uow: UnitOfWork, user: User, kind: str, target: int) -> Audience | None:
    """The audience if ``user`` may write to it now, else ``None``."""
    for audience in await audiences(uow, user):
        if audience.kind == kind and audience.id == target:
            return audience
    return None


async def audience_of(uow: UnitOfWork, broadcast: Broadcast) -> Audience | None:
    if broadcast.audience == "lpu" and broadcast.lpu_id is not None:
        lpu = await uow.communities.get_lpu(broadcast.lpu_id)
        return Audience("lpu", broadcast.lpu_id, lpu.name) if lpu else None
    if broadcast.community_id is not None:
        community = await uow.communities.get(broadcast.community_id)
        return Audience("community", broadcast.community_id, community.name) if community else None
    return None


async def may_control(uow: UnitOfWork, user: User, broadcast: Broadcast) -> bool:
    """Whether ``user`` may change, send or stop ``broadcast``: its sender, while they
    may still write to its audience; or an admin."""
    if user.role == "admin":
        return True
    if broadcast.sender_id != user.id:
        return False
    target = broadcast.lpu_id if broadcast.audience == "lpu" else broadcast.community_id
    return target is not None and await may_send(uow, user, broadcast.audience, target) is not None
