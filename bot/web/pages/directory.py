"""Directory entries serving the viewer's area, as residents find them in the chat
(``uow.directory.active_for_area``: the area's own, its LPU's and the force's).
``/directory.csv`` downloads them, kind and keywords included.

``/directory/new`` adds one whole (``handlers.directory.organise.create``, in the
person's area as in the chat). ``/directory/{id}`` shows one. A role that looks after it in the chat
(``handlers.directory.access``) gets a form to change its text, kind and keywords and a
button to retire it; both run the chat's own handlers (``handlers.directory.edit.change``,
``handlers.directory.organise.retire``), so the role is checked and the text cleaned
the same way, and what they said comes back on the page after the redirect.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.directory_command import COLUMNS, ID
from bot.web.auth import refused, staff_page
from bot.web.chat_actions import said, staff_context
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.notices import redirect_with_notice, take_notice
from bot.web.scope import Viewer
from handlers.context import Context
from handlers.directory import access, categories, edit, organise
from handlers.directory.categories import label
from handlers.directory.limits import limit
from handlers.directory.resident import community_lpu
from storage.models import DirectoryEntry
from storage.uow import UnitOfWork

# The columns ``chinwag directory import`` reads, after the id: the file can go back.
CSV_HEADER = (ID, *COLUMNS)
LIST_PATH = "/directory"


async def _entries(viewer: Viewer, uow: UnitOfWork) -> list[DirectoryEntry]:
    scope = viewer.scope
    if scope is None:
        return []
    return list(await uow.directory.active_for_area(scope.lpu_id, scope.community_id))


@staff_page
async def directory(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    entries = await _entries(viewer, uow)
    if csv_wanted(request):
        return csv_response("chinwag-directory.csv", CSV_HEADER, await _csv_rows(uow, entries))
    shown = [(entry, label(entry.category)) for entry in entries]
    return context.renderer.page(
        "directory.html",
        viewer=viewer,
        page="directory",
        entries=shown,
        may_add=access.may_edit_directory(viewer.user),
        done=await take_notice(viewer, uow, LIST_PATH),
    )


async def _csv_rows(uow: UnitOfWork, entries: list[DirectoryEntry]) -> list[tuple[object, ...]]:
    """Each entry as the import reads it: its area by the slugs of its community or LPU."""
    communities = {c.id: c.slug for c in await uow.communities.all()}
    lpus = {lpu.id: lpu.slug for lpu in await uow.communities.lpus()}
    area = {"community": communities, "lpu": lpus}
    rows = []
    for entry in entries:
        cells: list[object] = [entry.id]
        for column in COLUMNS:
            if column in area:
                cells.append(area[column].get(getattr(entry, f"{column}_id"), ""))
            else:
                cells.append(getattr(entry, column))
        rows.append(tuple(cells))
    return rows


def form_fields() -> list[tuple[str, str, int]]:
    """The entry's typed parts for a form: name, label and longest length."""
    return [(name, edit.field_label(name), limit(name)) for name in edit.FIELDS]


def category_options(current: str = "") -> list[tuple[str, str, bool]]:
    """The kinds to choose from: value, label and whether it is ``current``. A kind
    that is not one of the list ("other") is offered only to the entry that has it,
    so saving its form unchanged keeps it."""
    kinds = list(categories.CATEGORIES)
    if current and current not in kinds:
        kinds.insert(0, current)
    return [(c, label(c), c == current) for c in kinds]


def _form_values(form: FormData) -> dict[str, str]:
    return {name: value for name in edit.FORM_PARTS if isinstance(value := form.get(name), str)}


def entry_path(request: Request) -> str:
    return f"{LIST_PATH}/{request.path_params['entry_id']}"


async def entry_in_scope(request: Request, viewer: Viewer, uow: UnitOfWork) -> DirectoryEntry:
    """The listed entry of the path, if residents of the viewer's area find it; else 404."""
    entry_id = request.path_params["entry_id"]
    for entry in await _entries(viewer, uow):
        if entry.id == entry_id:
            return entry
    raise HTTPException(404)


async def _may_change(
    request: Request, viewer: Viewer, uow: UnitOfWork, entry: DirectoryEntry
) -> bool:
    ctx = staff_context(web(request).deps, uow, viewer.user)
    return access.can_manage(viewer.user, entry, await community_lpu(ctx, entry))


@staff_page
async def entry_page(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    entry = await entry_in_scope(request, viewer, uow)
    return web(request).renderer.page(
        "directory_entry.html",
        viewer=viewer,
        page="directory",
        entry=entry,
        category=label(entry.category),
        fields=form_fields(),
        values={name: getattr(entry, name) for name in edit.FIELDS},
        categories=category_options(entry.category),
        may_change=await _may_change(request, viewer, uow, entry),
        done=await take_notice(viewer, uow, entry_path(request)),
    )


async def _to_change(
    request: Request, viewer: Viewer, uow: UnitOfWork, action: str
) -> tuple[int, Context] | Response:
    """The id of the path's entry and the chat context to change it in, or the
    refusal page when the viewer's role does not look after it."""
    entry = await entry_in_scope(request, viewer, uow)
    assert entry.id is not None
    if not await _may_change(request, viewer, uow, entry):
        return refused(web(request), action, 403, user_id=viewer.user.id, entry_id=entry.id)
    return entry.id, staff_context(web(request).deps, uow, viewer.user)


@staff_page
async def change(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/directory/{id}``: the form's parts, through the chat's handler."""
    found = await _to_change(request, viewer, uow, "directory edit")
    if isinstance(found, Response):
        return found
    entry_id, ctx = found
    replies = await edit.change(ctx, entry_id, _form_values(await request.form()))
    return await redirect_with_notice(request, viewer, uow, entry_path(request), said(replies))


@staff_page
async def retire(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/directory/{id}/retire``: the chat's "Retire" button; back to the list."""
    found = await _to_change(request, viewer, uow, "directory retire")
    if isinstance(found, Response):
        return found
    entry_id, ctx = found
    replies = await organise.retire(ctx, entry_id)
    return await redirect_with_notice(request, viewer, uow, LIST_PATH, said(replies))


@staff_page
async def new_form(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """GET ``/directory/new``: an empty entry to fill in, for a role that adds in the chat."""
    context = web(request)
    if not access.may_edit_directory(viewer.user):
        return refused(context, "directory add", 403, user_id=viewer.user.id)
    return context.renderer.page(
        "directory_new.html",
        viewer=viewer,
        page="directory",
        fields=form_fields(),
        values={},
        categories=category_options(),
    )


@staff_page
async def add(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/directory/new``: the whole entry, through the chat's handler; on to its page."""
    if not access.may_edit_directory(viewer.user):
        return refused(web(request), "directory add", 403, user_id=viewer.user.id)
    values = _form_values(await request.form())
    ctx = staff_context(web(request).deps, uow, viewer.user)
    entry_id, replies = await organise.create(ctx, values.pop("category", ""), values)
    path = LIST_PATH if entry_id is None else f"{LIST_PATH}/{entry_id}"
    return await redirect_with_notice(request, viewer, uow, path, said(replies))
