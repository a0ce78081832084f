"""How roles and areas read in the chat, and what each role can do with the bot."""

from __future__ import annotations

from handlers.i18n import N_, _
from handlers.markup import fmt
from handlers.staff.scope import Scope
from storage.uow import UnitOfWork

__all__ = ["abilities", "area_name", "role_name"]

_ROLE_NAMES = {
    "resident": N_("resident"),
    "organiser": N_("organiser"),
    "pcso": N_("PCSO"),
    "officer": N_("police community officer"),
    "sergeant": N_("sergeant"),
    "inspector": N_("inspector"),
    "admin": N_("administrator"),
}


def role_name(role: str) -> str:
    return _(_ROLE_NAMES[role]) if role in _ROLE_NAMES else role


async def area_name(uow: UnitOfWork, scope: Scope) -> str:
    """Where the role works, e.g. "Tarvin, in the Chester LPU" (already escaped)."""
    if scope.community_id is not None:
        community = await uow.communities.get(scope.community_id)
        lpu = await uow.communities.get_lpu(community.lpu_id) if community else None
        if community is not None and lpu is not None:
            return fmt(_("{community}, in the {lpu} LPU"), community=community.name, lpu=lpu.name)
    if scope.lpu_id is not None:
        lpu = await uow.communities.get_lpu(scope.lpu_id)
        if lpu is not None:
            return fmt(_("the {lpu} LPU"), lpu=lpu.name)
    return _("the whole force")


def abilities(role: str) -> list[str]:
    """One line per command the role can now use."""
    if role in ("pcso", "officer"):
        organise = _(
            "/organise: plan police surgeries in your community, see who is coming and get "
            "the QR code for the door."
        )
    else:
        organise = _(
            "/organise: plan events and start action groups in your area, see who is coming "
            "and get the QR code for the door."
        )
    if role in ("pcso", "officer"):
        broadcast = _("/broadcast: send a message to the people who follow your community.")
    else:
        broadcast = _("/broadcast: send a message to the people who follow your area.")
    return [
        organise,
        _("/poll: send a poll to the people going to your events."),
        broadcast,
        _(
            "/dashboard: a link to sign in to the web dashboard, with figures and lists for your area."
        ),
    ]
