"""A directory entry's area on the dashboard: the "Area" select of the add and edit
forms lists the areas the chat would offer, and a posted area is read again against
the stored role and the database (a forged, unknown, malformed or huge value shows
the form again with an error, and nothing is stored)."""

from __future__ import annotations

import html
import logging
import re

import httpx
import pytest
from sqlmodel import select

from handlers.context import Deps
from storage.models import Community, DirectoryEntry, Lpu
from tests.support.directory_entries import add_entry, read_entry
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, sign_in

REFUSED = "You cannot choose that area. Choose one from the list; nothing was saved."
SELECT = re.compile(r'<select id="area" name="area">(.*?)</select>', re.S)
TOKEN = re.compile(
    r'<optgroup label="([^"]*)">|</optgroup>|<option value="([^"]*)"( selected)?>([^<]*)</option>'
)
Option = tuple[str, str, str, bool]  # heading, value, label, selected


def area_select(page: str) -> list[Option]:
    """The options of a page's "Area" select, each with the optgroup it is under."""
    [body] = SELECT.findall(page)
    options, heading = [], ""
    for found in TOKEN.finditer(body):
        group, value, selected, label = found.groups()
        if group is not None:
            heading = html.unescape(group)
        elif value is None:
            heading = ""
        else:
            options.append((heading, value, html.unescape(label), bool(selected)))
    return options


def row_of(page: str, entry_id: int | None) -> str:
    """The directory list's row for the entry."""
    [row] = [r for r in page.split("<tr>") if f'href="/directory/{entry_id}"' in r]
    return row.split("</tr>", 1)[0]


async def _lpus(deps: Deps) -> list[Lpu]:
    async with deps.uow() as uow:
        return list(await uow.communities.lpus())


async def _in_lpu(deps: Deps, lpu_id: int | None) -> list[Community]:
    assert lpu_id is not None
    async with deps.uow() as uow:
        return list(await uow.communities.in_lpu(lpu_id))


async def _entry(deps: Deps, name: str, community_id: int | None = None) -> int:
    return await add_entry(deps, name, community_id, category="clubs")


async def _rows(deps: Deps) -> list[tuple[object, ...]]:
    """Every directory entry as stored, to see that nothing changed."""
    async with deps.uow() as uow:
        entries = (await uow.session.exec(select(DirectoryEntry))).all()
        return sorted(
            (e.id, e.name, e.category, e.community_id, e.lpu_id, e.status, e.updated_at)
            for e in entries
        )


def _added_id(posted: httpx.Response) -> int:
    assert posted.status_code == 303, posted.text
    return int(posted.headers["location"].rsplit("/", 1)[1])


