"""Typed answers and shared map locations, for the step a draft is on."""

from __future__ import annotations

import re
from typing import Any

from handlers import roles
from handlers.context import Context
from handlers.events.dates import Parsed, parse_when
from handlers.events.organise.access import refused
from handlers.events.organise.advance import advance, skip
from handlers.events.organise.draft_buttons import matching_button, nav, skip_row
from handlers.events.organise.draft_data import dump, load, zone
from handlers.events.organise.drafts import ask_again, go, show
from handlers.events.organise.place import community_by_name
from handlers.events.organise.presses import on_press, pick_community
from handlers.events.organise.steps import OPTIONAL, TEXT_FIELDS
from handlers.events.organise.when import which_one_question
from handlers.events.organise.wording import problem_text
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import OutboundReply, Text, keyboard
from handlers.text_input import clean
from storage.models import EventDraft

Replies = list[OutboundReply]

MIN_TITLE = 3
MAX_CAPACITY = 100_000
_CAPACITY = re.compile(r"([0-9]{1,6})(?:\s+[^\W\d_]+)?")
_SKIP_WORDS = {"skip", "-", "none", "no"}


async def _still_staff(ctx: Context, row: EventDraft) -> bool:
    """Whether the role still organises; if not, the draft is dropped."""
    if roles.is_staff(ctx.user):
        return True
    await ctx.uow.organisers.drop_draft(row)
    return False


async def on_text(ctx: Context, row: EventDraft, raw: str) -> Replies:
    if not await _still_staff(ctx, row):
        return refused(ctx, "draft text")
    data = load(row)
    text = clean(raw)
    step = row.step
    if step in OPTIONAL and text.casefold() in {*_SKIP_WORDS, _("Skip").casefold()}:
        return await skip(ctx, row)
    if step == "when":
        return await _on_when(ctx, row, data, text)
    if step in TEXT_FIELDS:
        key, limit = TEXT_FIELDS[step]
        if not text:
            return await ask_again(ctx, row, data, _("Please type your answer in words."))
        if len(text) > limit:
            return [
                Text(
                    text=fmt(
                        _("That is too long: please keep it under {limit} characters."),
                        limit=limit,
                    )
                )
            ]
        if step in ("title", "gtitle") and len(text) < MIN_TITLE:
            return [Text(text=_("Please give it a name of a few words."))]
        data[key] = text
        return await advance(ctx, row, data)
    if step == "capacity":
        match = _CAPACITY.fullmatch(text)
        number = int(match.group(1)) if match else 0
        if not 1 <= number <= MAX_CAPACITY:
            return [
                Text(
                    text=_("Please type a number of people, such as 30, or tap Skip."),
                    buttons=keyboard(skip_row(row), nav(ctx, row, data)),
                )
            ]
        data["capacity"] = number
        return await advance(ctx, row, data)
    if step == "location":
        return await ask_again(ctx, row, data, _("Please tap “📍 Share location”, or “Skip”."))
    if step == "where" and data.get("kind") == "surgery":
        found = await community_by_name(ctx, text)
        if found is not None:
            return await pick_community(ctx, row, data, found)
    # A typed answer to a step with buttons: the button whose label it is.
    press = matching_button(text, await show(ctx, row, data))
    if press is not None:
        return await on_press(ctx, press, row)
    return await ask_again(ctx, row, data, _("Please use the buttons below."))


async def _on_when(ctx: Context, row: EventDraft, data: dict[str, Any], text: str) -> Replies:
    tz = zone(data, ctx)
    result = parse_when(text, ctx.now(), tz)
    if isinstance(result, Parsed):
        data["starts_at"] = result.utc.isoformat()
        data.pop("wall", None)
        return await go(ctx, row, data, "confirm")
    buttons = nav(ctx, row, data)
    if result.reason == "ambiguous" and result.wall is not None:
        now = ctx.now()
        data["wall"] = result.wall.isoformat()
        row.data = dump(data)
        await ctx.uow.organisers.save_draft(row)
        return [which_one_question(row, result, result.wall, tz, now, buttons)]
    return [Text(text=problem_text(result, tz), buttons=keyboard(buttons))]


async def on_location(ctx: Context, row: EventDraft, latitude: float, longitude: float) -> Replies:
    if not await _still_staff(ctx, row):
        return refused(ctx, "draft location")
    data = load(row)
    if row.step != "location":
        return await ask_again(ctx, row, data, _("Thank you, but I cannot use that here."))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return [Text(text=_("That location is not on the map. Please try again."))]
    data["latitude"], data["longitude"] = latitude, longitude
    return await advance(ctx, row, data, note=_("📍 Location saved."))
