"""Signing in with a link from ``/dashboard``, and signing out.

``GET /signin/{token}`` only shows a "Sign in" button (a link preview or a mail
scanner that fetches the link does not use it up); the button's POST, with the
CSRF token of that form (double-submitted: a cookie and a hidden field), uses the
link in one conditional UPDATE and starts a session. An unknown link is refused
with 403, a used or expired one with 410; neither shows anything else.
"""

from __future__ import annotations

import logging
from datetime import datetime

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.web.auth import (
    SESSION_COOKIE,
    SESSION_HOURS,
    SIGNIN_COOKIE,
    clear_cookie,
    csrf_matches,
    new_secret,
    posted_csrf,
    refused,
    session_expiry,
    set_cookie,
    staff_page,
)
from bot.web.context import WebContext, web
from bot.web.scope import Viewer, language_of
from handlers.i18n import use_locale
from handlers.roles import is_staff
from handlers.staff.dashboard import LINK_MINUTES
from handlers.staff.tokens import is_token
from storage.models import DashboardLink
from storage.uow import UnitOfWork

log = logging.getLogger("chinwag.web")


def problem_with(link: DashboardLink | None, now: datetime) -> tuple[str, int] | None:
    """Why a link cannot sign in, and the status that says so; ``None`` if it can."""
    if link is None:
        return "unknown link", 403
    if link.used_at is not None:
        return "used link", 410
    if link.expires_at <= now:
        return "expired link", 410
    return None


async def _language(context: WebContext, uow: UnitOfWork, link: DashboardLink | None) -> str:
    deps = context.deps
    user = await uow.users.get(link.user_id) if link is not None else None
    if user is None:
        return deps.default_locale
    return language_of(user, deps.supported_locales, deps.default_locale)


async def signin_form(request: Request) -> Response:
    context = web(request)
    token = request.path_params["token"]
    now = context.deps.clock()
    async with context.deps.uow() as uow:
        link = await uow.dashboard.link(token) if is_token(token) else None
        language = await _language(context, uow, link)
    with use_locale(language):
        problem = problem_with(link, now)
        if problem is not None:
            reason, status = problem
            return refused(context, reason, status, link_id=link.id if link else None)
        csrf = new_secret()
        response = context.renderer.page(
            "signin.html", csrf=csrf, action=f"{context.base}/signin/{token}"
        )
        set_cookie(response, context, SIGNIN_COOKIE, csrf, LINK_MINUTES * 60)
        return response


async def signin(request: Request) -> Response:
    context = web(request)
    deps = context.deps
    token = request.path_params["token"]
    now = deps.clock()
    with use_locale(deps.default_locale):
        if not csrf_matches(request.cookies.get(SIGNIN_COOKIE, ""), await posted_csrf(request)):
            return refused(context, "csrf", 403, path="/signin")
    async with deps.uow() as uow:
        user_id = await uow.dashboard.use_link(token, now) if is_token(token) else None
        if user_id is None:
            link = await uow.dashboard.link(token) if is_token(token) else None
            with use_locale(await _language(context, uow, link)):
                reason, status = problem_with(link, now) or ("used link", 410)  # used just now
                return refused(context, reason, status, link_id=link.id if link else None)
        user = await uow.users.get(user_id)
        if user is None or not is_staff(user):
            await uow.commit()  # the link is used up all the same
            with use_locale(deps.default_locale):
                return refused(context, "not staff", 403, user_id=user_id)
        earlier = request.cookies.get(SESSION_COOKIE, "")
        if is_token(earlier):  # a session this browser had before ends: one at a time
            await uow.dashboard.end_session(earlier, now)
        session_id, csrf = new_secret(), new_secret()
        await uow.dashboard.start_session(
            session_id, user_id=user_id, csrf_token=csrf, now=now, expires_at=session_expiry(now)
        )
        await uow.commit()
    log.info("dashboard signed in", extra={"user_id": user_id, "role": user.role})
    response = RedirectResponse(f"{context.base}/", status_code=303)
    set_cookie(response, context, SESSION_COOKIE, session_id, SESSION_HOURS * 3600)
    clear_cookie(response, context, SIGNIN_COOKIE)
    return response


@staff_page
async def signout(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    await uow.dashboard.end_session(request.cookies.get(SESSION_COOKIE, ""), context.deps.clock())
    await uow.commit()
    log.info("dashboard signed out", extra={"user_id": viewer.user.id})
    response = RedirectResponse(f"{context.base}/signed-out", status_code=303)
    clear_cookie(response, context, SESSION_COOKIE)
    return response


async def signed_out_page(request: Request) -> Response:
    context = web(request)
    with use_locale(context.deps.default_locale):
        return context.renderer.page("signed_out.html", farewell=True)
