"""The work behind ``chinwag staff invite|list|revoke`` (see ``bot.staff_command``).

Each function takes an open unit of work, leaves committing to the caller, and
returns the lines to print; a bad argument raises ``ScopeError`` (exit code 2).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.settings import Settings
from handlers.events.deeplink import deep_link
from handlers.staff.scope import Scope, ScopeError, give_role, resolve_scope
from handlers.staff.tokens import invite_payload, new_invite_token
from storage.models import StaffInvite
from storage.uow import UnitOfWork

DEFAULT_EXPIRY_HOURS = 72
MAX_EXPIRY_HOURS = 24 * 30
MAX_NOTE = 200


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    """``Sat 7 Mar 2026, 18:00 GMT``."""
    local = moment.astimezone(tz)
    return f"{local:%a} {local.day} {local:%b %Y, %H:%M %Z}"


async def area_text(
    uow: UnitOfWork, role: str, lpu_id: int | None, community_id: int | None
) -> str:
    if community_id is not None:
        community = await uow.communities.get(community_id)
        return f"community {community.name}" if community else "?"
    if lpu_id is not None:
        lpu = await uow.communities.get_lpu(lpu_id)
        return f"LPU {lpu.name}" if lpu else "?"
    return "everywhere" if role in ("organiser", "admin") else "-"


async def make_invite(
    uow: UnitOfWork, settings: Settings, args: argparse.Namespace, now: datetime
) -> list[str]:
    if not 1 <= args.expires_hours <= MAX_EXPIRY_HOURS:
        raise ScopeError(f"--expires-hours must be from 1 to {MAX_EXPIRY_HOURS} (30 days)")
    note = " ".join(str(args.note).split())
    if len(note) > MAX_NOTE:
        raise ScopeError(f"--note is longer than {MAX_NOTE} characters")
    scope = await resolve_scope(uow, args.role, lpu=args.lpu, community=args.community)
    token = new_invite_token()
    expires = now + timedelta(hours=args.expires_hours)
    invite = await uow.invites.create(
        token,
        role=scope.role,
        lpu_id=scope.lpu_id,
        community_id=scope.community_id,
        note=note,
        created_by="cli",
        expires_at=expires,
    )
    area = await area_text(uow, scope.role, scope.lpu_id, scope.community_id)
    lines = [f"Invitation {invite.id}: {scope.role} ({area})." + (f" Note: {note}" if note else "")]
    payload = invite_payload(token)
    if settings.bot_username:
        lines.append(f"Link (works once): {deep_link(settings.bot_username, payload)}")
    else:
        lines += [
            "CHINWAG_BOT_USERNAME is not set, so there is no link; send the bot this",
            f"(in Telegram, or in `chinwag chat`): /start {payload}",
        ]
    lines.append(f"Expires: {local_time(expires, settings.tz)}")
    return lines


def _state(invite: StaffInvite, now: datetime, tz: ZoneInfo) -> str:
    if invite.used_at is not None:
        who = invite.used_by_name or "someone who has since asked to be forgotten"
        return f"used by {who}, {local_time(invite.used_at, tz)}"
    if invite.revoked_at is not None:
        return f"revoked {local_time(invite.revoked_at, tz)}"
    if invite.expires_at <= now:
        return f"expired {local_time(invite.expires_at, tz)}"
    return f"pending, expires {local_time(invite.expires_at, tz)}"


async def staff_lines(uow: UnitOfWork, now: datetime, tz: ZoneInfo) -> list[str]:
    """Everyone with a role, then every invitation, newest first."""
    lines = ["People with a role:"]
    people = await uow.organisers.staff()
    if not people:
        lines.append("  nobody yet (chinwag staff invite, or chinwag staff grant)")
    for user in people:
        area = await area_text(uow, user.role, user.role_lpu_id, user.role_community_id)
        name = user.first_name or "(has not messaged the bot yet)"
        if user.username:
            name += f" @{user.username}"
        lines.append(f"  {user.telegram_id:>14}  {user.role:<10} {area:<28} {name}")
    lines.append("Invitations:")
    invites = await uow.invites.newest()
    if not invites:
        lines.append("  none yet (chinwag staff invite)")
    for invite in invites:
        area = await area_text(uow, invite.role, invite.lpu_id, invite.community_id)
        note = f"  ({invite.note})" if invite.note else ""
        lines.append(
            f"  #{invite.id:<5} {invite.role:<10} {area:<28} {_state(invite, now, tz)}{note}"
        )
    return lines


async def revoke_invite(uow: UnitOfWork, invite_id: int, now: datetime) -> list[str]:
    invite = await uow.invites.get(invite_id)
    if invite is None:
        raise ScopeError(f"no invitation has the number {invite_id}")
    if invite.used_at is not None:
        raise ScopeError(
            f"invitation {invite_id} was already used by {invite.used_by_name or 'someone'}; "
            "take the role away with: chinwag staff revoke --telegram-id N"
        )
    if not await uow.invites.revoke(invite, now):
        return [f"Invitation {invite_id} was already revoked."]
    return [f"Invitation {invite_id} is revoked: its link no longer works."]


async def revoke_role(uow: UnitOfWork, telegram_id: int) -> list[str]:
    user = await uow.users.by_telegram_id(telegram_id)
    if user is None:
        raise ScopeError(f"no user has the Telegram id {telegram_id}")
    if user.role == "resident":
        return [f"Telegram user {telegram_id} has no role to take away."]
    area = await area_text(uow, user.role, user.role_lpu_id, user.role_community_id)
    was = user.role
    give_role(user, Scope("resident"))
    uow.session.add(user)
    return [f"Telegram user {telegram_id} is a resident again (was {was}, {area})."]
