"""Organisers change an entry in the chat, one part at a time (or on the dashboard,
several at once through ``change``).

The typed parts are asked for as text: ``users.awaiting`` holds
``directory:edit:<entry id>:<field index>`` while the new text is awaited. The
category is chosen with a button, the area with a button or a community's name
typed (``area``). The stored role and area are checked again when the text or the
press arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.context import Context
from handlers.directory import access, area, categories, render
from handlers.directory.buttons import DirectoryAction
from handlers.directory.resident import community_lpu, show_entry
from handlers.directory.typed import PARTS, tidy
from handlers.events.organise.access import refused, refused_notice
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.place_search import Match
from storage.models import DirectoryEntry

Replies = list[OutboundReply]
EDIT_PREFIX = "directory:edit:"
FIELDS = PARTS
FORM_PARTS = (*FIELDS, "category")  # what ``change`` takes


def field_label(field: str) -> str:
    labels = {
        "name": _("Name"),
        "category": _("Category"),
        "area": _("Area"),
        "description": _("Description"),
        "where_when": _("Where and when"),
        "contact": _("Contact"),
        "accessibility": _("Access"),
        "languages": _("Languages"),
        "keywords": _("Keywords"),
    }
    return labels[field]


async def _managed(ctx: Context, entry_id: int) -> DirectoryEntry | None:
    """The active entry, if the stored role may change it now."""
    entry = await ctx.uow.directory.get(entry_id)
    if entry is None or entry.status != "active":
        return None
    if not access.can_manage(ctx.user, entry, await community_lpu(ctx, entry)):
        return None
    return entry


async def choose(ctx: Context, entry_id: int) -> Replies:
    entry = await _managed(ctx, entry_id)
    if entry is None:
        return refused_notice(ctx, "directory edit")
    ctx.user.awaiting = ""  # a part or an area asked for before is not changed by text now
    ctx.uow.session.add(ctx.user)
    rows = [
        [Button(field_label(f), render.button(DirectoryAction.FIELD, entry_id, i))]
        for i, f in enumerate(FIELDS)
    ]
    category = Button(
        field_label("category"), render.button(DirectoryAction.RECATEGORISE, entry_id)
    )
    rows.insert(1, [category])
    if not access.one_area(ctx.user):  # a PCSO's entries stay in their community
        where = Button(field_label("area"), render.button(DirectoryAction.AREA, entry_id))
        rows.insert(2, [where])
    rows.append([Button(_("↩️ Back"), render.button(DirectoryAction.ENTRY, entry_id))])
    text = fmt(_("<b>{name}</b>\n\nWhich part do you want to change?"), name=entry.name)
    return [Text(text=text, buttons=keyboard(*rows))]


def _keywords_prompt(entry: DirectoryEntry) -> str:
    text = fmt(
        _(
            "<b>{name}</b>\n\nType the words residents might search for, separated by "
            "commas. For example “chess, board games, quiz night”."
        ),
        name=entry.name,
    )
    if entry.keywords:
        text += "\n\n" + fmt(_("Now: {keywords}"), keywords=entry.keywords)
    return text


async def ask(ctx: Context, entry_id: int, index: int) -> Replies:
    entry = await _managed(ctx, entry_id)
    if entry is None or not 0 <= index < len(FIELDS):
        return refused_notice(ctx, "directory edit field")
    ctx.user.awaiting = f"{EDIT_PREFIX}{entry_id}:{index}"
    ctx.uow.session.add(ctx.user)
    if FIELDS[index] == "keywords":
        return [Text(text=_keywords_prompt(entry))]
    text = fmt(
        _("<b>{name}</b>\n\nType the new text for “{field}”."),
        name=entry.name,
        field=field_label(FIELDS[index]),
    )
    return [Text(text=text)]


async def on_text(ctx: Context, rest: str, text: str) -> Replies:
    entry_id, _sep, index = rest.partition(":")
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    if not (entry_id.isdigit() and index.isdigit() and int(index) < len(FIELDS)):
        return []
    entry = await _managed(ctx, int(entry_id))
    if entry is None:
        return refused(ctx, "directory edit text")
    field = FIELDS[int(index)]
    value = tidy(field, text)
    if not value:
        return [Notice(text=_("Nothing was changed."))]
    setattr(entry, field, value)
    entry.updated_at = ctx.now()
    await ctx.uow.directory.save(entry)
    return [Text(text=_("✅ Saved.")), *await show_entry(ctx, int(entry_id))]


async def ask_category(ctx: Context, entry_id: int) -> Replies:
    """The categories as buttons, the entry's own marked."""
    entry = await _managed(ctx, entry_id)
    if entry is None:
        return refused_notice(ctx, "directory edit category")
    ctx.user.awaiting = ""  # a part asked for before is not changed by the next message
    ctx.uow.session.add(ctx.user)
    rows = [
        [
            Button(
                ("✔️ " if c == entry.category else "") + categories.label(c),
                render.button(DirectoryAction.SET_CATEGORY, entry_id, i),
            )
        ]
        for i, c in enumerate(categories.CATEGORIES)
    ]
    rows.append([Button(_("↩️ Back"), render.button(DirectoryAction.EDIT, entry_id))])
    text = fmt(
        _("<b>{name}</b>\n\nWhich category is it? ✔️ marks the one it has now."), name=entry.name
    )
    return [Text(text=text, buttons=keyboard(*rows))]


