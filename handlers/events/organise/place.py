"""Where it is: the map location, the area or community asked for, and where the event belongs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from handlers import roles
from handlers.callbacks import DraftAction
from handlers.context import Context
from handlers.events.organise.draft_buttons import button
from handlers.events.organise.draft_data import as_int
from handlers.i18n import _
from handlers.markup import cut_utf16
from handlers.outbound import Button, Text, keyboard
from storage.models import ActionGroup, Community, EventDraft, Lpu, User


async def location_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    return Text(
        text=_(
            "Share where it is on the map, so people can find it: tap "
            "“📍 Share location” below, or “Skip”.\n\n/back goes back, /cancel stops."
        ),
        request_location=_("📍 Share location"),
        reply_keyboard=((_("Skip"),),),
    )


def _lpu_rows(row: EventDraft, lpus: Sequence[Lpu]) -> list[list[Button]]:
    return [[button(row, DraftAction.LPU, lpu.name, str(lpu.id))] for lpu in lpus]


async def where_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    surgery = data.get("kind") == "surgery"
    lpu_id = ctx.user.role_lpu_id if not roles.everywhere(ctx.user) else as_int(data.get("browse"))
    if surgery and lpu_id is not None:
        communities = await ctx.uow.communities.in_lpu(lpu_id)
        buttons = [
            button(row, DraftAction.COMMUNITY, cut_utf16(c.name, 40), str(c.id))
            for c in communities
            if c.id is not None
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        if roles.everywhere(ctx.user):
            rows.append([button(row, DraftAction.LPU, _("◀️ All areas"), "0")])
        return Text(
            text=_("Which community is the surgery for? Tap it, or type its name."),
            buttons=keyboard(*rows, nav),
        )
    rows = _lpu_rows(row, await ctx.uow.communities.lpus())
    question = _("Which area is the community in?") if surgery else _("Which area (LPU) is it for?")
    return Text(text=question, buttons=keyboard(*rows, nav))


async def group_area_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    rows = _lpu_rows(row, await ctx.uow.communities.lpus())
    return Text(text=_("Which area (LPU) is the group for?"), buttons=keyboard(*rows, nav))


def chosen_lpu(user: User, data: dict[str, Any]) -> int | None:
    """The LPU chosen in the draft (force-wide organisers), or the organiser's own."""
    return as_int(data.get("lpu_id")) if roles.everywhere(user) else user.role_lpu_id


async def placement(
    ctx: Context, data: dict[str, Any]
) -> tuple[Community | None, int | None, ActionGroup | None]:
    """Where the event belongs: (community, LPU id, action group), as the draft and the
    role decide; (None, None, None) when it cannot be placed."""
    user = ctx.user
    kind = data.get("kind")
    if kind == "action_group":
        group = await ctx.uow.groups.get(as_int(data.get("group_id")) or 0)
        if group is None or group.status != "open":
            return None, None, None
        return None, group.lpu_id, group
    if kind == "surgery":
        if user.role in ("pcso", "officer"):
            community_id = user.role_community_id
        else:
            community_id = as_int(data.get("community_id"))
        community = await ctx.uow.communities.get(community_id) if community_id else None
        if community is None:
            return None, None, None
        return community, community.lpu_id, None
    return None, chosen_lpu(user, data), None


async def community_by_name(ctx: Context, text: str) -> Community | None:
    named = await ctx.uow.organisers.communities_named(text)
    return named[0] if len(named) == 1 else None
