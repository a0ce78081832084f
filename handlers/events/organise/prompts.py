"""The steps answered in words: each one's question, with Skip where the step is optional."""

from __future__ import annotations

from typing import Any

from handlers.context import Context
from handlers.events.organise.draft_buttons import skip_row
from handlers.events.organise.steps import OPTIONAL
from handlers.i18n import N_, _
from handlers.outbound import Button, Text, keyboard
from storage.models import EventDraft

PROMPTS = {  # step: its question, translated when it is shown
    "title": N_("What is it called? For example “Tarvin police surgery”."),
    "venue": N_("Where is it? Type the name of the place, e.g. “Tarvin Community Centre”."),
    "address": N_("What is the address?"),
    "capacity": N_("How many people can come? Type a number, or tap Skip if there is no limit."),
    "access": N_(
        "Anything people should know about access? For example “Step-free access, hearing loop”."
    ),
    "desc": N_("Add a short description, if you like: what it is about, who it is for."),
    "gtitle": N_("<b>New action group</b>\n\nWhat is it about? For example “Speeding on the A51”."),
    "gdesc": N_("Describe it in a sentence or two: what the group wants to change."),
}


async def prompt_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    skip = skip_row(row) if row.step in OPTIONAL else []
    return Text(text=_(PROMPTS[row.step]), buttons=keyboard(skip, nav))
