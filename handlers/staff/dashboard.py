"""``/dashboard``: a staff member asks for a sign-in link to the web dashboard.

The link is ``{dashboard_url}/signin/{token}``: single-use, valid for 10 minutes,
with only the token's SHA-256 stored (``storage.repositories.dashboard``). Opening
it shows a "Sign in" button, so a link preview cannot use it up. Residents are
refused like every other staff command, and the refusal is logged.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from handlers.context import Context
from handlers.i18n import _
from handlers.markup import escape, fmt
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.roles import is_staff
from handlers.staff.guard import log_refused
from handlers.staff.tokens import new_invite_token

__all__ = ["LINK_MINUTES", "send_link", "signin_url"]

Replies = list[OutboundReply]
LINK_MINUTES = 10


def signin_url(dashboard_url: str, token: str) -> str:
    return f"{dashboard_url.rstrip('/')}/signin/{token}"


def _button_allowed(url: str) -> bool:
    """Telegram refuses inline buttons that point at this machine (localhost, 127.0.0.1):
    such a link is only given as text, to copy into a browser on the same machine."""
    host = urlsplit(url).hostname or ""
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


async def send_link(ctx: Context) -> Replies:
    if not is_staff(ctx.user):
        log_refused(ctx, "dashboard")
        return [Text(text=_("Only organisers and policing teams can use the dashboard."))]
    now = ctx.now()
    await ctx.uow.dashboard.prune(now, ctx.user_id)
    token = new_invite_token()
    expires = now + timedelta(minutes=LINK_MINUTES)
    await ctx.uow.dashboard.create_link(token, user_id=ctx.user_id, expires_at=expires)
    url = signin_url(ctx.deps.dashboard_url, token)
    intro = fmt(
        _("🖥 Your link to the dashboard. It works once, for {minutes} minutes; do not pass it on."),
        minutes=LINK_MINUTES,
    )
    text = intro + "\n\n" + escape(url)  # on a line of its own, so that it stays a link
    buttons = keyboard([Button(_("Open the dashboard"), url=url)]) if _button_allowed(url) else ()
    return [Text(text=text, buttons=buttons)]
