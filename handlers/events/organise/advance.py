"""A draft moving on after an answer: to its next step, or, at a group draft's end, the new group."""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.events.organise.draft_data import load
from handlers.events.organise.drafts import ask_again, go
from handlers.events.organise.groups import create_group
from handlers.events.organise.steps import OPTIONAL, fields_of, next_step
from handlers.i18n import _
from handlers.outbound import OutboundReply
from storage.models import EventDraft

Replies = list[OutboundReply]


async def advance(
    ctx: Context, row: EventDraft, data: dict[str, Any], *, note: str = ""
) -> Replies:
    step = next_step(ctx.user, data, row.step)
    if step is None:  # the last step of a group draft
        return await create_group(ctx, row, data)
    return await go(ctx, row, data, step, note=note)


async def skip(ctx: Context, row: EventDraft) -> Replies:
    """``/skip``: an optional step's answer cleared, and on to the next."""
    data = load(row)
    if row.step not in OPTIONAL:
        return await ask_again(ctx, row, data, _("This needs an answer."))
    for key in fields_of(row.step):
        data.pop(key, None)
    return await advance(ctx, row, data)
