"""Directory entries serving the viewer's area, as residents find them in the chat
(``uow.directory.active_for_area``: the area's own, its LPU's and the force's).
``/directory.csv`` downloads them, kind and keywords included.

``/directory/new`` adds one whole (``handlers.directory.organise.create``), in the area
chosen on the form, else the person's own. ``/directory/{id}`` shows one. A role that
looks after it in the chat (``handlers.directory.access``) gets a form to change its
text, kind, keywords and area and a button to retire it; both run the chat's own
handlers (``handlers.directory.edit.change``, ``handlers.directory.organise.retire``),
so the role is checked and the text cleaned the same way, and what they said comes
back on the page after the redirect. The "Area" select lists the areas the chat would
offer (``handlers.directory.area_form``); a posted area is read again against the
stored role and the database, and one the person may not choose shows the form
again with an error, with nothing stored.
"""

from __future__ import annotations

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.directory_command import COLUMNS, ID
from bot.web.auth import refused, security_log, staff_page
from bot.web.chat_actions import said, staff_context
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.notices import redirect_with_notice, take_notice
from bot.web.scope import Viewer
from handlers.context import Context
from handlers.directory import access, area_form, categories, edit, organise
from handlers.directory.area import Area
from handlers.directory.area import of as area_of
from handlers.directory.categories import label
from handlers.directory.limits import limit
from handlers.directory.resident import community_lpu
from handlers.i18n import _
from storage.models import DirectoryEntry
from storage.uow import UnitOfWork

# The columns ``chinwag directory import`` reads, after the id: the file can go back.
CSV_HEADER = (ID, *COLUMNS)
LIST_PATH = "/directory"
AREA = "area"  # the form's field: ``area_form.value``
Values = dict[str, str]
AreaOptions = list[tuple[str, list[tuple[str, str, bool]]]]


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
    names = await area_form.names(uow)
    shown = [(entry, label(entry.category), names.of(area_of(entry))) for entry in entries]
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


def _form_values(form: FormData) -> Values:
    return {name: value for name in edit.FORM_PARTS if isinstance(value := form.get(name), str)}


def area_options(groups: list[area_form.Group], current: Area) -> AreaOptions:
    """The "Area" select: each group's heading and its options (value, label and
    whether it is ``current``); [] when the person has no area to choose."""
    selected = area_form.value(current)
    return [
        (g.heading, [(o.value, o.label, o.value == selected) for o in g.options]) for g in groups
    ]


async def posted_area(ctx: Context, form: FormData) -> tuple[Area | None, str]:
    """The area the form chose (``None`` when it sent none: the entry's stays), and
    the error to show instead when it names one the person may not choose."""
    posted = form.get(AREA)
    if posted is None:
        return None, ""
    where = await area_form.chosen(ctx, posted) if isinstance(posted, str) else None
    if where is None:
        extra = {"reason": "directory area", "user_id": ctx.user.id}
        security_log.warning("dashboard request refused", extra=extra)
        return None, _("You cannot choose that area. Choose one from the list; nothing was saved.")
    return where, ""


def _kind(values: Values, current: str = "") -> str:
    """The kind the form chose, if it is one of the list, else ``current``."""
    chosen = values.get("category", "")
    return chosen if chosen in categories.CATEGORIES else current


def entry_path(request: Request) -> str:
    return f"{LIST_PATH}/{request.path_params['entry_id']}"


async def entry_in_scope(request: Request, viewer: Viewer, uow: UnitOfWork) -> DirectoryEntry:
    """The listed entry of the path, if residents of the viewer's area find it; else 404."""
    entry_id = request.path_params["entry_id"]
    for entry in await _entries(viewer, uow):
        if entry.id == entry_id:
            return entry
    raise HTTPException(404)


async def _may_change(ctx: Context, entry: DirectoryEntry) -> bool:
    return access.can_manage(ctx.user, entry, await community_lpu(ctx, entry))


