"""Directory entries serving the viewer's area, as residents find them in the chat
(``uow.directory.active_for_area``: the area's own, its LPU's and the force's).
``/directory.csv`` downloads them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import staff_page
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.scope import Viewer
from handlers.directory.categories import label
from storage.uow import UnitOfWork

CSV_HEADER = ("id", "name", "category", "description", "where_when", "contact", "languages")


@staff_page
async def directory(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    scope = viewer.scope
    entries = (
        []
        if scope is None
        else await uow.directory.active_for_area(scope.lpu_id, scope.community_id)
    )
    if csv_wanted(request):
        rows = [
            (e.id, e.name, e.category, e.description, e.where_when, e.contact, e.languages)
            for e in entries
        ]
        return csv_response("chinwag-directory.csv", CSV_HEADER, rows)
    shown = [(entry, label(entry.category)) for entry in entries]
    return context.renderer.page("directory.html", viewer=viewer, page="directory", entries=shown)
