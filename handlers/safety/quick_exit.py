"""The quick exit: delete this private chat's messages and leave one neutral line.

Every menu carries the button (``quick_exit_button``), and ``/exit`` does the same.
Telegram lets a bot delete messages in a private chat, both ways, for 48 hours;
the ids come from ``chat_messages`` (what the resident sent, what the bot replied,
every message the delivery engine sent: reminders, notices, broadcasts, each part of
a long one) and from the delivery engine's sent rows (their last message, for rows
sent before every part was recorded). Older
messages cannot be deleted and are left alone. Nothing the resident saved is lost:
a conversation half-way through stays where it was, for ``/start`` to offer later.
"""

from __future__ import annotations

from datetime import timedelta

from handlers.callbacks import Menu, MenuAction
from handlers.context import Context
from handlers.i18n import _
from handlers.outbound import Button, DeleteMessages, OutboundReply, Text
from handlers.payloads import encode

DELETABLE_FOR = timedelta(hours=48)


def quick_exit_button() -> Button:
    return Button(_("🚪 Quick exit"), encode(Menu(MenuAction.EXIT)))


def neutral_message() -> str:
    return _("Have a good day!")


async def quick_exit(ctx: Context) -> list[OutboundReply]:
    chat_id = ctx.user.chat_id
    ids = await ctx.uow.chat_messages.since(chat_id, ctx.now() - DELETABLE_FOR)
    await ctx.uow.chat_messages.forget_chat(chat_id)
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    replies: list[OutboundReply] = []
    if ids:
        replies.append(DeleteMessages(message_ids=tuple(ids)))
    replies.append(Text(text=neutral_message(), remove_reply_keyboard=True))
    return replies
