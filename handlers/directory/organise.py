"""Organisers add and retire directory entries in the chat (or add one whole on the
dashboard, in an area chosen there, through ``create``).

The entry being written is a ``draft`` row in ``directory_entries`` (not memory), one
per person; ``users.awaiting`` says which field the next message fills. The stored
role and area are checked again on every press and every message. After the name
and category comes the area it serves (``area``: the person's own to start with;
not asked of a PCSO, who has one), then every part may be skipped; keywords come
last and are stored as the dashboard and the CSV import store them
(``typed.keywords``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.directory import access, area, categories, render
from handlers.directory.buttons import DirectoryAction
from handlers.directory.limits import MAX_NAME
from handlers.directory.resident import community_lpu, show_entry
from handlers.directory.typed import PARTS, tidy
from handlers.events.organise.access import refused, refused_notice
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.place_search import Match
from storage.models import DirectoryEntry

Replies = list[OutboundReply]
DRAFT_PREFIX = "directory:draft:"
TEXT_FIELDS = PARTS
OPTIONAL = frozenset(TEXT_FIELDS[1:])


def organise_button() -> Button:
    return Button(_("📚 Directory"), render.button(DirectoryAction.ORGANISE))


async def menu(ctx: Context) -> Replies:
    if not access.may_edit_directory(ctx.user):
        return refused(ctx, "directory menu")
    pending = len(await ctx.uow.directory.pending())
    rows = [
        [Button(_("➕ Add an entry"), render.button(DirectoryAction.ADD))],
        [
            Button(
                _("💡 Suggestions from residents ({count})").format(count=pending),
                render.button(DirectoryAction.SUGGESTIONS),
            )
        ],
        [Button(_("📚 What's already here"), render.button(DirectoryAction.HOME))],
        [home_button()],
    ]
    text = _(
        "<b>Directory</b>\n\nClubs, groups, support and advice that residents can find. "
        "To retire an entry, open it and press “Retire”."
    )
    return [Text(text=text, buttons=keyboard(*rows))]


def _ask(ctx: Context, entry: DirectoryEntry, field: str) -> Replies:
    ctx.user.awaiting = DRAFT_PREFIX + field
    ctx.uow.session.add(ctx.user)
    prompts = {
        "name": _("What is it called? Type the name."),
        "description": _("Describe it in a sentence or two: what it does and who it is for."),
        "where_when": _("Where and when? For example “Village hall, Tuesdays 7 to 9pm”."),
        "contact": _("How do people get in touch? A phone number, email or website."),
        "accessibility": _("Anything about access? For example step-free, a hearing loop."),
        "languages": _("Which languages are spoken there?"),
        "keywords": _(
            "Which words might residents search for? Type them separated by commas, "
            "for example “chess, board games, quiz night”."
        ),
    }
    rows: list[list[Button]] = []
    if field in OPTIONAL:
        rows.append([Button(_("⏭ Skip"), render.button(DirectoryAction.SKIP))])
    rows.append([home_button()])
    heading = fmt(_("<b>New entry:</b> {name}"), name=entry.name) if entry.name else ""
    text = f"{heading}\n\n{prompts[field]}".strip()
    return [Text(text=text, buttons=keyboard(*rows))]


def _ask_category(ctx: Context, entry: DirectoryEntry) -> Replies:
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    rows = [
        [Button(categories.label(c), render.button(DirectoryAction.PICK, i))]
        for i, c in enumerate(categories.CATEGORIES)
    ]
    rows.append([home_button()])
    text = fmt(_("<b>New entry:</b> {name}\n\nWhich category is it?"), name=entry.name)
    return [Text(text=text, buttons=keyboard(*rows))]


async def start_draft(ctx: Context, name: str = "", source: str = "chat") -> DirectoryEntry:
    """The person's draft, new or the one they left; ``name`` prefills a new one."""
    draft = await ctx.uow.directory.draft_for(ctx.user_id)
    if draft is None:
        community_id, lpu_id = access.home_area(ctx.user)
        draft = await ctx.uow.directory.add(
            DirectoryEntry(
                name=name[:MAX_NAME],
                status="draft",
                source=source,
                community_id=community_id,
                lpu_id=lpu_id,
                created_by=ctx.user_id,
                created_at=ctx.now(),
                updated_at=ctx.now(),
            )
        )
    elif name:
        draft.name, draft.source = name[:MAX_NAME], source
        await ctx.uow.directory.save(draft)
    return draft


async def next_step(ctx: Context, draft: DirectoryEntry, after: str | None = None) -> Replies:
    """Ask for the first field after ``after`` (all of them when ``None``)."""
    order = ["name", "category", "area", *TEXT_FIELDS[1:]]
    start = 0 if after is None else order.index(after) + 1
    for field in order[start:]:
        if field == "name" and not draft.name:
            return _ask(ctx, draft, "name")
        if field == "category" and draft.category not in categories.CATEGORIES:
            return _ask_category(ctx, draft)
        if field == "area" and not access.one_area(ctx.user):
            return await _ask_area(ctx, draft)
        if field in OPTIONAL:
            return _ask(ctx, draft, field)
    return await _publish(ctx, draft)


async def _publish(ctx: Context, draft: DirectoryEntry) -> Replies:
    draft.status = "active"
    draft.updated_at = ctx.now()
    await ctx.uow.directory.save(draft)
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    assert draft.id is not None
    saved = fmt(_("✅ Saved “{name}”. Residents can find it now."), name=draft.name)
    return [Text(text=saved), *await show_entry(ctx, draft.id)]


