"""Moving a resident through a questionnaire. Every change is written as it happens."""

from __future__ import annotations

from handlers.callbacks import Menu, MenuAction, StepAction, StepButton
from handlers.context import Context
from handlers.conversation import render
from handlers.conversation.questionnaire import Questionnaire, Step, StepKind
from handlers.i18n import _
from handlers.language import offer as language_offer
from handlers.markup import fmt
from handlers.officers import lookup
from handlers.officers.messages import outcome_message
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode, row_id
from handlers.text_input import clean
from storage.models import Conversation

Replies = list[OutboundReply]


def home_button() -> Button:
    return Button(_("🏠 Main menu"), encode(Menu(MenuAction.HOME)))


def questionnaire_of(ctx: Context, conv: Conversation) -> Questionnaire:
    return ctx.deps.questionnaires[conv.questionnaire]


def current_step(ctx: Context, conv: Conversation) -> Step:
    questionnaire = questionnaire_of(ctx, conv)
    return questionnaire.step(conv.step) or questionnaire.first


async def show(ctx: Context, conv: Conversation) -> Text:
    """The current step of ``conv``, with whatever it needs from the database.

    Shown, it is what the person is answering now: an older prompt waiting for
    text (``User.awaiting``: a postcode for /officer, a poll's question) is let go.
    """
    ctx.user.awaiting = ""
    questionnaire = questionnaire_of(ctx, conv)
    step = current_step(ctx, conv)
    assert conv.id is not None
    repo = ctx.uow.conversations
    if step.kind is StepKind.REVIEW:
        return render.render_step(questionnaire, conv, step, answers=await repo.answers(conv.id))
    if step.kind is StepKind.COMMUNITY:
        remembered = None
        if ctx.user.community_id is not None:
            community = await ctx.uow.communities.get(ctx.user.community_id)
            if community is not None and community.id is not None:
                remembered = (community.id, community.name)
        lpus = await ctx.uow.communities.lpus()
        return render.render_step(
            questionnaire, conv, step, lpus=lpus, remembered_community=remembered
        )
    current = await repo.answer(conv.id, step.id) if step.is_question else None
    return render.render_step(questionnaire, conv, step, current=current)


async def start(ctx: Context, questionnaire_id: str) -> Replies:
    questionnaire = ctx.deps.questionnaires[questionnaire_id]
    conv = await ctx.uow.conversations.start(
        Conversation(
            user_id=ctx.user_id, questionnaire=questionnaire.id, step=questionnaire.first.id
        )
    )
    return [await show(ctx, conv)]


async def _move(ctx: Context, conv: Conversation, step: Step | None) -> Replies:
    if step is None:
        return []
    conv.step = step.id
    await ctx.uow.conversations.save(conv)
    return [await show(ctx, conv)]


async def advance(ctx: Context, conv: Conversation) -> Replies:
    """On to the next step, or back to the review if the answer was a change from it."""
    questionnaire = questionnaire_of(ctx, conv)
    if conv.reviewing:
        conv.reviewing = False
        return await _move(ctx, conv, questionnaire.steps[-1])
    return await _move(ctx, conv, questionnaire.after(conv.step))


async def back(ctx: Context, conv: Conversation) -> Replies:
    questionnaire = questionnaire_of(ctx, conv)
    if conv.reviewing:
        conv.reviewing = False
        return await _move(ctx, conv, questionnaire.steps[-1])
    previous = questionnaire.before(conv.step)
    if previous is None:
        return [Text(text=_("This is the first step.")), await show(ctx, conv)]
    return await _move(ctx, conv, previous)


async def skip(ctx: Context, conv: Conversation) -> Replies:
    step = current_step(ctx, conv)
    if not step.optional:
        return [
            Text(text=_("This question needs an answer. Type it below.")),
            await show(ctx, conv),
        ]
    assert conv.id is not None
    await ctx.uow.conversations.drop_answer(conv.id, step.id)
    return await advance(ctx, conv)


async def cancel(ctx: Context, conv: Conversation) -> Replies:
    assert conv.id is not None
    await ctx.uow.conversations.drop_answers(conv.id)
    conv.status = "cancelled"
    await ctx.uow.conversations.save(conv)
    return [
        Text(
            text=_("Stopped. Nothing you answered in this conversation has been kept."),
            buttons=keyboard([home_button()]),
        )
    ]


