"""``chinwag staff invite|list|revoke|grant``: who has a staff role, and how they got it.

    chinwag staff invite --role pcso --community Tarvin --note "for Sam Jones"
    chinwag staff invite --role organiser --lpu chester --expires-hours 24
    chinwag staff list
    chinwag staff revoke --invite 3                 (the link stops working)
    chinwag staff revoke --telegram-id 123456789    (takes the role away: a resident again)
    chinwag staff grant --telegram-id 123456789 --role sergeant --lpu chester

``invite`` makes a one-time link (``https://t.me/<bot>?start=staff-<token>``, or the
``/start staff-<token>`` to send in ``chinwag chat`` when ``CHINWAG_BOT_USERNAME`` is
not set). Whoever opens it first, before it expires (72 hours unless
``--expires-hours``), gets the role and area; the invitation records who used it.
Only a hash of the token is stored, so the link is shown this once. ``grant`` gives a
role directly to a Telegram id (the person need not have messaged the bot yet).

Scope, the same for ``invite`` and ``grant``: ``pcso`` and ``officer`` need
``--community`` (their own); ``sergeant`` and ``inspector`` need ``--lpu`` (or a
``--community``, whose LPU is used); an ``organiser`` without ``--lpu`` works
force-wide; ``admin`` (and ``resident``, with ``grant``) take no scope.

Exit code 0, or 2 with one line for a bad argument.
"""

from __future__ import annotations

import argparse

from bot.errors import ConfigError
from bot.settings import Settings
from bot.staff_invites import (
    DEFAULT_EXPIRY_HOURS,
    area_text,
    make_invite,
    revoke_invite,
    revoke_role,
    staff_lines,
)
from handlers.roles import ROLES
from handlers.staff.scope import ScopeError, give_role, resolve_scope
from storage.models import User
from storage.uow import UnitOfWork

__all__ = ["StaffError", "add_staff_parser", "grant_role", "run_staff"]

MAX_TELEGRAM_ID = 2**63 - 1
INVITE_ROLES = tuple(role for role in ROLES if role != "resident")

# A role or scope that cannot be granted; the message says why.
StaffError = ScopeError


def add_staff_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("staff", help="organisers and policing team roles")
    what = parser.add_subparsers(dest="staff_command", required=True)

    invite = what.add_parser("invite", help="make a one-time link that gives a role")
    invite.add_argument("--role", required=True, choices=INVITE_ROLES)
    invite.add_argument("--lpu", default=None, help="the LPU's slug, e.g. chester")
    invite.add_argument("--community", default=None, help="the community's name or slug")
    invite.add_argument("--note", default="", help="who it is for (shown by staff list)")
    invite.add_argument(
        "--expires-hours",
        type=int,
        default=DEFAULT_EXPIRY_HOURS,
        help=f"how long the link works (default {DEFAULT_EXPIRY_HOURS})",
    )

    what.add_parser("list", help="everyone with a role, and every invitation")

    revoke = what.add_parser("revoke", help="withdraw an invitation, or take a role away")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--invite", type=int, help="the invitation's number (staff list)")
    which.add_argument("--telegram-id", type=int, help="a staff member's Telegram user id")

    grant = what.add_parser("grant", help="give someone a role (resident takes it away)")
    grant.add_argument("--telegram-id", type=int, required=True, help="their Telegram user id")
    grant.add_argument("--role", required=True, choices=ROLES)
    grant.add_argument("--lpu", default=None, help="the LPU's slug, e.g. chester")
    grant.add_argument("--community", default=None, help="the community's name or slug")


async def grant_role(
    uow: UnitOfWork,
    *,
    telegram_id: int,
    role: str,
    lpu: str | None = None,
    community: str | None = None,
    language: str = "en",
) -> User:
    """Set the role and scope of the user with ``telegram_id`` (created if need be).

    The caller commits. Raises ``StaffError`` for a role or scope that does not fit."""
    if role not in ROLES:
        raise StaffError(f"unknown role {role!r} (use {', '.join(ROLES)})")
    if not 1 <= telegram_id <= MAX_TELEGRAM_ID:
        raise StaffError("the Telegram id must be a positive number")
    scope = await resolve_scope(uow, role, lpu=lpu, community=community)
    user = await uow.users.by_telegram_id(telegram_id)
    if user is None:
        user = await uow.users.add(
            User(telegram_id=telegram_id, chat_id=telegram_id, language=language)
        )
    give_role(user, scope)
    uow.session.add(user)
    await uow.session.flush()
    return user


async def _grant(uow: UnitOfWork, settings: Settings, args: argparse.Namespace) -> list[str]:
    user = await grant_role(
        uow,
        telegram_id=args.telegram_id,
        role=args.role,
        lpu=args.lpu,
        community=args.community,
        language=settings.default_locale,
    )
    if args.role == "resident":
        return [f"Telegram user {args.telegram_id} is a resident now (no role)."]
    area = await area_text(uow, user.role, user.role_lpu_id, user.role_community_id)
    return [f"Telegram user {args.telegram_id} is now {args.role} ({area})."]


async def run_staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app

    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            now = app.deps.clock()
            command = args.staff_command
            try:
                if command == "list":
                    lines = await staff_lines(uow, now, settings.tz)
                elif command == "invite":
                    lines = await make_invite(uow, settings, args, now)
                elif command == "revoke" and args.invite is not None:
                    lines = await revoke_invite(uow, args.invite, now)
                elif command == "revoke":
                    lines = await revoke_role(uow, args.telegram_id)
                else:
                    lines = await _grant(uow, settings, args)
            except ScopeError as exc:
                raise ConfigError(str(exc)) from None
            await uow.commit()
    finally:
        await app.close()
    print("\n".join(lines))
    return 0
