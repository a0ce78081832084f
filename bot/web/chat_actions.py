"""Running the chat's own handlers for a dashboard action, and showing what they said.

An action on the dashboard (cancel an event, approve a funding application) calls
the very handler a button or a typed answer calls in the chat, with a ``Context``
for the signed-in staff member: the same role checks, the same database changes,
and the same notices scheduled in ``deliveries`` for the people concerned. What the
handler would have replied in the chat is shown on the page, as plain text.
"""

from __future__ import annotations

import html
import re

from handlers.context import Context, Deps
from handlers.inbound import ButtonPress, Sender
from handlers.outbound import Notice, OutboundReply, Text
from storage.models import User
from storage.uow import UnitOfWork

TAG = re.compile(r"<[^>]+>")
DASHBOARD_PRESS = "dashboard"  # the payload logged if a handler refuses the action


def staff_context(deps: Deps, uow: UnitOfWork, user: User) -> Context:
    """A ``Context`` as if ``user`` had pressed a button in their chat with the bot."""
    sender = Sender(
        telegram_id=user.telegram_id,
        chat_id=user.chat_id,
        first_name=user.first_name or "",
        username=user.username,
    )
    return Context(
        deps=deps, uow=uow, user=user, event=ButtonPress(sender=sender, data=DASHBOARD_PRESS)
    )


def plain(text: str) -> str:
    """A chat message's Telegram HTML as plain text (the page escapes it again)."""
    return html.unescape(TAG.sub("", text)).strip()


def said(replies: list[OutboundReply]) -> list[str]:
    """The texts and pop-ups of ``replies``, as plain text, in order."""
    return [plain(r.text) for r in replies if isinstance(r, Text | Notice) and r.text]
