"""The /organise menu, and its buttons: a new event or group, the draft resumed, the lists."""

from __future__ import annotations

from typing import Any

from handlers import roles
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.callbacks import Organiser, OrganiserAction
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.directory.access import may_edit_directory
from handlers.directory.organise import organise_button as directory_button
from handlers.events.organise import groups, manage
from handlers.events.organise.access import refused, refused_notice, starts_groups
from handlers.events.organise.buttons import (
    my_events_button,
    new_event_button,
    new_group_button,
    org,
)
from handlers.events.organise.draft_data import load
from handlers.events.organise.drafts import show, start_draft
from handlers.funding import review
from handlers.funding import route as funding
from handlers.i18n import _
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.reports import chat as report_chat
from handlers.reports import loop
from handlers.safety.quick_exit import quick_exit_button

Replies = list[OutboundReply]


def broadcast_button() -> Button:
    return Button(_("📣 Message your followers"), encode(BroadcastButton(BroadcastAction.START)))


async def start(ctx: Context) -> Replies:
    """``/organise``: the organiser menu, for staff only."""
    if not roles.is_staff(ctx.user):
        return refused(ctx, "organise")
    return await menu(ctx)


async def menu(ctx: Context) -> Replies:
    draft = await ctx.uow.organisers.draft_for(ctx.user_id)
    rows: list[list[Button]] = []
    if draft is not None:
        rows.append([Button(_("▶️ Continue where you left off"), org(OrganiserAction.RESUME))])
    if roles.allowed_kinds(ctx.user):
        rows.append([new_event_button()])
    rows.append([my_events_button()])
    if starts_groups(ctx.user):
        rows.append([new_group_button()])
    rows.append([Button(_("👥 My action groups"), org(OrganiserAction.GROUPS))])
    rows.append([broadcast_button()])
    if ctx.user.role in review.REVIEWERS:
        rows.append([funding.review_button()])
    if may_edit_directory(ctx.user):
        rows.append([directory_button()])
    rows.append(
        [
            Button(_("📊 Report"), org(OrganiserAction.REPORT)),
            Button(_("✅ You said, we did"), org(OrganiserAction.WE_DID)),
        ]
    )
    rows.append([home_button(), quick_exit_button()])
    return [
        Text(
            text=_("<b>Organise</b>\n\nPlan events, see who is coming, and run action groups."),
            buttons=keyboard(*rows),
        )
    ]


async def new_event(ctx: Context) -> Replies:
    kinds = roles.allowed_kinds(ctx.user)
    if not kinds:
        return refused(ctx, "new event")
    data: dict[str, Any] = {"mode": "event", "tz": ctx.deps.timezone.key}
    if len(kinds) == 1:
        data["kind"] = kinds[0]
    return await start_draft(ctx, data)


async def on_organiser_button(ctx: Context, press: Organiser) -> Replies:
    """An organiser menu button: the role and scope are checked again, here and now."""
    if not roles.is_staff(ctx.user):
        return refused_notice(ctx, f"organiser {press.action.value}")
    action = press.action
    if action is OrganiserAction.MENU:
        return await menu(ctx)
    if action is OrganiserAction.REPORT:
        return await report_chat.send_report(ctx, "")
    if action is OrganiserAction.WE_DID:
        return await loop.start(ctx)
    if action is OrganiserAction.NEW:
        return await new_event(ctx)
    if action is OrganiserAction.NEW_GROUP:
        return await groups.new_group(ctx)
    if action is OrganiserAction.RESUME:
        row = await ctx.uow.organisers.draft_for(ctx.user_id)
        if row is None:
            return await menu(ctx)
        await ctx.uow.organisers.save_draft(row)  # the newest again: free text comes here
        return await show(ctx, row, load(row))
    if action is OrganiserAction.EVENTS:
        return await manage.my_events(ctx)
    if action is OrganiserAction.GROUPS:
        return await groups.my_groups(ctx)
    return await manage.on_event_button(ctx, press)
