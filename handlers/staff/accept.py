"""Opening a staff invitation (``/start staff-<token>``): the role and area it gives.

The invitation is used in the same transaction as the role is given, by one
conditional UPDATE, so a link works once even if two people open it at the same
moment. Refusals are plain and neutral: an unknown link and a used one read the
same, so tokens cannot be probed. Each refusal is logged with the user's id, never
the token.
"""

from __future__ import annotations

import logging

from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events.organise.buttons import menu_button
from handlers.i18n import _
from handlers.markup import escape, fmt
from handlers.outbound import OutboundReply, Text, keyboard
from handlers.roles import STAFF_ROLES
from handlers.shown_text import one_line
from handlers.staff.scope import Scope, give_role
from handlers.staff.tokens import parse_invite_payload
from handlers.staff.wording import abilities, area_name, role_name
from storage.models import StaffInvite, User

Replies = list[OutboundReply]
log = logging.getLogger(__name__)


def used_by_name(user: User) -> str:
    """How the invitation records who used it: first name and @username."""
    parts = [user.first_name.strip(), f"@{user.username}" if user.username else ""]
    return " ".join(p for p in parts if p) or str(user.telegram_id)


def _problem(invite: StaffInvite | None, ctx: Context) -> str | None:
    if invite is None or invite.role not in STAFF_ROLES:
        return "unknown"
    if invite.used_at is not None:
        return "mine" if invite.used_by_id == ctx.user_id else "used"
    if invite.revoked_at is not None:
        return "revoked"
    if invite.expires_at <= ctx.now():
        return "expired"
    return None


def _refusal(problem: str) -> Replies:
    if problem == "mine":
        text = _("You have already used this invitation. Send /organise to start.")
    elif problem == "expired":
        text = _("This invitation has expired. Ask whoever sent it for a new one.")
    elif problem == "revoked":
        text = _("This invitation has been withdrawn. Ask whoever sent it for a new one.")
    else:  # unknown or used by someone else: the same words, so nothing can be learnt
        text = _("This invitation link does not work. Ask whoever sent it for a new one.")
    return [Text(text=text, buttons=keyboard([home_button()]))]


async def _welcome(ctx: Context, before: Scope, now: Scope) -> Replies:
    """Their role and area (names from our catalogue and the database, already escaped)."""
    lines = [fmt(_("👋 Welcome to the team, {name}."), name=one_line(ctx.user.first_name))]
    if before.role in STAFF_ROLES:
        old = _("You already had a role ({role}, {area}); this invitation replaces it.")
        lines.append(
            old.format(role=escape(role_name(before.role)), area=await area_name(ctx.uow, before))
        )
    mine = _("Your role: <b>{role}</b>\nYour area: <b>{area}</b>")
    lines.append(mine.format(role=escape(role_name(now.role)), area=await area_name(ctx.uow, now)))
    can = "\n".join(f"• {line}" for line in abilities(now.role))
    lines.append(_("What you can do now:") + "\n" + can)
    return [Text(text="\n\n".join(lines), buttons=keyboard([menu_button()], [home_button()]))]


async def from_start_payload(ctx: Context, payload: str) -> Replies | None:
    """The replies for an invitation link, or ``None`` if ``payload`` is not one."""
    token = parse_invite_payload(payload)
    if token is None:
        return None
    invite = await ctx.uow.invites.by_token(token)
    problem = _problem(invite, ctx)
    if problem is None and invite is not None:
        name = used_by_name(ctx.user)
        if not await ctx.uow.invites.use(invite, user_id=ctx.user_id, name=name, now=ctx.now()):
            problem = "used"  # another worker used it a moment ago
    if problem is not None or invite is None:
        level = logging.INFO if problem == "mine" else logging.WARNING
        log.log(
            level,
            "staff invitation refused",
            extra={
                "user_id": ctx.user_id,
                "reason": problem,
                "invite_id": invite.id if invite else None,
            },
        )
        return _refusal(problem or "unknown")
    user = ctx.user
    before = Scope(user.role, user.role_lpu_id, user.role_community_id)
    after = Scope(invite.role, invite.lpu_id, invite.community_id)
    give_role(user, after)
    ctx.uow.session.add(user)
    log.info(
        "staff invitation used",
        extra={"user_id": ctx.user_id, "invite_id": invite.id, "role": invite.role},
    )
    return await _welcome(ctx, before, after)
