"""What is organised: the kind of event, and which action group is meeting."""

from __future__ import annotations

from typing import Any

from handlers import roles
from handlers.callbacks import DraftAction
from handlers.context import Context
from handlers.events import render
from handlers.events.organise.access import scope_groups
from handlers.events.organise.buttons import LIST_LIMIT, new_group_button
from handlers.events.organise.draft_buttons import button
from handlers.i18n import _
from handlers.outbound import Button, Text, keyboard
from storage.models import EventDraft


async def kind_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    rows = [
        [button(row, DraftAction.KIND, f"{render.KIND_ICONS[k]} {render.kind_label(k)}", k)]
        for k in roles.allowed_kinds(ctx.user)
    ]
    return Text(
        text=_("<b>New event</b>\n\nWhat kind of event is it?"),
        buttons=keyboard(*rows, nav),
    )


async def group_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    groups = await scope_groups(ctx)
    if not groups:
        return Text(
            text=_(
                "There are no action groups in your area yet. Start one first, "
                "then plan its meetings."
            ),
            buttons=keyboard([new_group_button()], nav),
        )
    rows = [
        [button(row, DraftAction.GROUP, f"🤝 {g.title}"[:60], str(g.id))]
        for g in groups[:LIST_LIMIT]
    ]
    return Text(text=_("Which action group is meeting?"), buttons=keyboard(*rows, nav))
