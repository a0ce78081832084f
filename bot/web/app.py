"""The dashboard's Starlette application, built from the bot's ``App``.

    create_web_app(app)  # serve it with bot.web.server, or test it with TestClient

Routes (every one but sign-in and the static files behind ``auth.staff_page``):

    GET  /                  the overview         (?format=csv)
    GET  /answers           answers and themes, with filters (?format=csv)
    GET  /answers/report.{html,md,csv,json}  the report of those filters
    GET  /events            upcoming events      (?format=csv, or /events.csv)
    GET  /events/{id}       one event: RSVPs, check-ins, the QR code to print
    GET  /events/{id}/cancel  asks to confirm; POST cancels it as the chat does
    GET  /events/{id}/cancel-series  the same for every date still to come of its series
    GET  /groups            action groups (/groups.csv); /groups/{id} its members (?format=csv)
    GET  /polls             polls (/polls.csv); /polls/{id} its results (?format=csv)
    GET  /broadcasts        the audit trail with delivery progress (/broadcasts.csv)
    GET  /directory         directory entries for the area (/directory.csv)
    GET  /directory/new     a form for a new entry; POST adds it as the chat does
    GET  /directory/{id}    one; POST changes it (area too); POST /directory/{id}/retire retires it
    GET  /staff             staff and invitations, admins only (/staff.csv)
    GET  /funding           applications to review (?format=csv, or /funding.csv)
    GET  /funding/{id}      one; POST /funding/{id}/approve|amount|decline|ask decides
    GET  /room              the Community Conversations on now, for the room screen
    GET  /room/{id}         the room screen (/stream: its server-sent events)
    POST /room/{id}/poll    the top themes into the priority poll (/close closes it)
    GET  /signin/{token}    the "Sign in" button for a link from /dashboard
    POST /signin/{token}    use the link, start a session
    POST /signout           end the session
    GET  /signed-out        "you have signed out"
    GET  /static/...        the style sheet
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.applications import Starlette
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from bot.bootstrap import App
from bot.web.context import WebContext, web
from bot.web.headers import SecurityHeaders
from bot.web.pages import (
    answers,
    broadcasts,
    directory,
    event_detail,
    events,
    funding,
    groups,
    overview,
    polls,
    room,
    signin,
    staff,
)
from bot.web.templating import STATIC, Renderer
from handlers.i18n import use_locale
from handlers.payloads import row_id


class RowId(Convertor[int]):
    """``{name:id}`` in a path: a row's id. Unlike Starlette's ``int``, a number no id
    column can hold (PostgreSQL refuses to compare one, and the page failed) is read
    as 0, which is no row's id, so the page says it is not there."""

    regex = "[0-9]{1,10}"

    def convert(self, value: str) -> int:
        return row_id(value) or 0

    def to_string(self, value: int) -> str:
        return str(int(value))


register_url_convertor("id", RowId())


async def _http_error(request: Request, exc: Exception) -> Response:
    """Our own page for 404 and 405, in the default language, with no data."""
    context = web(request)
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    with use_locale(context.deps.default_locale):
        return context.renderer.page("error.html", status=status, code=status)


def create_web_app(app: App) -> Starlette:
    parts = urlsplit(app.settings.dashboard_url)
    base = parts.path.rstrip("/")
    context = WebContext(
        deps=app.deps,
        renderer=Renderer(base),
        base=base,
        secure_cookies=parts.scheme == "https",
    )
    routes = [
        Route("/", overview.overview),
        Route("/answers", answers.answers),
        Route("/answers/report.{fmt}", answers.report_download),
        Route("/events", events.events),
        Route("/events.csv", events.events),
        Route("/events/{event_id:id}", event_detail.event_detail),
        Route("/events/{event_id:id}/cancel", event_detail.cancel_form, methods=["GET"]),
        Route("/events/{event_id:id}/cancel", event_detail.cancel, methods=["POST"]),
        Route(
            "/events/{event_id:id}/cancel-series",
            event_detail.cancel_series_form,
            methods=["GET"],
        ),
        Route("/events/{event_id:id}/cancel-series", event_detail.cancel_series, methods=["POST"]),
        Route("/groups", groups.groups),
        Route("/groups.csv", groups.groups),
        Route("/groups/{group_id:id}", groups.group),
        Route("/polls", polls.polls),
        Route("/polls.csv", polls.polls),
        Route("/polls/{poll_id:id}", polls.poll),
        Route("/broadcasts", broadcasts.broadcasts),
        Route("/broadcasts.csv", broadcasts.broadcasts),
        Route("/directory", directory.directory),
        Route("/directory.csv", directory.directory),
        Route("/directory/new", directory.new_form, methods=["GET"]),
        Route("/directory/new", directory.add, methods=["POST"]),
        Route("/directory/{entry_id:id}", directory.entry_page, methods=["GET"]),
        Route("/directory/{entry_id:id}", directory.change, methods=["POST"]),
        Route("/directory/{entry_id:id}/retire", directory.retire, methods=["POST"]),
        Route("/staff", staff.staff),
        Route("/staff.csv", staff.staff),
        Route("/funding", funding.funding_list),
        Route("/funding.csv", funding.funding_list),
        Route("/funding/{app_id:id}", funding.funding_detail),
        Route("/funding/{app_id:id}/{action}", funding.decide, methods=["POST"]),
        Route("/room", room.room_index),
        Route("/room/{event_id:id}", room.room),
        Route("/room/{event_id:id}/stream", room.room_stream),
        Route("/room/{event_id:id}/poll", room.priority_poll, methods=["POST"]),
        Route("/room/{event_id:id}/close", room.close_poll, methods=["POST"]),
        Route("/signin/{token}", signin.signin_form, methods=["GET"]),
        Route("/signin/{token}", signin.signin, methods=["POST"]),
        Route("/signout", signin.signout, methods=["POST"]),
        Route("/signed-out", signin.signed_out_page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
    web_app = Starlette(
        routes=routes,
        middleware=[Middleware(SecurityHeaders)],
        exception_handlers={HTTPException: _http_error},
    )
    web_app.state.web = context
    return web_app
