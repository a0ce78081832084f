"""Buttons pressed on a draft's question, checked against the role and the step they belong to."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from handlers import roles
from handlers.callbacks import DraftAction, DraftButton
from handlers.context import Context
from handlers.events.organise.access import refused_notice
from handlers.events.organise.advance import advance, skip
from handlers.events.organise.draft_data import instant, load, zone
from handlers.events.organise.drafts import ask_again, back, cancel, go, show, too_late
from handlers.events.organise.moving import apply_move
from handlers.events.organise.save import save_event
from handlers.events.organise.when import chosen_instant
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Notice, OutboundReply
from handlers.payloads import row_id
from storage.models import Community, EventDraft

Replies = list[OutboundReply]


async def on_draft_button(ctx: Context, press: DraftButton) -> Replies:
    """A button on a draft step; the role is checked again, stale buttons are refused."""
    if not roles.is_staff(ctx.user):
        row = await ctx.uow.organisers.draft_for(ctx.user_id)
        if row is not None:
            await ctx.uow.organisers.drop_draft(row)
        return refused_notice(ctx, f"draft {press.action.name.lower()}")
    row = await ctx.uow.organisers.draft_for(ctx.user_id)
    if row is None or row.id != press.draft:
        return [Notice(text=_("That button is from an earlier message."))]
    if press.step != row.step:
        return [
            Notice(text=_("That button is from an earlier message.")),
            *await show(ctx, row, load(row)),
        ]
    return await on_press(ctx, press, row)


async def on_press(ctx: Context, press: DraftButton, row: EventDraft) -> Replies:
    """A draft button (or its label typed), for the draft's current step."""
    data = load(row)
    action, value, step = press.action, press.value, row.step
    if action is DraftAction.BACK:
        return await back(ctx, row)
    if action is DraftAction.CANCEL:
        return await cancel(ctx, row)
    if action is DraftAction.SKIP:
        return await skip(ctx, row)
    if action is DraftAction.KIND and step == "kind":
        if value not in roles.allowed_kinds(ctx.user):
            return refused_notice(ctx, "draft kind")
        if data.get("kind") != value:
            for key in ("group_id", "community_id", "lpu_id", "browse"):
                data.pop(key, None)
        data["kind"] = value
        return await advance(ctx, row, data)
    if action is DraftAction.GROUP and step == "group":
        group = await ctx.uow.groups.get(number) if (number := row_id(value)) else None
        if (
            group is None
            or group.status != "open"
            or not roles.can_create(ctx.user, "action_group", lpu_id=group.lpu_id)
        ):
            return [Notice(text=_("That group is not in the list any more."))]
        data["group_id"] = group.id
        return await advance(ctx, row, data)
    if action is DraftAction.INSTANT and step == "when":
        return await _choose_instant(ctx, row, data, value)
    if action is DraftAction.YES and step == "confirm":
        starts = instant(data.get("starts_at"))
        if starts is None or starts <= ctx.now():
            return await too_late(ctx, row, data)
        if data.get("mode") == "move":
            return await apply_move(ctx, row, data, starts)
        return await advance(ctx, row, data)
    if action is DraftAction.CHANGE and step == "confirm":
        return await go(ctx, row, data, "when")
    if action is DraftAction.REPEAT and step == "repeat" and value in ("none", "weekly", "monthly"):
        data["repeat"] = value
        return await advance(ctx, row, data)
    if action is DraftAction.LPU and step in ("where", "glpu"):
        return await _pick_lpu(ctx, row, data, value)
    if action is DraftAction.COMMUNITY and step == "where":
        community = await ctx.uow.communities.get(number) if (number := row_id(value)) else None
        if community is None:
            return [Notice(text=_("That community is not in the list any more."))]
        return await pick_community(ctx, row, data, community)
    if action is DraftAction.SAVE and step == "summary":
        return await save_event(ctx, row, data)
    return [Notice(text=_("That button does not work here."))]


async def _choose_instant(
    ctx: Context, row: EventDraft, data: dict[str, Any], value: str
) -> Replies:
    chosen = chosen_instant(data, zone(data, ctx), value)
    if chosen is None:
        return [Notice(text=_("That button is from an earlier message."))]
    if chosen <= ctx.now():
        return [Notice(text=_("That time has already passed."), alert=True)]
    data["starts_at"] = chosen.astimezone(UTC).isoformat()
    data.pop("wall", None)
    return await go(ctx, row, data, "confirm")


async def _pick_lpu(ctx: Context, row: EventDraft, data: dict[str, Any], value: str) -> Replies:
    if not roles.everywhere(ctx.user):
        return refused_notice(ctx, "draft area")  # only force-wide organisers choose one
    if row.step == "where" and data.get("kind") == "surgery":
        if value == "0":
            data.pop("browse", None)
        else:
            lpu = await ctx.uow.communities.get_lpu(number) if (number := row_id(value)) else None
            if lpu is None:
                return [Notice(text=_("That area is not in the list any more."))]
            data["browse"] = lpu.id
        return await go(ctx, row, data, "where")
    lpu = await ctx.uow.communities.get_lpu(number) if (number := row_id(value)) else None
    if lpu is None:
        return [Notice(text=_("That area is not in the list any more."))]
    data["lpu_id"] = lpu.id
    return await advance(ctx, row, data)


async def pick_community(
    ctx: Context, row: EventDraft, data: dict[str, Any], community: Community
) -> Replies:
    """A community for a surgery, tapped or typed, if it is in the organiser's area."""
    if not roles.can_create(
        ctx.user, "surgery", lpu_id=community.lpu_id, community_id=community.id
    ):
        text = fmt(_("{name} is outside your area."), name=community.name)
        return await ask_again(ctx, row, data, text)
    data["community_id"] = community.id
    return await advance(ctx, row, data)
