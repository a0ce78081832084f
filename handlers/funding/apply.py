"""A resident's (or action group's) application: the open pots, one question at a
time, each answer saved as given; ``/cancel`` or "save and finish later" keeps the
draft, and ``/funding`` offers to carry on. Also the applicant's answer to a question.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.funding.card import application_body
from handlers.funding.money import money, pence
from handlers.funding.notify import tell
from handlers.i18n import N_, _
from handlers.markup import cut_utf16, escape, fmt, fmt_plain
from handlers.outbound import Button, Edit, Keyboard, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.roles import is_staff
from handlers.text_input import clean
from storage.models import FundingApplication, FundingPot

Replies = list[OutboundReply]
AWAITING = "fd:"  # fd:apply:<id>, fd:ans:<id>, and the organiser's fd:amt/why/ask:<id>
MAX_TEXT = 2000
MAX_NAME = 200
STEPS = (
    "project_name",
    "problem",
    "beneficiaries",
    "cost_breakdown",
    "requested",
    "partners",
    "contact",
)
PROMPTS = {
    "project_name": N_("What is the project called?"),
    "problem": N_("What problem does it tackle?"),
    "beneficiaries": N_("Who will benefit, and roughly how many people?"),
    "cost_breakdown": N_("What will it cost, and what will the money buy? List the main items."),
    "requested": N_("How much are you asking for, in pounds? Up to {left}."),
    "partners": N_("Who are you working with? Send a dash (-) if nobody."),
    "contact": N_("How can the organisers reach you about the project (phone or email)?"),
}


def b(label: str, action: FundingAction, target: int = 0, version: int = 0) -> Button:
    return Button(cut_utf16(label, 60), encode(FundingButton(action, target, version)))


def _set_awaiting(ctx: Context, value: str) -> None:
    ctx.user.awaiting = value
    ctx.uow.session.add(ctx.user)


def _area_line(area: str) -> str:
    return fmt(_("For: {area}"), area=area) if area else ""


async def pot_card(ctx: Context, pot: FundingPot) -> str:
    lines = [
        f"💷 <b>{escape(pot.title)}</b>",
        _area_line(await ctx.uow.funding.area_name(pot)),
        fmt(
            _("{left} left of {amount}. Closes {day}."),
            left=money(pot.balance_pence),
            amount=money(pot.amount_pence),
            day=pot.closes_on.strftime("%d/%m/%Y"),
        ),
    ]
    if pot.purpose:
        lines.append(fmt(_("What it is for: {purpose}"), purpose=pot.purpose))
    if pot.criteria:
        lines.append(fmt(_("Who can apply: {criteria}"), criteria=pot.criteria))
    return "\n".join(line for line in lines if line)


async def home(ctx: Context) -> Replies:
    """``/funding``: drafts to finish, the open pots for your area, your applications."""
    _set_awaiting(ctx, "")
    today = ctx.now().astimezone(ctx.deps.timezone).date()
    pots = await ctx.uow.funding.open_for_person(ctx.user_id, ctx.user.community_id, today)
    mine = await ctx.uow.funding.of_applicant(ctx.user_id)
    rows: list[list[Button]] = []
    for app in mine:
        if app.status == "draft" and app.id is not None:
            name = app.project_name or _("your application")
            rows.append(
                [b(fmt_plain(_("▶️ Carry on: {name}"), name=name), FundingAction.RESUME, app.id)]
            )
    rows += [[b(f"💷 {p.title}", FundingAction.POT, p.id or 0)] for p in pots[:10]]
    if is_staff(ctx.user):
        rows.append([b(_("📋 Applications to review"), FundingAction.REVIEW)])
    text = [_("💷 <b>Funding for local projects</b>")]
    if pots:
        text.append(_("Money seized from criminals pays for local projects. Open pots for you:"))
    elif ctx.user.community_id is None:
        text.append(_("No pots are open for you yet. Send /officer to set your community."))
    else:
        text.append(_("No pots are open for your area just now."))
    sent = [a for a in mine if a.status != "draft"]
    if sent:
        lines = [f"• {escape(a.project_name)}: {status_name(a.status)}" for a in sent]
        text.append("\n".join([_("Your applications:"), *lines]))
    return [Text(text="\n\n".join(text), buttons=keyboard(*rows))]


def status_name(status: str) -> str:
    names = {
        "submitted": _("sent, waiting for a decision"),
        "question": _("the organisers asked a question"),
        "approved": _("approved"),
        "declined": _("not approved"),
        "withdrawn": _("withdrawn"),
    }
    return names.get(status, status)


async def show_pot(ctx: Context, pot_id: int) -> Replies:
    pot = await ctx.uow.funding.pot(pot_id)
    today = ctx.now().astimezone(ctx.deps.timezone).date()
    open_ids = {
        p.id
        for p in await ctx.uow.funding.open_for_person(ctx.user_id, ctx.user.community_id, today)
    }
    if pot is None or pot.id not in open_ids:
        return [Notice(text=_("That pot is not open for you."), alert=True)]
    return [
        Text(
            text=await pot_card(ctx, pot),
            buttons=keyboard([b(_("✍️ Apply"), FundingAction.APPLY, pot_id)]),
        )
    ]


async def start(ctx: Context, pot_id: int) -> Replies:
    today = ctx.now().astimezone(ctx.deps.timezone).date()
    pots = await ctx.uow.funding.open_for_person(ctx.user_id, ctx.user.community_id, today)
    pot = next((p for p in pots if p.id == pot_id), None)
    if pot is None:
        return [Notice(text=_("That pot is not open for you."), alert=True)]
    groups = [g for g in await ctx.uow.funding.member_groups(ctx.user_id)]
    lpu = await ctx.uow.funding.pot_lpu(pot)
    group = next((g for g in groups if g.lpu_id == lpu), None)
    # "Apply" pressed again, or twice at once on two workers: one draft, carried on with.
    app = await ctx.uow.funding.start_draft(
        FundingApplication(
            pot_id=pot_id,
            applicant_id=ctx.user_id,
            action_group_id=group.id if group else None,
            step=STEPS[0],
        )
    )
    return await ask_step(ctx, app)


def _prompt(step: str, pot: FundingPot | None) -> str:
    if step == "requested":
        return fmt(_(PROMPTS[step]), left=money(pot.balance_pence if pot else 0))
    return _(PROMPTS[step])


async def ask_step(ctx: Context, app: FundingApplication) -> Replies:
    assert app.id is not None
    if app.step not in STEPS:
        return [await summary(ctx, app)]
    _set_awaiting(ctx, f"{AWAITING}apply:{app.id}")
    pot = await ctx.uow.funding.pot(app.pot_id)
    number = STEPS.index(app.step) + 1
    head = fmt(_("Step {n} of {total}"), n=number, total=len(STEPS))
    text = f"<i>{head}</i>\n\n{_prompt(app.step, pot)}\n\n" + _(
        "Send /cancel to save it and finish later."
    )
    return [
        Text(
            text=text,
            buttons=keyboard([b(_("💾 Save and finish later"), FundingAction.LATER, app.id)]),
        )
    ]


async def _own_draft(ctx: Context, app_id: int) -> FundingApplication | None:
    app = await ctx.uow.funding.application(app_id)
    if app is None or app.applicant_id != ctx.user_id or app.status != "draft":
        return None
    return app


async def on_answer(ctx: Context, app_id: int, raw: str) -> Replies:
    app = await _own_draft(ctx, app_id)
    if app is None or app.step not in STEPS:
        _set_awaiting(ctx, "")
        return [Text(text=_("That application is not being written. Send /funding."))]
    text = clean(raw)
    limit = MAX_NAME if app.step == "project_name" else MAX_TEXT
    if not text or len(text) > limit:
        return [Text(text=fmt(_("Please send between 1 and {limit} characters."), limit=limit))]
    if app.step == "requested":
        pot = await ctx.uow.funding.pot(app.pot_id)
        left = pot.balance_pence if pot else 0
        try:
            amount = pence(text)
        except ValueError:
            amount = 0
        if not 0 < amount <= left:
            return [
                Text(
                    text=fmt(
                        _("Please send an amount up to {left}, such as 250."), left=money(left)
                    )
                )
            ]
        app.requested_pence = amount
    elif app.step == "partners" and text in ("-", "–", "—"):
        app.partners = ""
    else:
        setattr(app, app.step, text)
    index = STEPS.index(app.step) + 1
    app.step = STEPS[index] if index < len(STEPS) else "review"
    await ctx.uow.funding.save_draft(app)
    if app.step == "review":
        _set_awaiting(ctx, "")
        return [await summary(ctx, app)]
    return await ask_step(ctx, app)


async def summary(ctx: Context, app: FundingApplication) -> Text:
    assert app.id is not None
    pot = await ctx.uow.funding.pot(app.pot_id)
    body = application_body(app)
    title = fmt(_("Your application to {pot}"), pot=pot.title if pot else "")
    buttons: Keyboard = keyboard(
        [b(_("📨 Send it"), FundingAction.SUBMIT, app.id)],
        [b(_("💾 Save and finish later"), FundingAction.LATER, app.id)],
    )
    return Text(text=f"💷 <b>{title}</b>\n\n{body}", buttons=buttons)


async def later(ctx: Context, app_id: int) -> Replies:
    app = await _own_draft(ctx, app_id)
    _set_awaiting(ctx, "")
    if app is None:
        return [Notice(text=_("That application is not being written."), alert=True)]
    return [Text(text=_("Saved. Send /funding when you want to carry on."))]


async def resume(ctx: Context, app_id: int) -> Replies:
    app = await _own_draft(ctx, app_id)
    if app is None:
        return [Notice(text=_("That application is not being written."), alert=True)]
    return await ask_step(ctx, app)


async def submit(ctx: Context, app_id: int) -> Replies:
    app = await _own_draft(ctx, app_id)
    if app is None or app.step != "review":
        return [Notice(text=_("That application is not ready to send."), alert=True)]
    app.status, app.submitted_at = "submitted", ctx.now()
    ctx.uow.session.add(app)
    _set_awaiting(ctx, "")
    return [
        Edit(
            text=fmt(
                _("Sent: “{name}”. The organisers will look at it, and you will be told here."),
                name=app.project_name,
            )
        )
    ]


async def start_answer(ctx: Context, app_id: int) -> Replies:
    app = await ctx.uow.funding.application(app_id)
    if app is None or app.applicant_id != ctx.user_id or app.status != "question":
        return [Notice(text=_("There is no question to answer."), alert=True)]
    _set_awaiting(ctx, f"{AWAITING}ans:{app_id}")
    return [Text(text=fmt(_("Send your answer to: {question}"), question=app.question))]


async def on_reply(ctx: Context, app_id: int, raw: str) -> Replies:
    """The applicant's answer goes back to the application; the organiser is told."""
    _set_awaiting(ctx, "")
    app = await ctx.uow.funding.application(app_id)
    text = clean(raw)
    if app is None or app.applicant_id != ctx.user_id or app.status != "question":
        return [Text(text=_("There is no question to answer."))]
    if not text or len(text) > MAX_TEXT:
        _set_awaiting(ctx, f"{AWAITING}ans:{app_id}")
        return [Text(text=fmt(_("Please send between 1 and {limit} characters."), limit=MAX_TEXT))]
    await ctx.uow.funding.answer(app_id, text)

    def compose() -> tuple[str, Keyboard]:
        note = fmt(
            _("💬 An answer about “{name}”:\n\n{answer}"), name=app.project_name, answer=text
        )
        return note, keyboard([b(_("Open the application"), FundingAction.OPEN, app_id)])

    await tell(
        ctx.uow, app.decided_by, f"funding-answer:{app_id}:{app.version}", ctx.now(), compose
    )
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    return [Text(text=_("Thank you. Your answer has gone to the organisers."))]