async def submit(ctx: Context, conv: Conversation) -> Replies:
    questionnaire = questionnaire_of(ctx, conv)
    assert conv.id is not None
    answered = {a.question for a in await ctx.uow.conversations.answers(conv.id)}
    missing = [q for q in questionnaire.questions if not q.optional and q.id not in answered]
    if missing:
        conv.reviewing = True
        return [Text(text=_("One answer is still missing.")), *await _move(ctx, conv, missing[0])]
    conv.status = "submitted"
    conv.submitted_at = ctx.now()
    await ctx.uow.conversations.save(conv)
    return [Text(text=questionnaire.done_text(), buttons=keyboard([home_button()]))]


async def on_text(ctx: Context, conv: Conversation, raw: str) -> Replies:
    step = current_step(ctx, conv)
    text = clean(raw)
    assert conv.id is not None
    if step.kind is StepKind.INFO:
        return await advance(ctx, conv)
    if step.kind is StepKind.COMMUNITY:
        return await search_community(ctx, conv, step, text)
    if step.kind in (StepKind.TEXT, StepKind.MULTI) and (
        step.kind is StepKind.TEXT or step.allow_text
    ):
        if not text:
            return [Text(text=_("I could not read that. Please type your answer in words."))]
        if len(text) > step.max_length:
            return [
                Text(
                    text=fmt(
                        _(
                            "That is too long: please keep it under {limit} characters. Yours has {count}."
                        ),
                        limit=step.max_length,
                        count=len(text),
                    )
                )
            ]
        choices: list[str] = []
        if step.kind is StepKind.MULTI:
            existing = await ctx.uow.conversations.answer(conv.id, step.id)
            choices = existing.choice_list() if existing else []
        found = language_offer.read(ctx, text)
        await ctx.uow.conversations.put_answer(
            conv.id,
            step.id,
            text=text,
            choices=choices,
            language=found.language if found else None,
            confidence=found.confidence if found else None,
        )
        replies: Replies = [Text(text=_("✔️ Saved.")), *await advance(ctx, conv)]
        if found is not None and language_offer.worth_offering(ctx, found):
            replies.append(language_offer.offer(ctx, found))
        return replies
    if step.kind is StepKind.CHOICE:
        questionnaire = questionnaire_of(ctx, conv)
        wanted = text.casefold()
        for option in step.options:
            if questionnaire.option_label(step, option).casefold() == wanted:
                return await choose(ctx, conv, step, option.id)
    return [Text(text=_("Please use the buttons below.")), await show(ctx, conv)]


async def choose(ctx: Context, conv: Conversation, step: Step, option_id: str) -> Replies:
    assert conv.id is not None
    if option_id not in {o.id for o in step.options}:
        return [Notice(text=_("That choice is no longer available."))]
    await ctx.uow.conversations.put_answer(conv.id, step.id, choices=[option_id])
    return await advance(ctx, conv)


async def toggle(ctx: Context, conv: Conversation, step: Step, option_id: str) -> Replies:
    assert conv.id is not None
    if option_id not in {o.id for o in step.options}:
        return [Notice(text=_("That choice is no longer available."))]
    existing = await ctx.uow.conversations.answer(conv.id, step.id)
    chosen = existing.choice_list() if existing else []
    chosen = [c for c in chosen if c != option_id] if option_id in chosen else [*chosen, option_id]
    order = [o.id for o in step.options]
    chosen.sort(key=order.index)
    text = existing.text if existing else None
    if chosen or text:
        answer = await ctx.uow.conversations.put_answer(conv.id, step.id, text=text, choices=chosen)
    else:
        await ctx.uow.conversations.drop_answer(conv.id, step.id)
        answer = None
    page = render.render_choices(questionnaire_of(ctx, conv), conv, step, answer)
    return [Edit(text=page.text, buttons=page.buttons)]


async def done(ctx: Context, conv: Conversation, step: Step) -> Replies:
    assert conv.id is not None
    existing = await ctx.uow.conversations.answer(conv.id, step.id)
    if existing is None and not step.optional:
        if step.kind is StepKind.MULTI:
            return [Notice(text=_("Tap at least one choice, or type your own answer."), alert=True)]
        return [Notice(text=_("This question needs an answer. Type it below."), alert=True)]
    return await advance(ctx, conv)


async def consent(ctx: Context, conv: Conversation, step: Step, value: str) -> Replies:
    if value == "no":
        return await cancel(ctx, conv)
    if value not in ("yes", "anon") or (value == "anon" and not step.allow_anonymous):
        return [Notice(text=_("That choice is no longer available."))]
    conv.anonymous = value == "anon"
    return await advance(ctx, conv)


