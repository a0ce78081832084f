"""Sessions and CSRF for the dashboard, and the guard every page goes through.

A session is a random id (the same kind of token as staff invitations) in an
HttpOnly, SameSite=Lax cookie, Secure when the dashboard is reached over https;
the database keeps its SHA-256 and a CSRF token, and ends it 8 hours after sign-in
or at sign-out. ``staff_page`` wraps every page: it finds the live session, reads
the user and their role again, speaks their language, checks the CSRF token of
every POST (in constant time), and only then calls the page.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from bot.web.context import WebContext, web
from bot.web.scope import Viewer, language_of, viewer_for
from handlers.i18n import use_locale
from handlers.staff.tokens import is_token, new_invite_token
from storage.uow import UnitOfWork

SESSION_COOKIE = "chinwag_session"
SIGNIN_COOKIE = "chinwag_signin"  # a sign-in form's CSRF token, before there is a session
CSRF_FIELD = "csrf"
SESSION_HOURS = 8
TOUCH_SECONDS = 60  # last_seen_at is written at most once a minute

security_log = logging.getLogger("chinwag.security")

Page = Callable[[Request, Viewer, UnitOfWork], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def new_secret() -> str:
    """A session id or CSRF token: 192 random bits, as staff invitation tokens."""
    return new_invite_token()


def csrf_matches(expected: str, given: object) -> bool:
    return (
        isinstance(given, str)
        and bool(expected)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


async def posted_csrf(request: Request) -> str | None:
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def set_cookie(
    response: Response, context: WebContext, name: str, value: str, seconds: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=seconds,
        path=context.base or "/",
        secure=context.secure_cookies,
        httponly=True,
        samesite="lax",
    )


def clear_cookie(response: Response, context: WebContext, name: str) -> None:
    response.delete_cookie(
        name, path=context.base or "/", secure=context.secure_cookies, httponly=True
    )


def session_expiry(now: datetime) -> datetime:
    return now + timedelta(hours=SESSION_HOURS)


def refused(context: WebContext, reason: str, status: int, **log: object) -> Response:
    """A refusal page that shows nothing of the dashboard, and a warning in the log."""
    security_log.warning("dashboard request refused", extra={"reason": reason, **log})
    return context.renderer.page("refused.html", status=status, reason=reason)


def signed_out(context: WebContext) -> Response:
    return context.renderer.page("signed_out.html", status=401)


def staff_page(page: Page) -> Endpoint:
    """The endpoint for ``page``, behind the session, role and CSRF checks."""
    return _guarded(page, plain=False)


def staff_stream(page: Page) -> Endpoint:
    """As ``staff_page``, for a stream a script reads (the room screen's events):
    a refusal is a short plain-text answer (401 when signed out, 403 otherwise),
    never a page."""
    return _guarded(page, plain=True)


def _plain(reason: str, status: int, **log: object) -> Response:
    if status != 401:
        security_log.warning("dashboard request refused", extra={"reason": reason, **log})
    return PlainTextResponse(reason, status_code=status)


def _guarded(page: Page, *, plain: bool) -> Endpoint:
    async def endpoint(request: Request) -> Response:
        context = web(request)
        deps = context.deps
        now = deps.clock()
        session_id = request.cookies.get(SESSION_COOKIE, "")
        async with deps.uow() as uow:
            session = (
                await uow.dashboard.live_session(session_id, now) if is_token(session_id) else None
            )
            user = await uow.users.get(session.user_id) if session is not None else None
            if session is None or user is None:
                if plain:
                    return _plain("signed out", 401)
                with use_locale(deps.default_locale):
                    return signed_out(context)
            language = language_of(user, deps.supported_locales, deps.default_locale)
            with use_locale(language):
                viewer = await viewer_for(uow, user, session, language)
                if viewer is None:  # no longer staff: the session ends here
                    await uow.dashboard.end_session(session_id, now)
                    await uow.commit()
                    deny = _plain if plain else partial(refused, context)
                    return deny("not staff", 403, user_id=user.id, role=user.role)
                if request.method == "POST" and not csrf_matches(
                    session.csrf_token, await posted_csrf(request)
                ):
                    deny = _plain if plain else partial(refused, context)
                    return deny("csrf", 403, user_id=user.id, path=request.url.path)
                if (now - session.last_seen_at).total_seconds() > TOUCH_SECONDS:
                    session.last_seen_at = now
                    uow.session.add(session)
                    await uow.commit()
                return await page(request, viewer, uow)

    return endpoint
