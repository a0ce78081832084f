"""Staff and invitations, for admins only (as ``chinwag staff list``): everyone with
a role and their area, then every invitation, newest first, with its state. Anyone
else is refused (403), and the refusal is logged. ``/staff.csv`` downloads both."""

from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import refused, staff_page
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.scope import Viewer
from handlers.i18n import _
from handlers.staff.scope import Scope
from handlers.staff.wording import area_name, role_name
from handlers.timefmt import when
from storage.models import StaffInvite
from storage.uow import UnitOfWork

CSV_HEADER = ("kind", "id", "role", "area", "name", "state", "note")


def invite_state(invite: StaffInvite, now: datetime, tz: ZoneInfo) -> tuple[str, str]:
    """(state id, its words), as ``chinwag staff list`` tells them apart."""
    if invite.used_at is not None:
        who = invite.used_by_name or _("someone who has since asked to be forgotten")
        return "used", _("Used by {name}, {when}").format(name=who, when=when(invite.used_at, tz))
    if invite.revoked_at is not None:
        return "revoked", _("Revoked {when}").format(when=when(invite.revoked_at, tz))
    if invite.expires_at <= now:
        return "expired", _("Expired {when}").format(when=when(invite.expires_at, tz))
    return "pending", _("Waiting, expires {when}").format(when=when(invite.expires_at, tz))


@staff_page
async def staff(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    if viewer.user.role != "admin":
        return refused(context, "staff list", 403, user_id=viewer.user.id, role=viewer.user.role)
    deps = context.deps
    now = deps.clock()
    people = []
    for user in await uow.organisers.staff():
        area = await area_name(uow, Scope(user.role, user.role_lpu_id, user.role_community_id))
        name = user.first_name + (f" @{user.username}" if user.username else "")
        people.append((user, role_name(user.role), Markup(area), name.strip()))  # escaped
    invites = []
    for invite in await uow.invites.newest():
        area = await area_name(uow, Scope(invite.role, invite.lpu_id, invite.community_id))
        state, words = invite_state(invite, now, deps.timezone)
        invites.append((invite, role_name(invite.role), Markup(area), state, words))
    if csv_wanted(request):
        rows: list[tuple[object, ...]] = [
            ("person", u.telegram_id, u.role, html.unescape(area), name, "", "")
            for u, _r, area, name in people
        ]
        rows += [
            ("invitation", i.id, i.role, html.unescape(area), i.used_by_name, state, i.note)
            for i, _r, area, state, _w in invites
        ]
        return csv_response("chinwag-staff.csv", CSV_HEADER, rows)
    return context.renderer.page(
        "staff.html", viewer=viewer, page="staff", people=people, invites=invites
    )
