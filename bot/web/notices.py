"""What a dashboard form did, shown once on the page it leads to (post/redirect/get).

A form's POST does its work, keeps the lines the chat said about it with the
dashboard session, and answers 303 See Other to the page to show. Reloading that
page then asks for nothing to be sent again, and the lines appear there once. They
are kept for that page's path only, so a page opened in another tab meanwhile does
not show them.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse

from bot.web.context import web
from bot.web.scope import Viewer
from storage.uow import UnitOfWork


async def redirect_with_notice(
    request: Request, viewer: Viewer, uow: UnitOfWork, path: str, lines: list[str]
) -> RedirectResponse:
    """Commit ``lines`` as the notice of ``path`` (under the dashboard's base) and
    send the browser there."""
    viewer.session.notice = json.dumps({"path": path, "lines": lines}) if lines else None
    uow.session.add(viewer.session)
    await uow.commit()
    return RedirectResponse(f"{web(request).base}{path}", status_code=303)


async def take_notice(viewer: Viewer, uow: UnitOfWork, path: str) -> list[str]:
    """The lines kept for ``path``, forgotten as they are read; [] when there are none."""
    kept = viewer.session.notice
    if not kept:
        return []
    lines = notice_lines(kept, path)
    if lines is None:
        return []
    viewer.session.notice = None
    uow.session.add(viewer.session)
    await uow.commit()
    return lines


def notice_lines(kept: str, path: str) -> list[str] | None:
    """The lines of a kept notice for ``path``; ``None`` if it is for another page,
    [] if it cannot be read (it is dropped then)."""
    try:
        notice: Any = json.loads(kept)
    except ValueError:
        return []
    if not isinstance(notice, dict):
        return []
    if notice.get("path") != path:
        return None
    lines = notice.get("lines")
    if not isinstance(lines, list):
        return []
    return [line for line in lines if isinstance(line, str)]
