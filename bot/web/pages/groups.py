"""Action groups and their members.

Action groups belong to an LPU, so the viewer sees the open groups of their LPU
(a PCSO or officer: of their community's LPU, which is where the chat offers its
residents groups), an admin every open group. ``/groups.csv`` and
``/groups/{id}?format=csv`` download the list and the members. Any other group is
"page not found".
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import staff_page
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.scope import Viewer, one_in_scope
from handlers.shown_text import one_line
from storage.models import ActionGroup
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork


async def lpu_of(uow: UnitOfWork, scope: ReportScope) -> int | None:
    """The LPU the scope lies in (``None``: the whole force)."""
    if scope.community_id is not None:
        community = await uow.communities.get(scope.community_id)
        return community.lpu_id if community else -1
    return scope.lpu_id


async def groups_in_scope(uow: UnitOfWork, viewer: Viewer) -> list[ActionGroup]:
    if viewer.scope is None:
        return []
    lpu_id = await lpu_of(uow, viewer.scope)
    if lpu_id is None:
        return list(await uow.groups.all_open())
    return [g for g in await uow.groups.in_lpu(lpu_id) if g.status == "open"]


@staff_page
async def groups(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    found = await groups_in_scope(uow, viewer)
    lpus = {lpu.id: lpu.name for lpu in await uow.communities.lpus()}
    rows = []
    for group in found:
        assert group.id is not None
        rows.append((group, lpus.get(group.lpu_id, ""), await uow.groups.member_count(group.id)))
    if csv_wanted(request):
        return csv_response(
            "chinwag-groups.csv",
            ("id", "title", "lpu", "members"),
            [(g.id, g.title, lpu, n) for g, lpu, n in rows],
        )
    return context.renderer.page("groups.html", viewer=viewer, page="groups", groups=rows)


@staff_page
async def group(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    wanted = request.path_params["group_id"]
    shown = one_in_scope(await groups_in_scope(uow, viewer), wanted)
    members = [one_line(user.first_name) for user in await uow.groups.members(wanted)]
    if csv_wanted(request):
        return csv_response(
            f"chinwag-group-{wanted}-members.csv", ("name",), [(name,) for name in members]
        )
    return context.renderer.page(
        "group.html", viewer=viewer, page="groups", group=shown, members=members
    )
