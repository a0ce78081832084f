"""``chinwag staff grant|list``: give people a role, until staff invitations exist.

    chinwag staff grant --telegram-id 123456789 --role organiser --lpu chester
    chinwag staff grant --telegram-id 123456789 --role pcso --community Tarvin
    chinwag staff grant --telegram-id 123456789 --role resident     (takes a role away)
    chinwag staff list

Scope: ``pcso`` and ``officer`` need ``--community`` (their own); ``sergeant`` and
``inspector`` need ``--lpu`` (or a ``--community``, whose LPU is used); an
``organiser`` without ``--lpu`` works force-wide; ``admin`` and ``resident`` take no
scope. A person who has never messaged the bot gets a user row now; their name is
filled in when they first do. Exit code 0, or 2 with one line for a bad argument.
"""

from __future__ import annotations

import argparse

from bot.errors import ConfigError
from bot.settings import Settings
from handlers.roles import ROLES
from storage.models import Community, Lpu, User
from storage.uow import UnitOfWork

MAX_TELEGRAM_ID = 2**63 - 1


class StaffError(ValueError):
    """A role or scope that cannot be granted; the message says why."""


def add_staff_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("staff", help="organisers and policing team roles")
    what = parser.add_subparsers(dest="staff_command", required=True)
    grant = what.add_parser("grant", help="give someone a role (resident takes it away)")
    grant.add_argument("--telegram-id", type=int, required=True, help="their Telegram user id")
    grant.add_argument("--role", required=True, choices=ROLES)
    grant.add_argument("--lpu", default=None, help="the LPU's slug, e.g. chester")
    grant.add_argument("--community", default=None, help="the community's name or slug")
    what.add_parser("list", help="everyone with a role")


async def _community(uow: UnitOfWork, name: str) -> Community:
    found = await uow.organisers.communities_named(name)
    if not found:
        raise StaffError(f"no community is called {name!r}")
    if len(found) > 1:
        slugs = ", ".join(c.slug for c in found)
        raise StaffError(f"several communities are called {name!r}; give the slug ({slugs})")
    return found[0]


async def _lpu(uow: UnitOfWork, slug: str) -> Lpu:
    lpu = await uow.communities.lpu_by_slug(slug.strip().lower())
    if lpu is None:
        raise StaffError(f"no LPU has the slug {slug!r}")
    return lpu


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
    lpu_row = await _lpu(uow, lpu) if lpu else None
    community_row = await _community(uow, community) if community else None
    lpu_id: int | None = None
    community_id: int | None = None
    if role in ("pcso", "officer"):
        if community_row is None:
            raise StaffError(f"a {role} needs --community (their own community)")
        if lpu_row is not None and lpu_row.id != community_row.lpu_id:
            raise StaffError(f"{community_row.name} is not in the LPU {lpu!r}")
        lpu_id, community_id = community_row.lpu_id, community_row.id
    elif role in ("sergeant", "inspector"):
        if community_row is not None:
            if lpu_row is not None and lpu_row.id != community_row.lpu_id:
                raise StaffError(f"{community_row.name} is not in the LPU {lpu!r}")
            lpu_id, community_id = community_row.lpu_id, community_row.id
        elif lpu_row is not None:
            lpu_id = lpu_row.id
        else:
            raise StaffError(f"a {role} needs --lpu (or --community)")
    elif role == "organiser":
        if community_row is not None:
            raise StaffError("an organiser works across an LPU: use --lpu, or neither for all")
        lpu_id = lpu_row.id if lpu_row is not None else None
    elif lpu_row is not None or community_row is not None:
        raise StaffError(f"the role {role} takes no --lpu or --community")
    user = await uow.users.by_telegram_id(telegram_id)
    if user is None:
        user = await uow.users.add(
            User(telegram_id=telegram_id, chat_id=telegram_id, language=language)
        )
    user.role, user.role_lpu_id, user.role_community_id = role, lpu_id, community_id
    uow.session.add(user)
    await uow.session.flush()
    return user


async def _scope(uow: UnitOfWork, user: User) -> str:
    if user.role_community_id is not None:
        community = await uow.communities.get(user.role_community_id)
        return f"community {community.name}" if community else "?"
    if user.role_lpu_id is not None:
        lpu = await uow.communities.get_lpu(user.role_lpu_id)
        return f"LPU {lpu.name}" if lpu else "?"
    return "everywhere" if user.role in ("organiser", "admin") else "-"


async def run_staff(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app

    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            if args.staff_command == "list":
                people = await uow.organisers.staff()
                if not people:
                    print("Nobody has a role yet. Give one with: chinwag staff grant")
                for user in people:
                    name = user.first_name or "(has not messaged the bot yet)"
                    print(
                        f"{user.telegram_id:>14}  {user.role:<10} {await _scope(uow, user):<28} {name}"
                    )
                return 0
            try:
                user = await grant_role(
                    uow,
                    telegram_id=args.telegram_id,
                    role=args.role,
                    lpu=args.lpu,
                    community=args.community,
                    language=settings.default_locale,
                )
            except StaffError as exc:
                raise ConfigError(str(exc)) from None
            scope = await _scope(uow, user)
            await uow.commit()
    finally:
        await app.close()
    if args.role == "resident":
        print(f"Telegram user {args.telegram_id} is a resident now (no role).")
    else:
        print(f"Telegram user {args.telegram_id} is now {args.role} ({scope}).")
    return 0
