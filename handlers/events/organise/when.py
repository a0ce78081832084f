"""When it starts: the date-and-time question, the repeated hour's choice, confirming, repeating."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.callbacks import DraftAction
from handlers.context import Context
from handlers.events.dates import Problem, ambiguous_choices
from handlers.events.organise.draft_buttons import button
from handlers.events.organise.draft_data import as_int, instant, zone
from handlers.events.organise.wording import long_when, problem_text, repeat_label
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Text, keyboard
from storage.models import EventDraft


async def when_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    if data.get("mode") == "move":
        event = await ctx.uow.events.get(as_int(data.get("event_id")) or 0)
        if event is not None:
            return Text(
                text=fmt(
                    _(
                        "<b>{title}</b> is on {when}.\n\nWhen should it start instead? "
                        "For example “next Tuesday 6pm” or “14/12 18:30”."
                    ),
                    title=event.title,
                    when=long_when(event.starts_at, zone(data, ctx)),
                ),
                buttons=keyboard(nav),
            )
    return Text(
        text=_("When does it start? For example “next Tuesday 6pm” or “14/12 18:30”."),
        buttons=keyboard(nav),
    )


def which_one_question(
    row: EventDraft,
    problem: Problem,
    wall: datetime,
    tz: ZoneInfo,
    now: datetime,
    nav: list[Button],
) -> Text:
    """A time typed in the hour the clocks go back: a button for each instant still to come."""
    # Compare in UTC: two aware times in one zone compare equal whatever their ``fold``.
    choices = [c.astimezone(UTC) for c in ambiguous_choices(wall, tz) if c.astimezone(UTC) > now]
    labels = (
        _("{time} {zone}, the first time (before the clocks go back)"),
        _("{time} {zone}, the second time (after the clocks go back)"),
    )
    all_choices = ambiguous_choices(wall, tz)
    rows = [
        [
            button(
                row,
                DraftAction.INSTANT,
                labels[i].format(time=f"{c:%H:%M}", zone=c.tzname() or ""),
                str(i),
            )
        ]
        for i, c in enumerate(all_choices)
        if c.astimezone(UTC) in choices
    ]
    return Text(text=problem_text(problem, tz), buttons=keyboard(*rows, nav))


def chosen_instant(data: dict[str, Any], tz: ZoneInfo, value: str) -> datetime | None:
    """The instant a "which one" button means (``None``: the button is stale)."""
    wall_text = data.get("wall")
    try:
        wall = datetime.fromisoformat(wall_text) if isinstance(wall_text, str) else None
        choices = ambiguous_choices(wall, tz) if wall is not None else None
    except ValueError:
        choices = None
    if choices is None or value not in ("0", "1"):
        return None
    return choices[int(value)]


async def confirm_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text | None:
    """``None`` when there is no start time to confirm."""
    starts = instant(data.get("starts_at"))
    if starts is None:
        return None
    return Text(
        text=fmt(_("<b>{when}</b> — is that right?"), when=long_when(starts, zone(data, ctx))),
        buttons=keyboard(
            [
                button(row, DraftAction.YES, _("✅ Yes")),
                button(row, DraftAction.CHANGE, _("✏️ Change")),
            ],
            nav,
        ),
    )


async def repeat_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text | None:
    """``None`` when there is no start time to repeat."""
    starts = instant(data.get("starts_at"))
    if starts is None:
        return None
    local = starts.astimezone(zone(data, ctx))
    icons = {"none": "📅", "weekly": "🔁", "monthly": "🔁"}
    rows = [
        [button(row, DraftAction.REPEAT, f"{icon} {repeat_label(r, local)}", r)]
        for r, icon in icons.items()
    ]
    return Text(text=_("Does it happen again?"), buttons=keyboard(*rows, nav))
