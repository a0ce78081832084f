"""Action groups for residents (/groups): the open groups in their LPU, to join or leave.

Members see the group's meetings in /events and are reminded of them. A button's
group id is checked against the resident's own area on every press.
"""

from __future__ import annotations

from handlers.callbacks import GroupAction, GroupButton, OfficerAction, Officers
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events import service
from handlers.i18n import _, _n
from handlers.markup import cut_utf16, escape, fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button
from handlers.staff.guard import log_refused
from storage.models import ActionGroup, Community

Replies = list[OutboundReply]
LIST_LIMIT = 15
REMINDED_MEETINGS = 10


async def _community(ctx: Context) -> Community | None:
    if ctx.user.community_id is None:
        return None
    return await ctx.uow.communities.get(ctx.user.community_id)


def _where_first() -> Replies:
    return [
        Text(
            text=_("First, tell me where you live, so I can show the action groups near you."),
            buttons=keyboard(
                [Button(_("👮 Find my community"), encode(Officers(OfficerAction.FIND)))]
            ),
        )
    ]


async def list_groups(ctx: Context) -> Replies:
    community = await _community(ctx)
    if community is None:
        return _where_first()
    groups = list(await ctx.uow.organisers.open_groups(community.lpu_id))[:LIST_LIMIT]
    lpu = await ctx.uow.communities.get_lpu(community.lpu_id)
    area = lpu.name if lpu else community.name
    if not groups:
        return [
            Text(
                text=fmt(
                    _(
                        "There are no action groups in {area} yet. They start after a "
                        "Community Conversation, when residents and the police agree what to "
                        "work on."
                    ),
                    area=area,
                ),
                buttons=keyboard([home_button(), quick_exit_button()]),
            )
        ]
    counts = await ctx.uow.organisers.member_counts([g.id for g in groups if g.id is not None])
    lines = [
        fmt(
            _(
                "<b>Action groups in {area}</b>\n\nResidents and the police working together "
                "on one local problem. Members hear about the meetings."
            ),
            area=area,
        )
    ]
    rows: list[list[Button]] = []
    for group in groups:
        assert group.id is not None
        member = await ctx.uow.groups.is_member(group.id, ctx.user_id)
        n = counts.get(group.id, 0)
        line = f"🤝 <b>{escape(group.title)}</b> · " + _n("{n} member", "{n} members", n).format(
            n=n
        )
        if member:
            line += " · " + _("you are a member")
        if group.description:
            line += f"\n{escape(group.description)}"
        lines.append(line)
        if member:
            label = _("Leave: {title}").format(title=group.title)
            action = GroupAction.LEAVE
        else:
            label = _("Join: {title}").format(title=group.title)
            action = GroupAction.JOIN
        rows.append([Button(cut_utf16(label, 60), encode(GroupButton(action, group.id)))])
    return [
        Text(text="\n\n".join(lines), buttons=keyboard(*rows, [home_button(), quick_exit_button()]))
    ]


async def _group_near_me(ctx: Context, press: GroupButton) -> ActionGroup | None:
    """The group, if it is open and in the resident's own LPU (the payload proves nothing).

    An open group elsewhere was never offered to them: that refusal is logged."""
    group = await ctx.uow.groups.get(press.group)
    community = await _community(ctx)
    if group is None or group.status != "open":
        return None
    if community is None or group.lpu_id != community.lpu_id:
        log_refused(ctx, f"group {press.action.value} outside their area")
        return None
    return group


async def on_button(ctx: Context, press: GroupButton) -> Replies:
    if press.action is GroupAction.LIST:
        return await list_groups(ctx)
    group = await _group_near_me(ctx, press)
    if group is None or group.id is None:
        return [Notice(text=_("That group is not in the list any more.")), *await list_groups(ctx)]
    if press.action is GroupAction.JOIN:
        await ctx.uow.groups.join(group.id, ctx.user_id)
        now = ctx.now()
        for event in await ctx.uow.events.upcoming_for_member(ctx.user_id, now, REMINDED_MEETINGS):
            if event.action_group_id == group.id:
                await service.schedule_reminders(ctx.uow, event, ctx.user, now)
        if ctx.deps.wake is not None:
            ctx.deps.wake()
        notice = _("You have joined {title}. Its meetings are in /events.").format(
            title=group.title
        )
    else:
        await ctx.uow.groups.leave(group.id, ctx.user_id)
        notice = _("You have left {title}.").format(title=group.title)
    return [Notice(text=notice), *await list_groups(ctx)]
