"""Where funding's commands, buttons and typed answers go."""

from __future__ import annotations

from handlers.context import Context
from handlers.funding import apply, pots, review
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.i18n import _
from handlers.outbound import Button, OutboundReply, Text

Replies = list[OutboundReply]
AWAITING = apply.AWAITING
_RESIDENT = {
    FundingAction.HOME: lambda ctx, _id: apply.home(ctx),
    FundingAction.POT: apply.show_pot,
    FundingAction.APPLY: apply.start,
    FundingAction.RESUME: apply.resume,
    FundingAction.SUBMIT: apply.submit,
    FundingAction.LATER: apply.later,
    FundingAction.ANSWER: apply.start_answer,
}


def awaiting(ctx: Context) -> tuple[str, int] | None:
    """What typed text means in funding now: (``apply``/``ans``/``amt``/``why``/``ask``, id)."""
    if not ctx.user.awaiting.startswith(AWAITING):
        return None
    code, _sep, target = ctx.user.awaiting.removeprefix(AWAITING).partition(":")
    return (code, int(target)) if target.isdigit() else None


async def on_button(ctx: Context, press: FundingButton) -> Replies:
    handler = _RESIDENT.get(press.action)
    if handler is not None:
        return await handler(ctx, press.target)
    if press.action in (FundingAction.NEW_POT, FundingAction.OPEN_POT, FundingAction.DROP_POT):
        return await pots.on_button(ctx, press)
    return await review.on_button(ctx, press)


async def on_text(ctx: Context, text: str) -> Replies:
    waiting = awaiting(ctx)
    assert waiting is not None
    code, target = waiting
    if code == "apply":
        return await apply.on_answer(ctx, target, text)
    if code == "ans":
        return await apply.on_reply(ctx, target, text)
    if code.startswith("pt") and code[2:].isdigit():
        return await pots.on_text(ctx, int(code[2:]), target, text)
    return await review.on_text(ctx, code, target, text)


async def on_cancel(ctx: Context) -> Replies:
    """``/cancel`` while applying saves the draft; elsewhere it drops what was asked."""
    waiting = awaiting(ctx)
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    if waiting is not None and waiting[0] == "apply":
        return await apply.later(ctx, waiting[1])
    return [Text(text=_("Cancelled."))]


def menu_button() -> Button:
    """The main menu's row for residents."""
    return apply.b(_("💷 Funding for local projects"), FundingAction.HOME)


def review_button() -> Button:
    """The organiser menu's row."""
    return apply.b(_("💷 Funding applications"), FundingAction.REVIEW)


async def home(ctx: Context) -> Replies:
    """``/funding``."""
    return await apply.home(ctx)
