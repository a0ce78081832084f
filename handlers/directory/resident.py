"""``/directory`` and "📚 What's already here": browse by category, or search by typing."""

from __future__ import annotations

from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.directory import access, categories, render
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.directory.search import Place, rank, search
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.text_input import clean
from storage.models import DirectoryEntry

Replies = list[OutboundReply]
AWAITING = "directory:search"  # what the resident types next is a search
MAX_QUERY = 200


def menu_button() -> Button:
    return Button(_("📚 What's already here"), render.button(DirectoryAction.HOME))


def _back_row() -> list[Button]:
    return [Button(_("📚 All categories"), render.button(DirectoryAction.HOME)), home_button()]


async def _place(ctx: Context) -> tuple[Place, dict[int, int]]:
    lpu_of = {c.id: c.lpu_id for c in await ctx.uow.communities.all() if c.id is not None}
    community_id = ctx.user.community_id
    lpu_id = lpu_of.get(community_id) if community_id is not None else None
    return Place(community_id, lpu_id), lpu_of


def _await_search(ctx: Context) -> None:
    ctx.user.awaiting = AWAITING
    ctx.uow.session.add(ctx.user)


async def start(ctx: Context, query: str = "") -> Replies:
    """The categories; with words after ``/directory``, a search for them."""
    if query.strip():
        return await on_text(ctx, query)
    _await_search(ctx)
    rows = [
        [Button(categories.label(c), render.button(DirectoryAction.CATEGORY, i))]
        for i, c in enumerate(categories.CATEGORIES)
    ]
    rows.append([home_button()])
    text = _(
        "<b>What's already here</b>\n\nClubs, groups, support and advice near you. "
        "Choose a category, or type what you are looking for, "
        "for example “something for my teenage son”."
    )
    return [Text(text=text, buttons=keyboard(*rows))]


def _listing(heading: str, found: list[DirectoryEntry]) -> Replies:
    rows = render.entry_buttons([(e.id, e.name) for e in found if e.id is not None])
    rows.append(_back_row())
    return [Text(text=heading, buttons=keyboard(*rows))]


async def category(ctx: Context, index: int) -> Replies:
    chosen = categories.at(index)
    if chosen is None:
        return [Notice(text=_("That button does not work any more."))]
    _await_search(ctx)
    place, lpu_of = await _place(ctx)
    entries = [e for e in await ctx.uow.directory.active() if e.category == chosen]
    found = rank(entries, place, lpu_of)
    label = categories.label(chosen)
    if not found:
        heading = fmt(_("<b>{category}</b>\n\nNothing listed here yet."), category=label)
    else:
        heading = fmt(_("<b>{category}</b>\n\nNearest to you first:"), category=label)
    return _listing(heading, found)


async def on_text(ctx: Context, text: str) -> Replies:
    """A search: by name, or by a need in the resident's own words."""
    query = clean(text)[:MAX_QUERY]
    _await_search(ctx)
    place, lpu_of = await _place(ctx)
    found = search(await ctx.uow.directory.active(), query, place, lpu_of)
    if not found:
        heading = fmt(
            _(
                "I found nothing for “{query}”. Try other words, "
                "or choose a category with the button below."
            ),
            query=query,
        )
    else:
        heading = fmt(_("What I found for “{query}”, nearest first:"), query=query)
    return _listing(heading, found)


async def serves(ctx: Context, entry: DirectoryEntry) -> str:
    if entry.community_id is not None:
        community = await ctx.uow.communities.get(entry.community_id)
        return community.name if community is not None else ""
    if entry.lpu_id is not None:
        lpu = await ctx.uow.communities.get_lpu(entry.lpu_id)
        return lpu.name if lpu is not None else ""
    return _("everyone in the force area")


async def community_lpu(ctx: Context, entry: DirectoryEntry) -> int | None:
    if entry.community_id is None:
        return None
    community = await ctx.uow.communities.get(entry.community_id)
    return community.lpu_id if community is not None else None


async def show_entry(ctx: Context, entry_id: int) -> Replies:
    entry = await ctx.uow.directory.get(entry_id)
    if entry is None or entry.status != "active":
        return [Notice(text=_("That entry is no longer listed."))]
    manages = access.can_manage(ctx.user, entry, await community_lpu(ctx, entry))
    text = render.card(
        name=entry.name,
        category=entry.category,
        description=entry.description,
        where_when=entry.where_when,
        contact=entry.contact,
        accessibility=entry.accessibility,
        languages=entry.languages,
        serves=await serves(ctx, entry),
        keywords=entry.keywords if manages else "",
    )
    rows: list[list[Button]] = []
    if manages:
        rows.append(
            [
                Button(_("✏️ Edit"), render.button(DirectoryAction.EDIT, entry_id)),
                Button(_("🗄 Retire this entry"), render.button(DirectoryAction.RETIRE, entry_id)),
            ]
        )
        rows.append([Button(_("📚 Directory"), render.button(DirectoryAction.ORGANISE))])
    rows.append(_back_row())
    return [Text(text=text, buttons=keyboard(*rows))]


async def on_button(ctx: Context, press: DirectoryButton) -> Replies | None:
    """A resident's directory button, or ``None`` when it is an organiser's."""
    if press.action is DirectoryAction.HOME:
        return await start(ctx)
    if press.action is DirectoryAction.SEARCH:
        return await start(ctx)
    if press.action is DirectoryAction.CATEGORY:
        return await category(ctx, press.item)
    if press.action is DirectoryAction.ENTRY:
        return await show_entry(ctx, press.item)
    return None
