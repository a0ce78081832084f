"""A resident's data rights: see everything we hold (/mydata), or erase it (/forget)."""

from __future__ import annotations

import json

from handlers.callbacks import DataAction, DataRights
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.i18n import _
from handlers.outbound import Button, Document, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button

Replies = list[OutboundReply]


async def my_data(ctx: Context) -> Replies:
    data = await ctx.uow.personal_data.export(ctx.user)
    data["exported_at"] = ctx.now().isoformat()
    content = json.dumps(data, ensure_ascii=False, indent=2).encode()
    return [
        Document(
            filename="chinwag-my-data.json",
            content=content,
            caption=_("This is everything Chinwag holds about you."),
            mime_type="application/json",
        ),
        Text(
            text=_("To delete it, send /forget."),
            buttons=keyboard([home_button(), quick_exit_button()]),
        ),
    ]


async def forget(ctx: Context) -> Replies:
    return [
        Text(
            text=_(
                "<b>Delete everything we hold about you?</b>\n\n"
                "This deletes your profile and your answers. Answers you sent anonymously "
                "stay in the reports, with nothing that links them to you. This cannot be undone."
            ),
            buttons=keyboard(
                [Button(_("🗑 Yes, delete it"), encode(DataRights(DataAction.CONFIRM)))],
                [Button(_("No, keep it"), encode(DataRights(DataAction.KEEP)))],
            ),
        )
    ]


async def confirm_forget(ctx: Context) -> Replies:
    await ctx.uow.personal_data.erase(ctx.user)
    return [
        Text(
            text=_(
                "Done. We have deleted what we held about you. "
                "If you message again, we will start afresh."
            )
        )
    ]


async def on_button(ctx: Context, press: DataRights) -> Replies:
    if press.action is DataAction.EXPORT:
        return await my_data(ctx)
    if press.action is DataAction.FORGET:
        return await forget(ctx)
    if press.action is DataAction.CONFIRM:
        return await confirm_forget(ctx)
    return [
        Text(
            text=_("Nothing has been deleted."),
            buttons=keyboard([home_button(), quick_exit_button()]),
        )
    ]
