"""Funding applications to review, one application, and the reviewer's decisions.

``/funding`` lists the applications waiting for a decision (``submitted``, or
``question``: asked something) in the pots of the viewer's area, then the latest
decided ones (approved, declined), so a reviewer can look back at an outcome;
``/funding.csv`` the rows to review. ``/funding/{id}`` shows one, with the chat's
four decisions for a role that may review there: approve the amount asked (never
above the pot's balance), approve another amount, decline with a reason, ask a
question. Each runs
the chat's own button or typed-answer handler (``handlers.funding.review``), so
the role is checked the same way, the balance is taken in the same conditional
UPDATE, and the applicant is told through the delivery engine in the same words.
What the chat said about a decision comes back on the application's page
(``bot.web.notices``).
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from bot.web.auth import refused, staff_page
from bot.web.chat_actions import said, staff_context
from bot.web.context import web
from bot.web.csv_export import csv_response, csv_wanted
from bot.web.notices import redirect_with_notice, take_notice
from bot.web.scope import Viewer
from handlers.funding import review
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.funding.money import money
from handlers.funding.status_names import for_staff
from handlers.outbound import OutboundReply
from handlers.payloads import row_id
from handlers.timefmt import when
from storage.models import FundingApplication, FundingPot
from storage.repositories.funding import OPEN_FOR_REVIEW
from storage.uow import UnitOfWork

DECIDED_SHOWN = 50  # the latest outcomes under the list to review
CSV_HEADER = ("id", "project", "pot", "status", "requested_pounds", "submitted_at")
# The chat's typed answers, by the dashboard action that gives one.
TYPED = {"amount": "amt", "decline": "why", "ask": "ask"}
FIELDS = {"amount": "amount", "decline": "reason", "ask": "question"}


status_name = for_staff


async def visible_pots(uow: UnitOfWork, viewer: Viewer) -> dict[int, FundingPot]:
    """The pots of the viewer's area: all, an LPU's (and its communities'), or a
    community's own."""
    scope = viewer.scope
    if scope is None:
        return {}
    pots = {p.id: p for p in await uow.funding.pots() if p.id is not None}
    if scope.community_id is not None:
        return {i: p for i, p in pots.items() if p.community_id == scope.community_id}
    if scope.lpu_id is not None:
        ids = set(await uow.funding.pots_in_lpus([scope.lpu_id]))
        return {i: p for i, p in pots.items() if i in ids}
    return pots


def application_path(request: Request) -> str:
    return f"/funding/{request.path_params['app_id']}"


async def application_in_scope(
    request: Request, viewer: Viewer, uow: UnitOfWork
) -> tuple[FundingApplication, FundingPot]:
    app = await uow.funding.application(request.path_params["app_id"])
    pots = await visible_pots(uow, viewer)
    if app is None or app.pot_id not in pots or app.status == "draft":
        raise HTTPException(404)
    return app, pots[app.pot_id]


@staff_page
async def funding_list(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    pots = await visible_pots(uow, viewer)
    waiting = await uow.funding.for_review(list(pots))
    as_csv = csv_wanted(request)
    if as_csv:
        rows = [
            (
                a.id,
                a.project_name,
                pots[a.pot_id].title,
                a.status,
                f"{a.requested_pence / 100:.2f}",
                a.submitted_at.isoformat() if a.submitted_at else "",
            )
            for a in waiting
        ]
        return csv_response("chinwag-funding.csv", CSV_HEADER, rows)
    tz = context.deps.timezone
    shown = [
        (
            a,
            pots[a.pot_id],
            status_name(a.status),
            money(a.requested_pence),
            when(a.submitted_at, tz) if a.submitted_at else "",
        )
        for a in waiting
    ]
    decided = [
        (
            a,
            pots[a.pot_id],
            status_name(a.status),
            money(a.decided_amount_pence) if a.decided_amount_pence is not None else "",
            when(a.decided_at, tz) if a.decided_at else "",
        )
        for a in await uow.funding.decided(list(pots), limit=DECIDED_SHOWN)
    ]
    return context.renderer.page(
        "funding.html",
        viewer=viewer,
        page="funding",
        applications=shown,
        decided=decided,
    )


async def _detail(
    request: Request,
    viewer: Viewer,
    uow: UnitOfWork,
    *,
    done: list[str] | None = None,
) -> Response:
    context = web(request)
    app, pot = await application_in_scope(request, viewer, uow)
    ctx = staff_context(context.deps, uow, viewer.user)
    open_ = app.status in OPEN_FOR_REVIEW
    may_review = open_ and await review._may_review(ctx, app)  # the chat's own check
    offer = min(app.requested_pence, pot.balance_pence)
    return context.renderer.page(
        "funding_detail.html",
        viewer=viewer,
        page="funding",
        app=app,
        pot=pot,
        area=await uow.funding.area_name(pot),
        status_text=status_name(app.status),
        requested=money(app.requested_pence),
        balance=money(pot.balance_pence),
        total=money(pot.amount_pence),
        decided=money(app.decided_amount_pence) if app.decided_amount_pence is not None else "",
        offer=money(offer) if offer > 0 else "",
        may_review=may_review,
        done=done or [],
    )


@staff_page
async def funding_detail(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    done = await take_notice(viewer, uow, application_path(request))
    return await _detail(request, viewer, uow, done=done)


@staff_page
async def decide(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """POST ``/funding/{id}/{approve|amount|decline|ask}``: the chat's handler does it."""
    context = web(request)
    app, _pot = await application_in_scope(request, viewer, uow)
    action = request.path_params["action"]
    if action != "approve" and action not in TYPED:
        raise HTTPException(404)
    ctx = staff_context(context.deps, uow, viewer.user)
    if not await review._may_review(ctx, app):
        return refused(context, f"funding {action}", 403, user_id=viewer.user.id, app_id=app.id)
    assert app.id is not None
    form = await request.form()
    replies: list[OutboundReply]
    if action == "approve":
        version = form.get("version")
        seen = row_id(version) if isinstance(version, str) else None
        press = FundingButton(FundingAction.APPROVE, app.id, -1 if seen is None else seen)
        replies = await review.on_button(ctx, press)
    else:
        typed = form.get(FIELDS[action])
        awaiting = viewer.user.awaiting  # what the chat is waiting for stays as it was
        replies = await review.on_text(
            ctx, TYPED[action], app.id, typed if isinstance(typed, str) else ""
        )
        viewer.user.awaiting = awaiting
        uow.session.add(viewer.user)
    return await redirect_with_notice(
        request, viewer, uow, application_path(request), said(replies)
    )
