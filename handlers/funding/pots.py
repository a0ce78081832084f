"""An organiser opens a pot in the chat: the LPU, a title, the amount, what it is for,
who can apply and the closing day, one at a time. The pot is kept in the database
as a ``draft`` while it is written (the step is in ``users.awaiting``), and opens
from today when confirmed. The stored role is checked on every step.
"""

from __future__ import annotations

from datetime import date, datetime

from handlers.context import Context
from handlers.funding.apply import AWAITING, MAX_NAME, MAX_TEXT, b, pot_card
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.funding.money import money, pence
from handlers.i18n import N_, _
from handlers.markup import fmt
from handlers.outbound import Edit, Notice, OutboundReply, Text, keyboard
from handlers.roles import everywhere
from handlers.staff.guard import log_refused
from handlers.text_input import clean
from storage.models import FundingPot

Replies = list[OutboundReply]
OPENERS = frozenset({"organiser", "sergeant", "inspector", "admin"})
STEPS = ("title", "amount", "purpose", "criteria", "closes")
PROMPTS = {
    "title": N_("What is the pot called? For example “Chester community fund”."),
    "amount": N_("How much is in it, in pounds? For example 10000."),
    "purpose": N_("What is the money for?"),
    "criteria": N_("Who can apply, and for what?"),
    "closes": N_("What is the last day to apply? For example 31/03/2027."),
}


def _may_open(ctx: Context, lpu_id: int | None) -> bool:
    user = ctx.user
    if user.role not in OPENERS or lpu_id is None:
        return False
    return everywhere(user) or user.role_lpu_id == lpu_id


def _today(ctx: Context) -> date:
    return ctx.now().astimezone(ctx.deps.timezone).date()


async def start(ctx: Context, lpu_id: int) -> Replies:
    """The ➕ button: the organiser's own LPU, or (for the whole force) a choice of LPU."""
    if not lpu_id and ctx.user.role_lpu_id is not None:
        lpu_id = ctx.user.role_lpu_id
    if not lpu_id and everywhere(ctx.user):
        rows = [
            [b(lpu.name, FundingAction.NEW_POT, lpu.id or 0)]
            for lpu in await ctx.uow.communities.lpus()
        ]
        return [Text(text=_("Which LPU is the pot for?"), buttons=keyboard(*rows))]
    if not _may_open(ctx, lpu_id):
        log_refused(ctx, "funding new pot")
        return [Notice(text=_("You cannot do that."), alert=True)]
    today = _today(ctx)
    pot = await ctx.uow.funding.open_pot(
        FundingPot(
            lpu_id=lpu_id, status="draft", created_by=ctx.user_id, opens_on=today, closes_on=today
        )
    )
    assert pot.id is not None
    return _ask(ctx, pot.id, 0)


def _ask(ctx: Context, pot_id: int, step: int) -> Replies:
    ctx.user.awaiting = f"{AWAITING}pt{step}:{pot_id}"
    ctx.uow.session.add(ctx.user)
    head = fmt(_("Step {n} of {total}"), n=step + 1, total=len(STEPS))
    return [Text(text=f"<i>{head}</i>\n\n{_(PROMPTS[STEPS[step]])}")]


def _closing_day(text: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


async def _own_draft(ctx: Context, pot_id: int) -> FundingPot | None:
    pot = await ctx.uow.funding.pot(pot_id)
    if pot is None or pot.status != "draft" or pot.created_by != ctx.user_id:
        return None
    return pot if _may_open(ctx, pot.lpu_id) else None


async def on_text(ctx: Context, step: int, pot_id: int, raw: str) -> Replies:
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    pot = await _own_draft(ctx, pot_id)
    if pot is None or not 0 <= step < len(STEPS):
        log_refused(ctx, "funding pot step")
        return [Text(text=_("You cannot do that."))]
    text = clean(raw)
    limit = MAX_NAME if STEPS[step] == "title" else MAX_TEXT
    if not text or len(text) > limit:
        ctx.user.awaiting = f"{AWAITING}pt{step}:{pot_id}"
        return [Text(text=fmt(_("Please send between 1 and {limit} characters."), limit=limit))]
    name = STEPS[step]
    if name == "amount":
        try:
            pot.amount_pence = pence(text)
        except ValueError:
            ctx.user.awaiting = f"{AWAITING}pt{step}:{pot_id}"
            return [Text(text=_("Please send an amount in pounds, such as 250."))]
    elif name == "closes":
        day = _closing_day(text)
        if day is None or day < pot.opens_on:
            ctx.user.awaiting = f"{AWAITING}pt{step}:{pot_id}"
            return [Text(text=_("Please send a day from today on, such as 31/03/2027."))]
        pot.closes_on = day
    else:
        setattr(pot, name, text)
    ctx.uow.session.add(pot)
    if step + 1 < len(STEPS):
        return _ask(ctx, pot_id, step + 1)
    card = await pot_card(ctx, pot)
    buttons = keyboard(
        [b(_("✅ Open the pot"), FundingAction.OPEN_POT, pot_id)],
        [b(_("✖️ Discard"), FundingAction.DROP_POT, pot_id)],
    )
    return [
        Text(
            text=f"{card}\n\n" + fmt(_("Amount: {amount}"), amount=money(pot.amount_pence)),
            buttons=buttons,
        )
    ]


def _settled_meanwhile() -> Replies:
    """Another press (a double tap on two workers) opened or discarded it first."""
    return [Notice(text=_("That button is out of date."), alert=True)]


async def on_button(ctx: Context, press: FundingButton) -> Replies:
    if press.action is FundingAction.NEW_POT:
        return await start(ctx, press.target)
    pot = await _own_draft(ctx, press.target)
    if pot is None:
        log_refused(ctx, f"funding {press.action.value}")
        return [Notice(text=_("You cannot do that."), alert=True)]
    if press.action is FundingAction.DROP_POT:
        if not await ctx.uow.funding.settle_draft_pot(pot, "discarded"):
            return _settled_meanwhile()
        return [Edit(text=_("Discarded."))]
    opened = await ctx.uow.funding.settle_draft_pot(
        pot, "open", balance_pence=pot.amount_pence, opens_on=min(pot.opens_on, _today(ctx))
    )
    if not opened:
        return _settled_meanwhile()
    return [
        Edit(text=fmt(_("The pot “{title}” is open. Residents can apply now."), title=pot.title))
    ]