async def _entry_page(
    request: Request,
    viewer: Viewer,
    ctx: Context,
    entry: DirectoryEntry,
    *,
    posted: Values | None = None,
    error: str = "",
) -> Response:
    """The entry's page; ``posted``: a refused form's values, shown again with ``error``."""
    stored = {name: getattr(entry, name) for name in edit.FIELDS}
    may_change = await _may_change(ctx, entry)
    return web(request).renderer.page(
        "directory_entry.html",
        status=400 if error else 200,
        viewer=viewer,
        page="directory",
        entry=entry,
        category=label(entry.category),
        area_name=(await area_form.names(ctx.uow)).of(area_of(entry)),
        fields=form_fields(),
        values={**stored, **(posted or {})},
        categories=category_options(_kind(posted or {}, entry.category)),
        areas=area_options(await area_form.offered(ctx), area_of(entry)) if may_change else [],
        may_change=may_change,
        error=error,
        done=[] if error else await take_notice(viewer, ctx.uow, entry_path(request)),
    )


@staff_page
async def entry_page(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    entry = await entry_in_scope(request, viewer, uow)
    ctx = staff_context(web(request).deps, uow, viewer.user)
    return await _entry_page(request, viewer, ctx, entry)


async def _to_change(
    request: Request, viewer: Viewer, uow: UnitOfWork, action: str
) -> tuple[DirectoryEntry, Context] | Response:
    """The path's entry and the chat context to change it in, or the refusal page
    when the viewer's role does not look after it."""
    entry = await entry_in_scope(request, viewer, uow)
    ctx = staff_context(web(request).deps, uow, viewer.user)
    if not await _may_change(ctx, entry):
        return refused(web(request), action, 403, user_id=viewer.user.id, entry_id=entry.id)
    return entry, ctx


@staff_page
async def change(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/directory/{id}``: the form's parts and area, through the chat's handler."""
    found = await _to_change(request, viewer, uow, "directory edit")
    if isinstance(found, Response):
        return found
    entry, ctx = found
    assert entry.id is not None
    form = await request.form()
    values = _form_values(form)
    where, error = await posted_area(ctx, form)
    if error:
        return await _entry_page(request, viewer, ctx, entry, posted=values, error=error)
    replies = await edit.change(ctx, entry.id, values, where)
    return await redirect_with_notice(request, viewer, uow, entry_path(request), said(replies))


@staff_page
async def retire(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/directory/{id}/retire``: the chat's "Retire" button; back to the list."""
    found = await _to_change(request, viewer, uow, "directory retire")
    if isinstance(found, Response):
        return found
    entry, ctx = found
    assert entry.id is not None
    replies = await organise.retire(ctx, entry.id)
    return await redirect_with_notice(request, viewer, uow, LIST_PATH, said(replies))


async def _new_page(
    request: Request, viewer: Viewer, ctx: Context, posted: Values | None = None, error: str = ""
) -> Response:
    """The form for a new entry, in the person's own area to start with; ``posted``:
    a refused form's values, shown again with ``error``."""
    home = Area(*access.home_area(viewer.user))
    return web(request).renderer.page(
        "directory_new.html",
        status=400 if error else 200,
        viewer=viewer,
        page="directory",
        fields=form_fields(),
        values=posted or {},
        categories=category_options(_kind(posted or {})),
        areas=area_options(await area_form.offered(ctx), home),
        error=error,
    )


@staff_page
async def new_form(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """GET ``/directory/new``: an empty entry to fill in, for a role that adds in the chat."""
    context = web(request)
    if not access.may_edit_directory(viewer.user):
        return refused(context, "directory add", 403, user_id=viewer.user.id)
    return await _new_page(request, viewer, staff_context(context.deps, uow, viewer.user))


@staff_page
async def add(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/directory/new``: the whole entry, in the chosen area, through the chat's
    handler; on to its page."""
    if not access.may_edit_directory(viewer.user):
        return refused(web(request), "directory add", 403, user_id=viewer.user.id)
    form = await request.form()
    values = _form_values(form)
    ctx = staff_context(web(request).deps, uow, viewer.user)
    where, error = await posted_area(ctx, form)
    if error:
        return await _new_page(request, viewer, ctx, values, error)
    entry_id, replies = await organise.create(ctx, values.pop("category", ""), values, where)
    path = LIST_PATH if entry_id is None else f"{LIST_PATH}/{entry_id}"
    return await redirect_with_notice(request, viewer, uow, path, said(replies))
