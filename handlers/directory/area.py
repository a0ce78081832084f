"""Where a directory entry serves: one community, one LPU, or the whole force.

"Add an entry" and "Edit" offer the areas as buttons, or take a community's name
typed (the officer finder's ``CommunityIndex.by_name``, typos forgiven). A button's
``item`` is 0 for the person's own draft, else the id of the entry being edited. A
person may choose only an area where they would look after the entry
(``access.looks_after``); a community's LPU is read from the database when the
press or the name arrives, never taken from the button.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handlers import roles
from handlers.context import Context
from handlers.directory import access, render
from handlers.directory.buttons import DirectoryAction
from handlers.i18n import _
from handlers.markup import fmt
from handlers.officers.lookup import index_of
from handlers.outbound import Button
from handlers.place_search import Match
from handlers.text_input import clean
from storage.models import DirectoryEntry, Lpu

PREFIX = "directory:area:"  # ``users.awaiting``: a community's name, for the item after it
MAX_TYPED = 200
MAX_FOUND = 6
Rows = list[list[Button]]
Named = tuple[int, str]  # a community's id and name


@dataclass(frozen=True, slots=True)
class Area:
    """A community, else an LPU, else (both ``None``) the whole force."""

    community_id: int | None = None
    lpu_id: int | None = None


def of(entry: DirectoryEntry) -> Area:
    if entry.community_id is not None:
        return Area(entry.community_id)
    return Area(lpu_id=entry.lpu_id)


def put(entry: DirectoryEntry, area: Area) -> bool:
    """Make ``entry`` serve ``area``; whether that changed it."""
    if (entry.community_id, entry.lpu_id) == (area.community_id, area.lpu_id):
        return False
    entry.community_id, entry.lpu_id = area.community_id, area.lpu_id
    return True


async def community(ctx: Context, community_id: int) -> Area | None:
    """The community as an area, if it exists and the person may place entries there."""
    found = await ctx.uow.communities.get(community_id)
    if found is None or not access.looks_after(ctx.user, found.id, None, found.lpu_id):
        return None
    return Area(found.id)


async def lpu(ctx: Context, lpu_id: int) -> Area | None:
    """The LPU as an area (0: the whole force), if the person may place entries there."""
    if lpu_id != 0 and await ctx.uow.communities.get_lpu(lpu_id) is None:
        return None
    area = Area(lpu_id=lpu_id or None)
    return area if access.looks_after(ctx.user, None, area.lpu_id, None) else None


async def pressed(ctx: Context, action: DirectoryAction, target: int) -> Area | None:
    """The area a ``SET_COMMUNITY`` or ``SET_LPU`` press names, if the person may choose it."""
    if action is DirectoryAction.SET_COMMUNITY:
        return await community(ctx, target)
    if action is DirectoryAction.SET_LPU:
        return await lpu(ctx, target)
    return None


async def named(ctx: Context, text: str) -> Area | list[Match]:
    """The community ``text`` names, among those the person may choose: its area when
    one stands out, else the likeliest few (none: nothing matched)."""
    index = await index_of(ctx)
    matches = index.by_name(clean(text)[:MAX_TYPED], limit=len(index.places))
    mine = [
        m for m in matches if access.looks_after(ctx.user, m.id, None, index.places[m.id].lpu_id)
    ]
    if len(mine) == 1 or (mine and mine[0].score >= 0.9 > mine[1].score):
        area = await community(ctx, mine[0].id)  # the index is a cache: ask the database
        if area is not None:
            return area
    return mine[:MAX_FOUND]


async def lpu_and_communities(ctx: Context, lpu_id: int) -> tuple[Lpu, list[Named]] | None:
    """The LPU ``lpu_id`` and its communities (id and name, by name), if it exists and
    the person looks after entries serving it, and so each of its communities."""
    found = await ctx.uow.communities.get_lpu(lpu_id)
    if found is None or not access.looks_after(ctx.user, None, lpu_id, None):
        return None
    communities = await ctx.uow.communities.in_lpu(lpu_id)
    return found, [(c.id, c.name) for c in communities if c.id is not None]


def whole_lpu(name: str) -> str:
    """An LPU as an area, by its name: "All of Chester"."""
    return _("All of {lpu}").format(lpu=name)


def question(heading: str, note: str = "") -> str:
    ask = _(
        "Which area does it serve? Tap one, or type the name of a community. "
        "✔️ marks the one it has now."
    )
    return "\n\n".join(part for part in (heading, note, ask) if part)


def not_found(text: str) -> str:
    return fmt(
        _("I found no community called “{name}” that you look after."),
        name=clean(text)[:MAX_TYPED],
    )


def _label(text: str, chosen: bool) -> str:
    return ("✔️ " if chosen else "") + text[:40]


def _pairs(buttons: list[Button]) -> Rows:
    return [buttons[i : i + 2] for i in range(0, len(buttons), 2)]


def _community_button(item: int, current: Area, community_id: int, name: str) -> Button:
    return Button(
        _label(name, current == Area(community_id)),
        render.button(DirectoryAction.SET_COMMUNITY, item, community_id),
    )


def _all_areas(item: int) -> list[Button]:
    return [Button(_("◀️ All areas"), render.button(DirectoryAction.AREA, item))]


async def rows(
    ctx: Context, item: int, current: Area, browse: int = 0, found: Sequence[Match] = ()
) -> Rows | None:
    """The areas the person may choose, ✔️ on ``current``: the communities ``found``
    by name; else the LPU ``browse`` (0: the person's own) and its communities; else,
    for someone who looks after the whole force, the force and its LPUs. ``None``
    when ``browse`` is not an LPU they look after."""
    user = ctx.user
    if found:
        buttons = [_community_button(item, current, m.id, m.name) for m in found]
        return [*_pairs(buttons), _all_areas(item)]
    home_community, home_lpu = access.home_area(user)
    if access.one_area(user):
        own = await ctx.uow.communities.get(home_community) if home_community else None
        if own is None or own.id is None:
            return None
        return [[_community_button(item, current, own.id, own.name)]]
    lpu_id = browse or home_lpu or 0
    if lpu_id == 0:
        return await _force(ctx, item, current) if roles.everywhere(user) else None
    offered = await lpu_and_communities(ctx, lpu_id)
    if offered is None:
        return None
    chosen, communities = offered
    whole = Button(
        _label(whole_lpu(chosen.name), current == Area(lpu_id=lpu_id)),
        render.button(DirectoryAction.SET_LPU, item, lpu_id),
    )
    buttons = [_community_button(item, current, i, name) for i, name in communities]
    listed = [[whole], *_pairs(buttons)]
    return [*listed, _all_areas(item)] if roles.everywhere(user) else listed


async def _force(ctx: Context, item: int, current: Area) -> Rows:
    """The whole force, then each LPU to open; ✔️ on the LPU that holds ``current``."""
    holding = current.lpu_id
    if current.community_id is not None:
        place = await ctx.uow.communities.get(current.community_id)
        holding = place.lpu_id if place is not None else None
    force = Button(
        _label(_("🌍 The whole force"), current == Area()),
        render.button(DirectoryAction.SET_LPU, item, 0),
    )
    listed = [
        Button(_label(u.name, u.id == holding), render.button(DirectoryAction.AREA, item, u.id))
        for u in await ctx.uow.communities.lpus()
        if u.id is not None
    ]
    return [[force], *_pairs(listed)]
