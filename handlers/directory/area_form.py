"""A directory entry's area on a form (the dashboard's "Area" select): every area the
person may choose at once, and the one the form sends back, checked again.

The areas are the chat's (``area.rows``, which offers them a page at a time):
someone who looks after the whole force gets the force, each LPU and each of its
communities; an organiser, sergeant or inspector their LPU and its communities; a
PCSO or officer nothing to choose (``access.one_area``). A value is ``force``,
``lpu:<id>`` or ``community:<id>``. What comes back is read with ``area.community``
and ``area.lpu``, so the database and the stored role decide, never the form: a
value outside the person's areas, an unknown id or a malformed value is ``None``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from handlers import roles
from handlers.context import Context
from handlers.directory import access, area
from handlers.directory.area import Area
from handlers.i18n import _
from handlers.payloads import row_id
from storage.uow import UnitOfWork

FORCE = "force"
COMMUNITY = "community"
LPU = "lpu"


@dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str


@dataclass(frozen=True, slots=True)
class Group:
    """Options under a heading: an LPU's name, or "" (the whole force, on its own)."""

    heading: str
    options: tuple[Option, ...]


def whole_force() -> str:
    return _("The whole force")


def value(where: Area) -> str:
    """The form's value for ``where``."""
    if where.community_id is not None:
        return f"{COMMUNITY}:{where.community_id}"
    if where.lpu_id is not None:
        return f"{LPU}:{where.lpu_id}"
    return FORCE


async def offered(ctx: Context) -> list[Group]:
    """The areas the person may choose, the force first and then each LPU with its
    communities; [] when there is nothing to choose."""
    user = ctx.user
    if access.one_area(user) or not access.may_edit_directory(user):
        return []
    groups: list[Group] = []
    if roles.everywhere(user):
        groups.append(Group("", (Option(FORCE, whole_force()),)))
        lpu_ids = [u.id for u in await ctx.uow.communities.lpus() if u.id is not None]
    else:
        _community, home_lpu = access.home_area(user)
        lpu_ids = [] if home_lpu is None else [home_lpu]
    for lpu_id in lpu_ids:
        found = await area.lpu_and_communities(ctx, lpu_id)
        if found is None:
            continue
        lpu, communities = found
        whole = Option(value(Area(lpu_id=lpu_id)), area.whole_lpu(lpu.name))
        listed = [Option(value(Area(i)), name) for i, name in communities]
        groups.append(Group(lpu.name, (whole, *listed)))
    return groups


async def chosen(ctx: Context, text: str) -> Area | None:
    """The area a form's ``text`` names, if the person may place entries there."""
    if text == FORCE:
        return await area.lpu(ctx, 0)
    kind, sep, number = text.partition(":")
    target = row_id(number)
    if not sep or not target:  # 0 is no row's id; the force is FORCE
        return None
    if kind == COMMUNITY:
        return await area.community(ctx, target)
    if kind == LPU:
        return await area.lpu(ctx, target)
    return None


@dataclass(frozen=True, slots=True)
class Names:
    """The name of any area, from the communities and LPUs read once."""

    communities: Mapping[int, str]
    lpus: Mapping[int, str]

    def of(self, where: Area) -> str:
        if where.community_id is not None:
            return self.communities.get(where.community_id, "")
        if where.lpu_id is not None:
            name = self.lpus.get(where.lpu_id)
            return area.whole_lpu(name) if name is not None else ""
        return whole_force()


async def names(uow: UnitOfWork) -> Names:
    communities = {c.id: c.name for c in await uow.communities.all() if c.id is not None}
    lpus = {u.id: u.name for u in await uow.communities.lpus() if u.id is not None}
    return Names(communities, lpus)
