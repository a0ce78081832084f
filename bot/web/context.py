"""What every dashboard request needs, kept on the Starlette app's ``state.web``."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from bot.web.templating import Renderer
from handlers.context import Deps


@dataclass(frozen=True, slots=True)
class WebContext:
    deps: Deps
    renderer: Renderer
    base: str  # the path prefix of CHINWAG_DASHBOARD_URL, "" at the root of its host
    secure_cookies: bool  # the dashboard is reached over https


def web(request: Request) -> WebContext:
    context: WebContext = request.app.state.web
    return context
