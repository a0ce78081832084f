"""Who may organise what: the refusals, the organiser's area and groups, managing an event."""

from __future__ import annotations

from collections.abc import Sequence

from handlers import roles
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.i18n import _
from handlers.outbound import Notice, OutboundReply, Text, keyboard
from handlers.staff.guard import log_refused
from storage.models import ActionGroup, Event, User
from storage.uow import UnitOfWork

Replies = list[OutboundReply]

GROUP_STARTERS = ("organiser", "admin", "sergeant", "inspector")


def refused(ctx: Context, action: str) -> Replies:
    """Not for this role: said in the chat, and logged (``guard.log_refused``)."""
    log_refused(ctx, action)
    return [
        Text(
            text=_(
                "Sorry, this is only for event organisers and neighbourhood policing teams. "
                "Ask your team to give you access."
            ),
            buttons=keyboard([home_button()]),
        )
    ]


def refused_notice(ctx: Context, action: str) -> Replies:
    """A refused button: a pop-up, and logged (``guard.log_refused``)."""
    log_refused(ctx, action)
    return [Notice(text=_("Sorry, you cannot do that."), alert=True)]


def not_allowed_any_more() -> Replies:
    return [
        Text(
            text=_("You cannot organise this here any more: your role or the area has changed."),
            buttons=keyboard([home_button()]),
        )
    ]


def starts_groups(user: User) -> bool:
    """Whether the role may start action groups (in its area, see ``roles``)."""
    return user.role in GROUP_STARTERS


async def _place_lpu(uow: UnitOfWork, event: Event) -> int | None:
    """The LPU of the event's community, or of its action group."""
    if event.community_id is not None:
        community = await uow.communities.get(event.community_id)
        return community.lpu_id if community else None
    if event.action_group_id is not None:
        group = await uow.groups.get(event.action_group_id)
        return group.lpu_id if group else None
    return None


async def can_manage(ctx: Context, event: Event) -> bool:
    """``roles.can_manage`` with the LPU of the event's community or group looked up."""
    return roles.can_manage(ctx.user, event, place_lpu_id=await _place_lpu(ctx.uow, event))


async def _scope_lpu(ctx: Context) -> int | None:
    """The LPU an organiser works in (``None``: everywhere, or no LPU at all)."""
    user = ctx.user
    if roles.everywhere(user):
        return None
    if user.role in ("pcso", "officer") and user.role_community_id is not None:
        community = await ctx.uow.communities.get(user.role_community_id)
        return community.lpu_id if community else None
    return user.role_lpu_id


async def scope_groups(ctx: Context) -> Sequence[ActionGroup]:
    """The open action groups in the organiser's area (everywhere's: all of them)."""
    if roles.everywhere(ctx.user):
        return await ctx.uow.organisers.open_groups(None)
    lpu_id = await _scope_lpu(ctx)
    return [] if lpu_id is None else await ctx.uow.organisers.open_groups(lpu_id)
