"""The dashboard's "Area" list (``area_form.offered``) holds exactly the areas the
chat's buttons offer the same person across their pages (``area.rows``), and
``area_form.chosen`` reads back each of them and nothing else."""

from __future__ import annotations

import pytest

from bot.staff_command import grant_role
from bot.web.chat_actions import staff_context
from handlers.context import Deps
from handlers.directory import area, area_form
from handlers.directory.area import Area
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.payloads import decode

ROLES = [
    ("admin", {}),
    ("organiser", {}),  # force-wide
    ("organiser", {"lpu": "chester"}),
    ("sergeant", {"lpu": "crewe"}),
    ("inspector", {"community": "tarvin"}),  # its LPU: Chester
    ("pcso", {"community": "tarvin"}),
]


async def _chat_values(deps: Deps, telegram_id: int) -> set[str]:
    """The form value of every area the chat's buttons offer, page after page."""
    values: set[str] = set()
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        ctx = staff_context(deps, uow, user)
        pages, seen = [0], set()
        while pages:
            browse = pages.pop()
            seen.add(browse)
            for row in await area.rows(ctx, 0, Area(), browse) or []:
                for button in row:
                    press = decode(button.payload)
                    assert isinstance(press, DirectoryButton)
                    if press.action is DirectoryAction.SET_COMMUNITY:
                        values.add(area_form.value(Area(press.target)))
                    elif press.action is DirectoryAction.SET_LPU:
                        values.add(area_form.value(Area(lpu_id=press.target or None)))
                    elif press.action is DirectoryAction.AREA and press.target not in seen:
                        pages.append(press.target)
    return values


@pytest.mark.parametrize(("role", "scope"), ROLES)
async def test_the_form_offers_what_the_chat_offers(
    deps: Deps, role: str, scope: dict[str, str]
) -> None:
    telegram_id = 7_330_000_001
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=telegram_id, role=role, **scope)
        await uow.commit()
    chat = await _chat_values(deps, telegram_id)
    assert chat  # every one of these roles may place entries somewhere
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        ctx = staff_context(deps, uow, user)
        offered = [o.value for g in await area_form.offered(ctx) for o in g.options]
        assert len(offered) == len(set(offered))
        if role == "pcso":  # one community: nothing to choose, theirs still accepted
            assert offered == [] and len(chat) == 1
        else:
            assert set(offered) == chat
        for value in chat:
            where = await area_form.chosen(ctx, value)
            assert where is not None and area_form.value(where) == value
        everything = {"force"}
        everything |= {f"lpu:{u.id}" for u in await uow.communities.lpus()}
        everything |= {f"community:{c.id}" for c in await uow.communities.all()}
        for value in everything - chat:
            assert await area_form.chosen(ctx, value) is None, value
