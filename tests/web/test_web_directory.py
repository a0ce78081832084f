"""Directory entries on the dashboard: one entry's page, changing its text, kind and
keywords and retiring it, by the chat's own handlers (the same role check and
cleaning)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import httpx
from sqlmodel import select

from bot.directory_command import read_rows, save_rows
from handlers.context import Deps
from storage.models import DirectoryEntry, User
from tests.support.directory_entries import add_entry, read_entry
from tests.support.resident import Resident
from tests.web.conftest import ADMIN, ORGANISER, PCSO, RESIDENT, SERGEANT_CREWE, World, sign_in


async def _entry(deps: Deps, name: str, community_id: int | None = None) -> int:
    return await add_entry(deps, name, community_id, description="Fridays")


async def test_an_entry_is_changed_from_its_page_and_said_once(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    scouts = await _entry(deps, "Tarvin Scouts", community_id=world.tarvin.id)
    csrf = await sign_in(deps, browser, PCSO)  # Tarvin's PCSO looks after Tarvin's entries
    listed = await browser.get("/directory")
    assert f'<a href="/directory/{scouts}">Tarvin Scouts</a>' in listed.text
    page = await browser.get(f"/directory/{scouts}")
    assert page.status_code == 200 and f'action="/directory/{scouts}"' in page.text
    assert 'name="name" value="Tarvin Scouts" maxlength="200" required' in page.text
    assert 'name="languages" value="" maxlength="200"' in page.text
    posted = await browser.post(
        f"/directory/{scouts}",
        data={
            "csrf": csrf,
            "name": "  Tarvin <b>Scouts</b>\x07 ",
            "description": "",  # a part may be emptied on the dashboard
            "where_when": "Village hall,\nFridays 6pm",
            "contact": "scouts@example.org",
            "accessibility": "Step-free",
            "languages": "English, Polish" + "x" * 300,
        },
    )
    assert posted.status_code == 303 and posted.headers["location"] == f"/directory/{scouts}"
    shown = await browser.get(f"/directory/{scouts}")
    assert "✅ Saved “Tarvin &lt;b&gt;Scouts&lt;/b&gt;”." in shown.text
    assert "<b>Scouts" not in shown.text
    entry = await read_entry(deps, scouts)
    assert entry.name == "Tarvin <b>Scouts</b>"  # control character gone, ends trimmed
    assert (entry.description, entry.where_when) == ("", "Village hall,\nFridays 6pm")
    assert len(entry.languages) == 200 and entry.languages.startswith("English, Polish")
    again = await browser.get(f"/directory/{scouts}")
    assert "✅ Saved" not in again.text
    same = await browser.post(
        f"/directory/{scouts}", data={"csrf": csrf, "name": ""}, follow_redirects=True
    )
    assert "Nothing was changed." in same.text
    assert (await read_entry(deps, scouts)).name == "Tarvin <b>Scouts</b>"  # never emptied


async def test_retiring_takes_it_off_the_list(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    club = await _entry(deps, "Hoole youth club", community_id=world.hoole.id)
    csrf = await sign_in(deps, browser, ORGANISER)  # Chester LPU's organiser
    posted = await browser.post(f"/directory/{club}/retire", data={"csrf": csrf})
    assert posted.status_code == 303 and posted.headers["location"] == "/directory"
    listed = await browser.get("/directory")
    assert "Retired “Hoole youth club”. Residents no longer see it." in listed.text
    assert f'href="/directory/{club}"' not in listed.text
    assert (await read_entry(deps, club)).status == "retired"
    assert (await browser.get(f"/directory/{club}")).status_code == 404


async def test_who_may_change_what(deps: Deps, browser: httpx.AsyncClient, world: World) -> None:
    hoole = await _entry(deps, "Hoole club", community_id=world.hoole.id)
    force = await _entry(deps, "Victim Support")  # force-wide
    crewe = await _entry(deps, "Crewe foodbank", community_id=world.crewe.id)
    csrf = await sign_in(deps, browser, PCSO)  # Tarvin's: sees Hoole's? no; the force's: yes
    assert (await browser.get(f"/directory/{hoole}")).status_code == 404
    seen = await browser.get(f"/directory/{force}")
    assert seen.status_code == 200 and "Victim Support" in seen.text
    assert "Save changes" not in seen.text and "Retire it" not in seen.text
    for path in (f"/directory/{force}", f"/directory/{force}/retire"):
        refused = await browser.post(path, data={"csrf": csrf, "name": "Hacked"})
        assert refused.status_code == 403
    assert (await browser.post(f"/directory/{crewe}", data={"csrf": csrf})).status_code == 404
    browser.cookies.clear()
    await sign_in(deps, browser, ORGANISER)
    forged = await browser.post(f"/directory/{hoole}", data={"csrf": "x" * 32, "name": "X"})
    assert forged.status_code == 403
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, SERGEANT_CREWE)
    assert (await browser.get(f"/directory/{hoole}")).status_code == 404
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, ADMIN)  # admins look after everything
    done = await browser.post(
        f"/directory/{force}", data={"csrf": csrf, "contact": "0808 168 9111"}
    )
    assert done.status_code == 303
    assert [(await read_entry(deps, i)).name for i in (hoole, force, crewe)] == [
        "Hoole club",
        "Victim Support",
        "Crewe foodbank",
    ]
    assert (await read_entry(deps, force)).contact == "0808 168 9111"
    async with deps.uow() as uow:
        admin = (await uow.session.exec(select(User).where(User.telegram_id == ADMIN))).one()
    assert admin.awaiting == ""  # the chat is not left waiting for anything


async def test_an_entry_is_added_whole_in_the_persons_area(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(deps, browser, PCSO)
    listed = await browser.get("/directory")
    assert '<a class="button" href="/directory/new">Add an entry</a>' in listed.text
    form = await browser.get("/directory/new")
    assert form.status_code == 200 and 'action="/directory/new"' in form.text
    assert '<option value="youth">' in form.text
    posted = await browser.post(
        "/directory/new",
        data={
            "csrf": csrf,
            "name": " Tarvin <i>Chess</i> Club\x00",
            "category": "clubs",
            "where_when": "Library, Mondays",
            "languages": "English, Polish",
        },
    )
    assert posted.status_code == 303
    path = posted.headers["location"]
    shown = await browser.get(path)
    assert (
        "✅ Saved “Tarvin &lt;i&gt;Chess&lt;/i&gt; Club”. Residents can find it now." in shown.text
    )
    entry = await read_entry(deps, int(path.rsplit("/", 1)[1]))
    assert (entry.name, entry.category, entry.status, entry.source) == (
        "Tarvin <i>Chess</i> Club",
        "clubs",
        "active",
        "dashboard",
    )
    assert (entry.community_id, entry.lpu_id, entry.where_when) == (
        world.tarvin.id,
        None,
        "Library, Mondays",
    )
    async with deps.uow() as uow:  # residents of Tarvin find it, as the chat lists it
        found = await uow.directory.active_for_area(world.tarvin.lpu_id, world.tarvin.id)
        assert entry.id in {e.id for e in found}
        elsewhere = await uow.directory.active_for_area(world.crewe.lpu_id, world.crewe.id)
        assert entry.id not in {e.id for e in elsewhere}


async def test_an_entry_needs_a_name_a_known_kind_and_the_csrf_token(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    async with deps.uow() as uow:
        before = len(await uow.directory.active_for_area(None, None))
    csrf = await sign_in(deps, browser, ORGANISER)
    nameless = await browser.post(
        "/directory/new", data={"csrf": csrf, "name": " \x07 "}, follow_redirects=True
    )
    assert "Give the entry a name." in nameless.text
    forged = await browser.post("/directory/new", data={"csrf": "x" * 32, "name": "X"})
    assert forged.status_code == 403
    odd = await browser.post(
        "/directory/new", data={"csrf": csrf, "name": "Walk group", "category": "<nope>"}
    )
    entry = await read_entry(deps, int(odd.headers["location"].rsplit("/", 1)[1]))
    assert entry.category == "other" and entry.lpu_id == world.tarvin.lpu_id  # the LPU's
    async with deps.uow() as uow:
        assert len(await uow.directory.active_for_area(None, None)) == before + 1


async def test_the_kind_and_keywords_are_changed_from_the_entry_page(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    scouts = await _entry(deps, "Tarvin Scouts", community_id=world.tarvin.id)
    resident = Resident(deps, RESIDENT)
    await resident.send("/start")
    await resident.send("/directory knots")
    assert "I found nothing" in resident.text
    csrf = await sign_in(deps, browser, PCSO)
    page = await browser.get(f"/directory/{scouts}")
    assert '<option value="youth" selected>🛹 Youth clubs and young people</option>' in page.text
    assert '<option value="clubs">' in page.text and 'value="other"' not in page.text
    assert (
        '<input id="keywords" name="keywords" value="" maxlength="300" '
        'aria-describedby="keywords-hint">' in page.text
    )
    posted = await browser.post(
        f"/directory/{scouts}",
        data={
            "csrf": csrf,
            "category": "clubs",
            "keywords": " Camping, <b>knots</b>,, camping ;hikes\x07",
        },
    )
    assert posted.status_code == 303
    shown = await browser.get(f"/directory/{scouts}")
    assert "✅ Saved “Tarvin Scouts”." in shown.text
    assert "Camping, &lt;b&gt;knots&lt;/b&gt;, hikes" in shown.text  # in the list and the form
    assert "<b>knots" not in shown.text
    assert '<option value="clubs" selected>' in shown.text
    entry = await read_entry(deps, scouts)
    assert (entry.category, entry.keywords) == ("clubs", "Camping, <b>knots</b>, hikes")
    await resident.send("/directory knots")  # the chat's search, straight after
    assert resident.buttons()[0].label == "Tarvin Scouts"

    await browser.post(
        f"/directory/{scouts}",
        data={"csrf": csrf, "category": "<nope>", "keywords": "x" * 400},
    )
    entry = await read_entry(deps, scouts)
    assert (entry.category, entry.keywords) == ("clubs", "x" * 300)  # not a kind: kept


async def test_an_entry_of_no_listed_kind_keeps_it_when_its_form_is_saved(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    odd = await _entry(deps, "Tarvin Oddments", community_id=world.tarvin.id)
    async with deps.uow() as uow:
        entry = await uow.directory.get(odd)
        assert entry is not None
        entry.category = "other"
        await uow.directory.save(entry)
        await uow.commit()
    csrf = await sign_in(deps, browser, PCSO)
    page = await browser.get(f"/directory/{odd}")
    assert '<option value="other" selected>📌 Other</option>' in page.text
    await browser.post(
        f"/directory/{odd}", data={"csrf": csrf, "category": "other", "contact": "01829 1"}
    )
    saved = await read_entry(deps, odd)
    assert (saved.category, saved.contact) == ("other", "01829 1")


async def test_the_kind_and_keywords_need_the_csrf_token_and_the_entry_in_scope(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    hoole = await _entry(deps, "Hoole club", community_id=world.hoole.id)
    force = await _entry(deps, "Victim Support")
    crewe = await _entry(deps, "Crewe foodbank", community_id=world.crewe.id)
    change = {"category": "support", "keywords": "hacked"}
    csrf = await sign_in(deps, browser, PCSO)
    refused = await browser.post(f"/directory/{force}", data={"csrf": csrf, **change})
    assert refused.status_code == 403  # seen by Tarvin's residents, not looked after by her
    assert (
        await browser.post(f"/directory/{crewe}", data={"csrf": csrf, **change})
    ).status_code == 404
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, ORGANISER)
    assert (await browser.post(f"/directory/{hoole}", data=change)).status_code == 403
    forged = await browser.post(f"/directory/{hoole}", data={"csrf": "x" * 32, **change})
    assert forged.status_code == 403
    assert (
        await browser.post(f"/directory/{force}", data={"csrf": csrf, **change})
    ).status_code == 403
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, SERGEANT_CREWE)
    assert (
        await browser.post(f"/directory/{hoole}", data={"csrf": csrf, **change})
    ).status_code == 404
    for entry_id in (hoole, force, crewe):
        entry = await read_entry(deps, entry_id)
        assert (entry.category, entry.keywords) == ("youth", "")


async def test_add_an_entry_takes_keywords(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    csrf = await sign_in(deps, browser, ORGANISER)
    form = await browser.get("/directory/new")
    assert 'name="keywords" value="" maxlength="300"' in form.text
    kinds = form.text.split('<select id="category"', 1)[1].split("</select>", 1)[0]
    assert " selected" not in kinds  # the browser picks the first kind
    posted = await browser.post(
        "/directory/new",
        data={
            "csrf": csrf,
            "name": "Chester Chess Club",
            "category": "clubs",
            "keywords": "chess, Chess,\nboard games",
        },
    )
    entry = await read_entry(deps, int(posted.headers["location"].rsplit("/", 1)[1]))
    assert (entry.category, entry.keywords) == ("clubs", "chess, board games")


async def test_the_csv_has_the_kind_and_keywords_and_quotes_formulas(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    """A keyword list that starts like a formula is quoted as the other columns are."""
    typed = {f"Tarvin Club {n}": f"{start}cmd|x, bowls" for n, start in enumerate("=+-@")}
    async with deps.uow() as uow:
        for name, words in typed.items():
            uow.session.add(
                DirectoryEntry(
                    name=name, category="clubs", keywords=words, community_id=world.tarvin.id
                )
            )
        await uow.commit()
    await sign_in(deps, browser, PCSO)
    response = await browser.get("/directory.csv")
    assert response.status_code == 200
    header, *rows = csv.reader(io.StringIO(response.content.decode("utf-8-sig")))
    assert header == [
        "id",
        "name",
        "category",
        "description",
        "where_when",
        "contact",
        "community",
        "lpu",
        "accessibility",
        "languages",
        "keywords",
    ]
    written = {row[1]: (row[2], row[6], row[10]) for row in rows}
    for name, words in typed.items():
        assert written[name] == ("clubs", "tarvin", "'" + words)
    assert written["Tarvin Youth Club"] == (
        "youth",
        "tarvin",
        "teenagers, young people, pool table",
    )


async def test_the_csv_goes_back_through_the_import_edited_or_not(
    deps: Deps, browser: httpx.AsyncClient, world: World, tmp_path: Path
) -> None:
    """Downloaded, edited in a spreadsheet and imported: the same entries change (a new
    name and another community included), none is added, the formula guard comes off."""
    async with deps.uow() as uow:
        uow.session.add(
            DirectoryEntry(
                name="Tarvin Quiz",
                category="clubs",
                keywords="=SUM(A1), quiz",
                community_id=world.tarvin.id,
            )
        )
        await uow.commit()
    await sign_in(deps, browser, PCSO)
    download = (await browser.get("/directory.csv")).content.decode("utf-8-sig")
    path = tmp_path / "directory.csv"
    path.write_text(download, encoding="utf-8")
    async with deps.uow() as uow:
        before = {e.id: (e.name, e.keywords, e.community_id) for e in await uow.directory.active()}
        assert await save_rows(uow, read_rows(path)) == (0, 0, [])  # as downloaded: no change
        await uow.commit()

    header, *rows = csv.reader(io.StringIO(download))
    youth = next(row for row in rows if row[1] == "Tarvin Youth Club")
    youth[1], youth[6] = "Tarvin and Kelsall Youth Club", "kelsall"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    async with deps.uow() as uow:
        assert await save_rows(uow, read_rows(path)) == (0, 1, [])
        await uow.commit()
    async with deps.uow() as uow:
        after = {e.id: (e.name, e.keywords, e.community_id) for e in await uow.directory.active()}
        kelsall = await uow.communities.by_slug("kelsall")
    assert after.keys() == before.keys()
    moved = after[int(youth[0])]
    assert kelsall is not None and moved[0] == "Tarvin and Kelsall Youth Club"
    assert moved[2] == kelsall.id
    quiz = next(v for v in after.values() if v[0] == "Tarvin Quiz")
    assert quiz[1] == "=SUM(A1), quiz"  # stored as typed, not with the download's quote
    assert {k: v for k, v in after.items() if k != int(youth[0])} == {
        k: v for k, v in before.items() if k != int(youth[0])
    }


async def test_an_import_row_with_an_unknown_id_is_refused(deps: Deps, tmp_path: Path) -> None:
    path = tmp_path / "directory.csv"
    path.write_text("id,name,category\n999999,Ghost Club,clubs\n", encoding="utf-8")
    async with deps.uow() as uow:
        added, updated, errors = await save_rows(uow, read_rows(path))
    assert (added, updated) == (0, 0)
    assert errors == ["row 2: no listed entry has the id '999999'"]