async def test_an_admin_is_offered_the_force_each_lpu_and_each_community(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await sign_in(deps, browser, ADMIN)
    options = area_select((await browser.get("/directory/new")).text)
    assert options[0] == ("", "force", "The whole force", True)  # an admin's own area
    lpus = await _lpus(deps)
    expected = [options[0]]
    for lpu in lpus:
        expected.append((lpu.name, f"lpu:{lpu.id}", f"All of {lpu.name}", False))
        expected += [
            (lpu.name, f"community:{c.id}", c.name, False) for c in await _in_lpu(deps, lpu.id)
        ]
    assert options == expected
    assert len(lpus) == 8 and len(options) == 1 + 8 + 122


async def test_an_lpu_role_is_offered_its_lpu_and_its_communities_only(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await sign_in(deps, browser, ORGANISER)  # Chester LPU
    chester = world.tarvin.lpu_id
    options = area_select((await browser.get("/directory/new")).text)
    communities = await _in_lpu(deps, chester)
    assert options == [
        ("Chester", f"lpu:{chester}", "All of Chester", True),
        *[("Chester", f"community:{c.id}", c.name, False) for c in communities],
    ]
    values = {value for _h, value, _l, _s in options}
    assert f"community:{world.hoole.id}" in values and f"community:{world.tarvin.id}" in values
    assert "force" not in values and f"community:{world.crewe.id}" not in values
    assert f"lpu:{world.crewe.lpu_id}" not in values


async def test_a_pcso_is_not_offered_a_choice(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    scouts = await _entry(deps, "Tarvin Scouts", community_id=world.tarvin.id)
    await sign_in(deps, browser, PCSO)
    assert 'name="area"' not in (await browser.get("/directory/new")).text
    page = await browser.get(f"/directory/{scouts}")
    assert "Save changes" in page.text and 'name="area"' not in page.text
    assert "<dt>Area</dt><dd>Tarvin</dd>" in page.text


async def test_an_entry_is_added_in_the_area_chosen(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(deps, browser, ORGANISER)
    posted = await browser.post(
        "/directory/new",
        data={
            "csrf": csrf,
            "name": "Hoole Chess",
            "category": "clubs",
            "area": f"community:{world.hoole.id}",
        },
    )
    entry = await read_entry(deps, _added_id(posted))
    assert (entry.community_id, entry.lpu_id) == (world.hoole.id, None)
    page = await browser.get(f"/directory/{entry.id}")
    assert "<dt>Area</dt><dd>Hoole</dd>" in page.text
    chosen = [o for o in area_select(page.text) if o[3]]
    assert chosen == [("Chester", f"community:{world.hoole.id}", "Hoole", True)]
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, ADMIN)
    crewe = world.crewe.lpu_id
    posted = await browser.post(
        "/directory/new", data={"csrf": csrf, "name": "Crewe Walks", "area": f"lpu:{crewe}"}
    )
    entry = await read_entry(deps, _added_id(posted))
    assert (entry.community_id, entry.lpu_id) == (None, crewe)
    posted = await browser.post(
        "/directory/new", data={"csrf": csrf, "name": "Victim Care", "area": "force"}
    )
    force = await read_entry(deps, _added_id(posted))
    assert (force.community_id, force.lpu_id) == (None, None)
    listed = await browser.get("/directory")  # the admin's list: every entry, with its area
    assert "<td>All of Crewe</td>" in row_of(listed.text, entry.id)
    assert "<td>The whole force</td>" in row_of(listed.text, force.id)


async def test_edit_moves_an_entry_to_another_area_the_person_looks_after(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    scouts = await _entry(deps, "Tarvin Scouts", community_id=world.tarvin.id)
    csrf = await sign_in(deps, browser, ORGANISER)
    page = await browser.get(f"/directory/{scouts}")
    assert [o for o in area_select(page.text) if o[3]] == [
        ("Chester", f"community:{world.tarvin.id}", "Tarvin", True)
    ]
    moved = await browser.post(
        f"/directory/{scouts}",
        data={"csrf": csrf, "area": f"community:{world.hoole.id}"},
        follow_redirects=True,
    )
    assert "✅ Saved “Tarvin Scouts”." in moved.text
    assert "<dt>Area</dt><dd>Hoole</dd>" in moved.text
    assert (await read_entry(deps, scouts)).community_id == world.hoole.id
    listed = await browser.get("/directory")
    assert "<td>Hoole</td>" in row_of(listed.text, scouts)
    chester = world.tarvin.lpu_id
    await browser.post(f"/directory/{scouts}", data={"csrf": csrf, "area": f"lpu:{chester}"})
    entry = await read_entry(deps, scouts)
    assert (entry.community_id, entry.lpu_id) == (None, chester)
    same = await browser.post(
        f"/directory/{scouts}", data={"csrf": csrf, "area": f"lpu:{chester}"}, follow_redirects=True
    )
    assert "Nothing was changed." in same.text


FORGED = [
    "force",  # the whole force: not the organiser's
    "lpu:{crewe_lpu}",  # another LPU
    "community:{crewe}",  # a community in another LPU
    "community:999999",  # no such community
    "lpu:999999",  # no such LPU
    "lpu:0",
    "community:0",
    "community:-1",
    "community:2147483648",  # beyond a 32-bit id
    "lpu:99999999999999999999",
    "community:12345678901",
    "community:",
    "community:abc",
    "community:1.5",
    "community:{hoole} ",
    " community:{hoole}",
    "COMMUNITY:{hoole}",
    "community:{hoole}:1",
    "community:\u0661",  # an Arabic-Indic digit one
    "community:\x00",
    "",
    "hoole",
    "{hoole}",
]


@pytest.mark.parametrize("forged", FORGED)
async def test_a_forged_or_malformed_area_shows_the_form_again_and_stores_nothing(
    deps: Deps, browser: httpx.AsyncClient, world: World, forged: str
) -> None:
    scouts = await _entry(deps, "Tarvin Scouts", community_id=world.tarvin.id)
    value = forged.format(crewe_lpu=world.crewe.lpu_id, crewe=world.crewe.id, hoole=world.hoole.id)
    csrf = await sign_in(deps, browser, ORGANISER)  # Chester LPU
    before = await _rows(deps)
    added = await browser.post(
        "/directory/new", data={"csrf": csrf, "name": "Forged <Club>", "area": value}
    )
    assert added.status_code == 400
    assert REFUSED in added.text and 'action="/directory/new"' in added.text
    assert 'name="name" value="Forged &lt;Club&gt;"' in added.text  # what was typed stays
    assert [o[1] for o in area_select(added.text) if o[3]] == [f"lpu:{world.tarvin.lpu_id}"]
    changed = await browser.post(
        f"/directory/{scouts}", data={"csrf": csrf, "name": "Hacked", "area": value}
    )
    assert changed.status_code == 400
    assert REFUSED in changed.text and f'action="/directory/{scouts}"' in changed.text
    assert 'name="name" value="Hacked"' in changed.text
    assert "<h1>Tarvin Scouts</h1>" in changed.text  # the stored entry, as it is
    selected = [o for o in area_select(changed.text) if o[3]]
    assert selected == [("Chester", f"community:{world.tarvin.id}", "Tarvin", True)]
    assert await _rows(deps) == before
    assert "✅" not in (await browser.get(f"/directory/{scouts}")).text  # no notice kept


async def test_a_refused_area_is_logged_without_what_was_sent(
    deps: Deps, browser: httpx.AsyncClient, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    csrf = await sign_in(deps, browser, ORGANISER)
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        await browser.post("/directory/new", data={"csrf": csrf, "name": "X", "area": "secret:1"})
    [record] = [r for r in caplog.records if r.name == "chinwag.security"]
    assert record.getMessage() == "dashboard request refused"
    assert record.__dict__["reason"] == "directory area"
    assert "secret" not in str(record.__dict__)


async def test_a_pcso_cannot_move_an_entry_out_of_their_community(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    scouts = await _entry(deps, "Tarvin Scouts", community_id=world.tarvin.id)
    csrf = await sign_in(deps, browser, PCSO)
    before = await _rows(deps)
    for value in (f"community:{world.hoole.id}", f"lpu:{world.tarvin.lpu_id}", "force"):
        changed = await browser.post(f"/directory/{scouts}", data={"csrf": csrf, "area": value})
        assert changed.status_code == 400 and REFUSED in changed.text
        added = await browser.post(
            "/directory/new", data={"csrf": csrf, "name": "Elsewhere", "area": value}
        )
        assert added.status_code == 400 and REFUSED in added.text
    assert await _rows(deps) == before
    same = await browser.post(  # their own community, sent all the same: kept
        f"/directory/{scouts}",
        data={"csrf": csrf, "area": f"community:{world.tarvin.id}", "contact": "01829"},
    )
    assert same.status_code == 303
    entry = await read_entry(deps, scouts)
    assert (entry.community_id, entry.contact) == (world.tarvin.id, "01829")


async def test_an_entry_out_of_scope_is_not_moved_and_csrf_is_checked(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    crewe = await _entry(deps, "Crewe foodbank", community_id=world.crewe.id)
    force = await _entry(deps, "Victim Support")
    hoole = await _entry(deps, "Hoole club", community_id=world.hoole.id)
    csrf = await sign_in(deps, browser, ORGANISER)
    before = await _rows(deps)
    into_chester = {"csrf": csrf, "area": f"community:{world.hoole.id}"}
    assert (await browser.post(f"/directory/{crewe}", data=into_chester)).status_code == 404
    assert (await browser.post(f"/directory/{force}", data=into_chester)).status_code == 403
    forged = {"csrf": "x" * 32, "area": f"community:{world.tarvin.id}"}
    assert (await browser.post(f"/directory/{hoole}", data=forged)).status_code == 403
    no_token = {"name": "Sneaky", "area": f"community:{world.tarvin.id}"}
    assert (await browser.post("/directory/new", data=no_token)).status_code == 403
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, SERGEANT_CREWE)  # Crewe's: cannot pull Hoole's in
    pull = {"csrf": csrf, "area": f"community:{world.crewe.id}"}
    assert (await browser.post(f"/directory/{hoole}", data=pull)).status_code == 404
    assert await _rows(deps) == before
