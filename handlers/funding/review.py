"""The organiser's side: applications to review, approve (never above the balance),
decline with a reason, or ask the applicant a question. The stored role is read on
every press: organisers, sergeants and inspectors within their LPU, admins (and
force-wide organisers) everywhere. Every decision is sent to the applicant.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.funding.apply import AWAITING, MAX_TEXT, b, pot_card
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.funding.card import application_body
from handlers.funding.money import money, pence
from handlers.funding.notify import tell
from handlers.i18n import _
from handlers.markup import fmt, fmt_plain
from handlers.outbound import Keyboard, Notice, OutboundReply, Text, keyboard
from handlers.roles import everywhere
from handlers.staff.guard import log_refused
from handlers.text_input import clean
from storage.models import FundingApplication

Replies = list[OutboundReply]
REVIEWERS = frozenset({"organiser", "sergeant", "inspector", "admin"})


def _scope(ctx: Context) -> list[int] | bool | None:
    """``None``: everywhere; a list of LPUs; ``False``: may not review at all."""
    user = ctx.user
    if user.role not in REVIEWERS:
        return False
    if everywhere(user):
        return None
    return [user.role_lpu_id] if user.role_lpu_id is not None else False


async def _may_review(ctx: Context, app: FundingApplication | None) -> bool:
    scope = _scope(ctx)
    if scope is False or app is None:
        return False
    if scope is None:
        return True
    pot = await ctx.uow.funding.pot(app.pot_id)
    return (
        pot is not None and isinstance(scope, list) and await ctx.uow.funding.pot_lpu(pot) in scope
    )


def _refused(ctx: Context, what: str) -> Replies:
    log_refused(ctx, what)
    return [Notice(text=_("You cannot do that."), alert=True)]


async def review_list(ctx: Context) -> Replies:
    scope = _scope(ctx)
    if scope is False:
        log_refused(ctx, "funding review")
        return [Text(text=_("Only organisers, sergeants and inspectors review applications."))]
    pot_ids = await ctx.uow.funding.pots_in_lpus(scope if isinstance(scope, list) else None)
    waiting = await ctx.uow.funding.for_review(pot_ids)
    new_pot = [b(_("➕ Open a pot"), FundingAction.NEW_POT)]
    if not waiting:
        text = _("No applications are waiting for a decision.")
        return [Text(text=text, buttons=keyboard(new_pot))]
    rows = [
        [
            b(
                f"{'❓' if a.status == 'question' else '📄'} {a.project_name}",
                FundingAction.OPEN,
                a.id or 0,
            )
        ]
        for a in waiting[:20]
    ]
    return [Text(text=_("📋 <b>Applications to review</b>"), buttons=keyboard(*rows, new_pot))]


async def show(ctx: Context, app_id: int) -> Replies:
    app = await ctx.uow.funding.application(app_id)
    if app is None or not await _may_review(ctx, app):
        return _refused(ctx, "funding open")
    pot = await ctx.uow.funding.pot(app.pot_id)
    assert pot is not None
    body = application_body(app, with_question=True)
    buttons: Keyboard = ()
    if app.status in ("submitted", "question"):
        offer = min(app.requested_pence, pot.balance_pence)
        buttons = keyboard(
            [
                b(
                    fmt_plain(_("✅ Approve {amount}"), amount=money(offer)),
                    FundingAction.APPROVE,
                    app_id,
                    app.version,
                )
            ]
            if offer > 0
            else [],
            [b(_("💷 Approve another amount"), FundingAction.AMOUNT, app_id)],
            [
                b(_("❌ Decline"), FundingAction.DECLINE, app_id),
                b(_("❓ Ask a question"), FundingAction.ASK, app_id),
            ],
        )
    return [Text(text=f"{await pot_card(ctx, pot)}\n\n{body}", buttons=buttons)]


async def _approve(ctx: Context, app_id: int, amount: int, version: int | None) -> Replies:
    result = await ctx.uow.funding.approve(app_id, amount, ctx.user_id, ctx.now(), version)
    if result.refused == "too_much":
        return [
            Text(text=fmt(_("Only {left} is left in this pot."), left=money(result.balance_pence)))
        ]
    if result.refused is not None:
        return [Text(text=_("That application has already been decided."))]
    app = await ctx.uow.funding.application(app_id)
    assert app is not None

    def compose() -> tuple[str, Keyboard]:
        text = fmt(
            _("✅ Good news: your application “{name}” was approved, for {amount}."),
            name=app.project_name,
            amount=money(amount),
        )
        return text, ()

    await tell(ctx.uow, app.applicant_id, f"funding-decision:{app_id}", ctx.now(), compose)
    _wake(ctx)
    return [
        Text(
            text=fmt(
                _("Approved {amount} for “{name}”. {left} is left in the pot."),
                amount=money(amount),
                name=app.project_name,
                left=money(result.balance_pence),
            )
        )
    ]


def _wake(ctx: Context) -> None:
    if ctx.deps.wake is not None:
        ctx.deps.wake()


async def on_button(ctx: Context, press: FundingButton) -> Replies:
    if press.action is FundingAction.REVIEW:
        return await review_list(ctx)
    app = await ctx.uow.funding.application(press.target)
    if not await _may_review(ctx, app):
        return _refused(ctx, f"funding {press.action.value}")
    assert app is not None
    if press.action is FundingAction.OPEN:
        return await show(ctx, press.target)
    if app.status not in ("submitted", "question"):
        return [Notice(text=_("That application has already been decided."), alert=True)]
    if press.action is FundingAction.APPROVE:
        pot = await ctx.uow.funding.pot(app.pot_id)
        offer = min(app.requested_pence, pot.balance_pence if pot else 0)
        return await _approve(ctx, press.target, offer, press.version)
    prompts = {
        FundingAction.AMOUNT: ("amt", _("How much, in pounds?")),
        FundingAction.DECLINE: ("why", _("Why is it declined? The applicant will see this.")),
        FundingAction.ASK: ("ask", _("What would you like to ask? The applicant will see this.")),
    }
    code, prompt = prompts[press.action]
    ctx.user.awaiting = f"{AWAITING}{code}:{press.target}"
    ctx.uow.session.add(ctx.user)
    return [Text(text=fmt(_("About “{name}”:"), name=app.project_name) + "\n\n" + prompt)]


async def on_text(ctx: Context, code: str, app_id: int, raw: str) -> Replies:
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    app = await ctx.uow.funding.application(app_id)
    if not await _may_review(ctx, app):
        return _refused(ctx, f"funding {code}")
    assert app is not None
    text = clean(raw)
    if not text or len(text) > MAX_TEXT:
        ctx.user.awaiting = f"{AWAITING}{code}:{app_id}"
        return [Text(text=fmt(_("Please send between 1 and {limit} characters."), limit=MAX_TEXT))]
    if code == "amt":
        try:
            amount = pence(text)
        except ValueError:
            ctx.user.awaiting = f"{AWAITING}{code}:{app_id}"
            return [Text(text=_("Please send an amount in pounds, such as 250."))]
        return await _approve(ctx, app_id, amount, None)
    if code == "why":
        if not await ctx.uow.funding.decline(app_id, text, ctx.user_id, ctx.now()):
            return [Text(text=_("That application has already been decided."))]

        def declined() -> tuple[str, Keyboard]:
            note = fmt(
                _("Your application “{name}” was not approved. The reason given: {reason}"),
                name=app.project_name,
                reason=text,
            )
            return note, ()

        await tell(ctx.uow, app.applicant_id, f"funding-decision:{app_id}", ctx.now(), declined)
        _wake(ctx)
        return [
            Text(text=fmt(_("Declined “{name}”. The applicant is told."), name=app.project_name))
        ]
    if not await ctx.uow.funding.ask(app_id, text, ctx.user_id, ctx.now()):
        return [Text(text=_("That application has already been decided."))]

    def asked() -> tuple[str, Keyboard]:
        note = fmt(
            _("❓ The organisers have a question about “{name}”:\n\n{question}"),
            name=app.project_name,
            question=text,
        )
        return note, keyboard([b(_("✍️ Answer"), FundingAction.ANSWER, app_id)])

    key = f"funding-question:{app_id}:{app.version}"
    await tell(ctx.uow, app.applicant_id, key, ctx.now(), asked)
    _wake(ctx)
    return [Text(text=_("Asked. You will be told when they answer."))]