async def set_category(ctx: Context, entry_id: int, index: int) -> Replies:
    entry = await _managed(ctx, entry_id)
    chosen = categories.at(index)
    if entry is None or chosen is None:
        return refused_notice(ctx, "directory set category")
    if entry.category == chosen:
        return [Notice(text=_("Nothing was changed."))]
    entry.category = chosen
    entry.updated_at = ctx.now()
    await ctx.uow.directory.save(entry)
    return [Text(text=_("✅ Saved.")), *await show_entry(ctx, entry_id)]


async def ask_area(
    ctx: Context,
    entry_id: int,
    browse: int = 0,
    found: Sequence[Match] = (),
    note: str = "",
) -> Replies:
    """The areas the person may move the entry to (``area.rows``); a community's
    name typed next is taken too."""
    entry = await _managed(ctx, entry_id)
    rows = None if entry is None else await area.rows(ctx, entry_id, area.of(entry), browse, found)
    if entry is None or rows is None:
        return refused_notice(ctx, "directory edit area")
    ctx.user.awaiting = f"{area.PREFIX}{entry_id}"
    ctx.uow.session.add(ctx.user)
    rows.append([Button(_("↩️ Back"), render.button(DirectoryAction.EDIT, entry_id))])
    heading = fmt("<b>{name}</b>", name=entry.name)
    return [Text(text=area.question(heading, note), buttons=keyboard(*rows))]


async def set_area(ctx: Context, entry_id: int, chosen: area.Area | None) -> Replies:
    """Move the entry to ``chosen`` (``None``: an area the person may not choose)."""
    entry = await _managed(ctx, entry_id)
    if entry is None or chosen is None:
        return refused_notice(ctx, "directory set area")
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    if not area.put(entry, chosen):
        return [Notice(text=_("Nothing was changed."))]
    entry.updated_at = ctx.now()
    await ctx.uow.directory.save(entry)
    return [Text(text=_("✅ Saved.")), *await show_entry(ctx, entry_id)]


async def on_area_text(ctx: Context, rest: str, text: str) -> Replies:
    """A community's name typed for the entry ``rest``."""
    entry = await _managed(ctx, int(rest)) if rest.isdigit() else None
    if entry is None or entry.id is None:
        ctx.user.awaiting = ""
        ctx.uow.session.add(ctx.user)
        return refused(ctx, "directory edit area text")
    found = await area.named(ctx, text)
    if isinstance(found, area.Area):
        return await set_area(ctx, entry.id, found)
    note = _("Which one do you mean?") if found else area.not_found(text)
    return await ask_area(ctx, entry.id, found=found, note=note)


async def change(
    ctx: Context, entry_id: int, values: Mapping[str, str], where: area.Area | None = None
) -> Replies:
    """Change several parts of an entry at once (the dashboard's form: ``FORM_PARTS``,
    and ``where``, an area already read as one the person may choose, as
    ``area_form.chosen`` reads it), with the same role check and cleaning as the chat.
    Unlike the chat, a typed part may be emptied, except the name; a category that is
    not one of the list is left as it was."""
    entry = await _managed(ctx, entry_id)
    if entry is None:
        return refused(ctx, "directory edit form")
    changed = False
    if where is not None:
        changed = area.put(entry, where)
    for field in FIELDS:
        if field not in values:
            continue
        value = tidy(field, values[field])
        if (field == "name" and not value) or getattr(entry, field) == value:
            continue
        setattr(entry, field, value)
        changed = True
    category = values.get("category", "")
    if category in categories.CATEGORIES and category != entry.category:
        entry.category = category
        changed = True
    if not changed:
        return [Notice(text=_("Nothing was changed."))]
    entry.updated_at = ctx.now()
    await ctx.uow.directory.save(entry)
    return [Text(text=fmt(_("✅ Saved “{name}”."), name=entry.name))]
