"""Organisers' action groups: starting one, creating it when its draft is done, and the list."""

from __future__ import annotations

from typing import Any

from handlers import roles
from handlers.context import Context
from handlers.events.organise.access import (
    not_allowed_any_more,
    refused,
    scope_groups,
    starts_groups,
)
from handlers.events.organise.buttons import (
    LIST_LIMIT,
    menu_button,
    new_event_button,
    new_group_button,
)
from handlers.events.organise.drafts import go, start_draft
from handlers.events.organise.place import chosen_lpu
from handlers.i18n import _, _n
from handlers.markup import escape, fmt
from handlers.outbound import Button, OutboundReply, Text, keyboard
from storage.models import ActionGroup, EventDraft

Replies = list[OutboundReply]


async def new_group(ctx: Context) -> Replies:
    if not starts_groups(ctx.user):
        return refused(ctx, "new group")
    if not roles.everywhere(ctx.user) and not roles.can_create_group(
        ctx.user, ctx.user.role_lpu_id
    ):
        return refused(ctx, "new group")
    return await start_draft(ctx, {"mode": "group"})


async def create_group(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    """The group draft is done: the group starts (if the role still allows it)."""
    user = ctx.user
    lpu_id = chosen_lpu(user, data)
    title = data.get("title")
    if not title:
        return await go(ctx, row, data, "gtitle")
    if lpu_id is None and roles.everywhere(user):
        return await go(ctx, row, data, "glpu")
    await ctx.uow.organisers.drop_draft(row)
    if not roles.can_create_group(user, lpu_id):
        return not_allowed_any_more()
    assert lpu_id is not None
    group = await ctx.uow.groups.add(
        ActionGroup(
            lpu_id=lpu_id,
            title=str(title)[:200],
            description=str(data.get("description", "")),
            organiser_id=user.id,
        )
    )
    lpu = await ctx.uow.communities.get_lpu(lpu_id)
    return [
        Text(
            text=fmt(
                _(
                    "🤝 <b>{title}</b> has started in {area}.\n\nResidents there can join it "
                    "with /groups. To plan its first meeting, choose “New event”, then "
                    "“Action Group meeting”."
                ),
                title=group.title,
                area=lpu.name if lpu else "",
            ),
            buttons=keyboard([new_event_button()], [menu_button()]),
        )
    ]


async def my_groups(ctx: Context) -> Replies:
    groups = await scope_groups(ctx)
    if not groups:
        text = _("There are no action groups in your area yet.")
    else:
        counts = await ctx.uow.organisers.member_counts([g.id for g in groups if g.id is not None])
        lines = [_("<b>Action groups</b>")]
        for group in groups[:LIST_LIMIT]:
            n = counts.get(group.id or 0, 0)
            members = _n("{n} member", "{n} members", n).format(n=n)
            lines.append(f"🤝 <b>{escape(group.title)}</b> · {members}")
        text = "\n\n".join(lines)
    rows: list[list[Button]] = []
    if starts_groups(ctx.user):
        rows.append([new_group_button()])
    return [Text(text=text, buttons=keyboard(*rows, [menu_button()]))]
