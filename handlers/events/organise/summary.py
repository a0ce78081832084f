"""The draft read back before it is saved: "Check your event"."""

from __future__ import annotations

from typing import Any

from handlers.callbacks import DraftAction
from handlers.context import Context
from handlers.events import render
from handlers.events.organise.create import OCCURRENCES_AHEAD
from handlers.events.organise.draft_buttons import button
from handlers.events.organise.draft_data import as_int, instant, zone
from handlers.events.organise.place import placement
from handlers.events.organise.wording import long_when, repeat_line
from handlers.i18n import _, _n
from handlers.markup import escape, fmt
from handlers.outbound import Button, Text, keyboard
from storage.models import EventDraft


async def summary_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    tz = zone(data, ctx)
    kind = str(data.get("kind", "other"))
    starts = instant(data.get("starts_at"))
    community, lpu_id, group = await placement(ctx, data)
    lines = [
        _("<b>Check your event</b>"),
        f"{render.KIND_ICONS.get(kind, '📅')} <b>{escape(data.get('title', ''))}</b>\n"
        f"<i>{render.kind_label(kind)}</i>",
    ]
    if starts is not None:
        lines.append(fmt(_("🕒 {when}"), when=long_when(starts, tz)))
        repeat = str(data.get("repeat", "none"))
        if repeat != "none":
            note = fmt(
                _n("({n} date is added now)", "({n} dates are added now)", OCCURRENCES_AHEAD),
                n=OCCURRENCES_AHEAD,
            )
            lines.append(repeat_line(repeat, starts.astimezone(tz), note))
    place = ", ".join(str(data[k]) for k in ("venue", "address") if data.get(k))
    if place:
        lines.append(f"📍 {escape(place)}")
    if data.get("latitude") is not None:
        lines.append(_("🗺 Map location shared"))
    capacity = as_int(data.get("capacity"))
    if capacity is not None:
        lines.append(
            _n("👥 Room for {n} person", "👥 Room for {n} people", capacity).format(n=capacity)
        )
    if data.get("accessibility"):
        lines.append(f"♿ {escape(data['accessibility'])}")
    if data.get("description"):
        lines.append(escape(data["description"]))
    if group is not None:
        lines.append(fmt(_("🤝 Action group: {name}"), name=group.title))
    elif community is not None:
        lines.append(fmt(_("🏘 Community: {name}"), name=community.name))
    elif lpu_id is not None:
        lpu = await ctx.uow.communities.get_lpu(lpu_id)
        if lpu is not None:
            lines.append(fmt(_("🏘 Area: {name}"), name=lpu.name))
    return Text(
        text="\n\n".join(lines),
        buttons=keyboard([button(row, DraftAction.SAVE, _("✅ Save"))], nav),
    )