async def pick_community(ctx: Context, conv: Conversation, step: Step, value: str) -> Replies:
    community = await ctx.uow.communities.get(number) if (number := row_id(value)) else None
    if community is None or community.id is None:
        return [Notice(text=_("That community is not in the list any more."))]
    assert conv.id is not None
    await ctx.uow.conversations.put_answer(
        conv.id, step.id, text=community.name, choices=[str(community.id)]
    )
    # Set after the answer is written, so that the conversation's move to the next
    # step writes its community too, in one statement.
    conv.community_id = community.id
    ctx.user.community_id = community.id
    ctx.uow.session.add(ctx.user)
    return [Text(text=fmt(_("📍 {name}: saved."), name=community.name)), *await advance(ctx, conv)]


async def list_lpu(ctx: Context, conv: Conversation, step: Step, value: str) -> Replies:
    lpu = await ctx.uow.communities.get_lpu(number) if (number := row_id(value)) else None
    if lpu is None or lpu.id is None:
        return [Notice(text=_("That area is not in the list any more."))]
    communities = [
        (c.id, c.name) for c in await ctx.uow.communities.in_lpu(lpu.id) if c.id is not None
    ]
    return [
        Edit(
            text=fmt(_("Communities in <b>{area}</b>. Choose yours:"), area=lpu.name),
            buttons=render.community_buttons(conv, step, communities, with_areas=True),
        )
    ]


async def _answer_lookup(
    ctx: Context, conv: Conversation, step: Step, result: lookup.Result
) -> Replies:
    """Use a postcode, location or name lookup to answer the community question."""
    if isinstance(result, lookup.Found):
        return await pick_community(ctx, conv, step, str(result.place.id))
    if isinstance(result, lookup.Choose):
        return [
            Text(
                text=_("Did you mean one of these?"),
                buttons=render.community_buttons(
                    conv, step, [(p.id, p.name) for p in result.places], with_areas=False
                ),
            )
        ]
    return [outcome_message(result.reason), await show(ctx, conv)]


async def search_community(ctx: Context, conv: Conversation, step: Step, text: str) -> Replies:
    """A postcode, or a community's name (typos forgiven)."""
    return await _answer_lookup(ctx, conv, step, await lookup.by_text(ctx, text))


async def on_location(
    ctx: Context, conv: Conversation, latitude: float, longitude: float
) -> Replies:
    step = current_step(ctx, conv)
    if step.kind is not StepKind.COMMUNITY:
        return [Text(text=_("Thank you, but I cannot use that here.")), await show(ctx, conv)]
    return await _answer_lookup(ctx, conv, step, await lookup.by_point(ctx, latitude, longitude))


async def on_button(ctx: Context, conv: Conversation, press: StepButton) -> Replies:
    """A step button; buttons from an older message than the current step are refused."""
    questionnaire = questionnaire_of(ctx, conv)
    step = current_step(ctx, conv)
    if press.conversation != conv.id or press.step != step.id:
        return [Notice(text=_("That button is from an earlier message.")), await show(ctx, conv)]
    action = press.action
    if action is StepAction.BACK:
        return await back(ctx, conv)
    if action is StepAction.SKIP:
        return await skip(ctx, conv)
    if action is StepAction.NEXT and step.kind is StepKind.INFO:
        return await advance(ctx, conv)
    if action is StepAction.CONSENT and step.kind is StepKind.CONSENT:
        return await consent(ctx, conv, step, press.value)
    if action is StepAction.CHOOSE and step.kind is StepKind.CHOICE:
        return await choose(ctx, conv, step, press.value)
    if action is StepAction.TOGGLE and step.kind is StepKind.MULTI:
        return await toggle(ctx, conv, step, press.value)
    if action is StepAction.DONE and step.is_question:
        return await done(ctx, conv, step)
    if step.kind is StepKind.COMMUNITY:
        if action is StepAction.LPU:
            return await list_lpu(ctx, conv, step, press.value)
        if action is StepAction.COMMUNITY:
            return await pick_community(ctx, conv, step, press.value)
        if action is StepAction.AREAS:
            page = await show(ctx, conv)
            return [Edit(text=page.text, buttons=page.buttons)]
    if step.kind is StepKind.REVIEW:
        if action is StepAction.SUBMIT:
            return await submit(ctx, conv)
        target = questionnaire.step(press.value)
        if action is StepAction.EDIT and target is not None and target.is_question:
            conv.reviewing = True
            return await _move(ctx, conv, target)
    return [Notice(text=_("That button does not work here."))]
