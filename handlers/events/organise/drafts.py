"""A draft's life: starting it, asking its current step, going to a step, /back and /cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from handlers.context import Context
from handlers.events.organise import place, prompts, summary, what, when
from handlers.events.organise.draft_buttons import nav
from handlers.events.organise.draft_data import dump, load
from handlers.events.organise.steps import first_step, previous_step, steps_of
from handlers.i18n import _
from handlers.outbound import Button, OutboundReply, Text
from storage.models import Conversation, EventDraft

Replies = list[OutboundReply]
Question = Callable[[Context, EventDraft, dict[str, Any], list[Button]], Awaitable[Text | None]]

QUESTIONS: dict[str, Question] = {
    **dict.fromkeys(prompts.PROMPTS, prompts.prompt_question),
    "kind": what.kind_question,
    "group": what.group_question,
    "when": when.when_question,
    "confirm": when.confirm_question,
    "repeat": when.repeat_question,
    "location": place.location_question,
    "where": place.where_question,
    "summary": summary.summary_question,
    "glpu": place.group_area_question,
}


async def active_draft(ctx: Context, conv: Conversation | None) -> EventDraft | None:
    """The user's draft, if free text and /back, /cancel, /skip should go to it: when
    there is one and it is newer than the questionnaire ``conv`` (if any)."""
    draft = await ctx.uow.organisers.draft_for(ctx.user_id)
    if draft is None or (conv is not None and conv.updated_at > draft.updated_at):
        return None
    return draft


async def show(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    """The question of the draft's current step, with its buttons; shown, it is what
    the organiser answers now, so an older prompt waiting for text is let go."""
    ctx.user.awaiting = ""
    question = QUESTIONS.get(row.step)
    if question is None:  # an unknown step (an older version's): start the mode again
        row.step = steps_of(data)[0]
        return await show(ctx, row, data)
    text = await question(ctx, row, data, nav(ctx, row, data))
    if text is None:  # nothing to confirm or repeat without a time: ask for one
        return await go(ctx, row, data, "when")
    return [text]


async def ask_again(ctx: Context, row: EventDraft, data: dict[str, Any], text: str) -> Replies:
    """``text``, then the current step's question again."""
    return [Text(text=text), *await show(ctx, row, data)]


async def go(
    ctx: Context, row: EventDraft, data: dict[str, Any], step: str, *, note: str = ""
) -> Replies:
    """Save ``data`` and move the draft to ``step``, then show it."""
    leaving_location = row.step == "location" and step != "location"
    row.step = step
    row.data = dump(data)
    await ctx.uow.organisers.save_draft(row)
    replies: Replies = []
    if leaving_location or note:
        replies.append(Text(text=note or _("✔️ Saved."), remove_reply_keyboard=leaving_location))
    return [*replies, *await show(ctx, row, data)]


async def send_back(
    ctx: Context, row: EventDraft, data: dict[str, Any], step: str, text: str
) -> Replies:
    """``text``, then the draft moved back to ``step``."""
    return [Text(text=text), *await go(ctx, row, data, step)]


async def too_late(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    """The start time has passed while the draft waited: ask for another."""
    text = _("That time has already passed. Please give a date and time to come.")
    return await send_back(ctx, row, data, "when", text)


async def start_draft(ctx: Context, data: dict[str, Any]) -> Replies:
    row = await ctx.uow.organisers.start_draft(ctx.user_id, first_step(ctx.user, data), dump(data))
    return await show(ctx, row, data)


async def back(ctx: Context, row: EventDraft) -> Replies:
    data = load(row)
    previous = previous_step(ctx.user, data, row.step)
    if previous is None:
        return await ask_again(ctx, row, data, _("This is the first step."))
    data.pop("wall", None)
    return await go(ctx, row, data, previous)


async def cancel(ctx: Context, row: EventDraft) -> Replies:
    await ctx.uow.organisers.drop_draft(row)
    return [
        Text(
            text=_("Stopped. Nothing was saved. Send /organise to start again."),
            remove_reply_keyboard=True,
        )
    ]