async def add(ctx: Context) -> Replies:
    if not access.may_edit_directory(ctx.user):
        return refused_notice(ctx, "directory add")
    draft = await start_draft(ctx)
    return await next_step(ctx, draft)


async def create(
    ctx: Context, category: str, values: Mapping[str, str], where: area.Area | None = None
) -> tuple[int | None, Replies]:
    """A whole entry at once (the dashboard's form, keywords included), listed at once,
    with the chat's role check and cleaning: its id and what to say, or ``None`` and
    why not. It serves ``where``, an area already read as one the person may choose
    (``area_form.chosen``), else the person's own."""
    if not access.may_edit_directory(ctx.user):
        return None, refused(ctx, "directory add form")
    parts = {field: tidy(field, values.get(field, "")) for field in TEXT_FIELDS}
    if not parts["name"]:
        return None, [Notice(text=_("Give the entry a name."))]
    if where is None:
        where = area.Area(*access.home_area(ctx.user))
    entry = DirectoryEntry(
        name=parts["name"],
        category=category if category in categories.CATEGORIES else categories.OTHER,
        status="active",
        source="dashboard",
        community_id=where.community_id,
        lpu_id=where.lpu_id,
        created_by=ctx.user_id,
        created_at=ctx.now(),
        updated_at=ctx.now(),
    )
    for field in OPTIONAL:
        setattr(entry, field, parts[field])
    await ctx.uow.directory.add(entry)
    saved = fmt(_("✅ Saved “{name}”. Residents can find it now."), name=entry.name)
    return entry.id, [Text(text=saved)]


async def _own_draft(ctx: Context) -> DirectoryEntry | None:
    if not access.may_edit_directory(ctx.user):
        return None
    return await ctx.uow.directory.draft_for(ctx.user_id)


async def on_text(ctx: Context, field: str, text: str) -> Replies:
    """A typed answer for the draft's ``field``."""
    draft = await _own_draft(ctx)
    if draft is None or field not in TEXT_FIELDS:
        ctx.user.awaiting = ""
        ctx.uow.session.add(ctx.user)
        return refused(ctx, "directory draft text") if draft is None else []
    value = tidy(field, text)
    if not value:
        return _ask(ctx, draft, field)
    setattr(draft, field, value)
    draft.updated_at = ctx.now()
    await ctx.uow.directory.save(draft)
    return await next_step(ctx, draft, field)


async def pick_category(ctx: Context, index: int) -> Replies:
    draft = await _own_draft(ctx)
    chosen = categories.at(index)
    if draft is None or chosen is None:
        return refused_notice(ctx, "directory category")
    draft.category = chosen
    await ctx.uow.directory.save(draft)
    return await next_step(ctx, draft, "category")


async def _ask_area(
    ctx: Context,
    draft: DirectoryEntry,
    browse: int = 0,
    found: Sequence[Match] = (),
    note: str = "",
) -> Replies:
    rows = await area.rows(ctx, 0, area.of(draft), browse, found)
    if rows is None:
        return refused_notice(ctx, "directory area")
    ctx.user.awaiting = f"{area.PREFIX}0"
    ctx.uow.session.add(ctx.user)
    rows.append([home_button()])
    heading = fmt(_("<b>New entry:</b> {name}"), name=draft.name)
    return [Text(text=area.question(heading, note), buttons=keyboard(*rows))]


async def ask_area(ctx: Context, browse: int = 0) -> Replies:
    """The areas for the draft; ``browse``: an LPU's communities."""
    draft = await _own_draft(ctx)
    if draft is None:
        return refused_notice(ctx, "directory area")
    return await _ask_area(ctx, draft, browse)


async def pick_area(ctx: Context, chosen: area.Area | None) -> Replies:
    """The draft serves ``chosen`` (``None``: an area the person may not choose)."""
    draft = await _own_draft(ctx)
    if draft is None or chosen is None:
        return refused_notice(ctx, "directory pick area")
    if area.put(draft, chosen):
        draft.updated_at = ctx.now()
        await ctx.uow.directory.save(draft)
    return await next_step(ctx, draft, "area")


async def on_area_text(ctx: Context, text: str) -> Replies:
    """A community's name typed for the draft."""
    draft = await _own_draft(ctx)
    if draft is None:
        ctx.user.awaiting = ""
        ctx.uow.session.add(ctx.user)
        return refused(ctx, "directory draft area text")
    found = await area.named(ctx, text)
    if isinstance(found, area.Area):
        return await pick_area(ctx, found)
    note = _("Which one do you mean?") if found else area.not_found(text)
    return await _ask_area(ctx, draft, found=found, note=note)


async def skip(ctx: Context) -> Replies:
    draft = await _own_draft(ctx)
    field = ctx.user.awaiting.removeprefix(DRAFT_PREFIX)
    if draft is None or field not in OPTIONAL:
        return refused_notice(ctx, "directory skip")
    return await next_step(ctx, draft, field)


async def retire(ctx: Context, entry_id: int) -> Replies:
    entry = await ctx.uow.directory.get(entry_id)
    if entry is None or entry.status != "active":
        return [Notice(text=_("That entry is no longer listed."))]
    if not access.can_manage(ctx.user, entry, await community_lpu(ctx, entry)):
        return refused_notice(ctx, "directory retire")
    entry.status = "retired"
    entry.updated_at = ctx.now()
    await ctx.uow.directory.save(entry)
    text = fmt(_("🗄 Retired “{name}”. Residents no longer see it."), name=entry.name)
    return [Text(text=text, buttons=keyboard([organise_button(), home_button()]))]
