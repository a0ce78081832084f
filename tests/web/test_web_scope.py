"""Every page shows only the area the viewer's stored role covers, and escapes text.

A PCSO sees their community, an organiser or a sergeant their LPU, an admin the
whole force: checked on the overview (page and CSV) and on the events list (page
and CSV), row by row.
"""

from __future__ import annotations

import csv
import io

import httpx
from sqlalchemy import update
from sqlmodel import col, select

from handlers.context import Deps
from storage.models import ActionGroup, Conversation, Event, User
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, add_event, sign_in


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _section(rows: list[dict[str, str]], section: str) -> dict[str, str]:
    return {row["label"]: row["people"] for row in rows if row["section"] == section}


async def _events(deps: Deps, world: World) -> None:
    await add_event(
        deps, "Tarvin chat", community=world.tarvin, going=3, maybe=2, waiting=1, checked_in=2
    )
    await add_event(deps, "Hoole chat", community=world.hoole, going=1)
    await add_event(deps, "Chester LPU forum", lpu_id=world.tarvin.lpu_id, maybe=4)
    await add_event(deps, "Crewe chat", community=world.crewe, going=2)
    await add_event(deps, "Last month", community=world.tarvin, days=-30, going=9)


async def test_a_pcso_sees_only_their_community(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await sign_in(deps, browser, PCSO)
    page = await browser.get("/")
    assert "Role: PCSO" in page.text and "Tarvin, in the Chester LPU" in page.text
    assert "Tarvin" in page.text and "Hoole" not in page.text and "Crewe" not in page.text
    rows = _csv(await browser.get("/?format=csv"))
    assert _section(rows, "participants") == {"People who answered": "6"}
    assert _section(rows, "community") == {"Tarvin": "6"}
    assert _section(rows, "lpu") == {"Chester": "6"}
    assert _section(rows, "language") == {"English": "6"}  # the chat's language, none detected
    assert sum(int(v) for v in _section(rows, "time").values() if v.isdigit()) <= 6

    await _events(deps, world)
    events = _csv(await browser.get("/events.csv"))
    assert [
        (e["title"], e["going"], e["maybe"], e["waiting"], e["checked_in"]) for e in events
    ] == [
        ("Tarvin chat", "3", "2", "1", "2"),
        ("Chester LPU forum", "0", "4", "0", "0"),
    ]
    page = await browser.get("/events")
    assert "Tarvin chat" in page.text and "Hoole chat" not in page.text
    assert "Crewe chat" not in page.text and "Last month" not in page.text
    assert _csv(await browser.get("/events?format=csv")) == events


async def test_an_organiser_sees_only_their_lpu(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _events(deps, world)
    await sign_in(deps, browser, ORGANISER)
    rows = _csv(await browser.get("/?format=csv"))
    assert _section(rows, "participants") == {"People who answered": "13"}
    assert _section(rows, "community") == {"Hoole": "7", "Tarvin": "6"}
    assert _section(rows, "lpu") == {"Chester": "13"}
    titles = [e["title"] for e in _csv(await browser.get("/events.csv"))]
    assert sorted(titles) == ["Chester LPU forum", "Hoole chat", "Tarvin chat"]
    page = await browser.get("/events")
    assert "Hoole chat" in page.text and "Crewe chat" not in page.text


async def test_a_sergeant_elsewhere_sees_their_own_lpu(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _events(deps, world)
    await sign_in(deps, browser, SERGEANT_CREWE)
    rows = _csv(await browser.get("/?format=csv"))
    assert _section(rows, "community") == {"Crewe Central": "8"}
    assert [e["title"] for e in _csv(await browser.get("/events.csv"))] == ["Crewe chat"]


async def test_an_admin_sees_everything(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _events(deps, world)
    await sign_in(deps, browser, ADMIN)
    rows = _csv(await browser.get("/?format=csv"))
    assert _section(rows, "participants") == {"People who answered": "21"}
    assert _section(rows, "community") == {"Crewe Central": "8", "Hoole": "7", "Tarvin": "6"}
    assert _section(rows, "lpu") == {"Chester": "13", "Crewe": "8"}
    titles = [e["title"] for e in _csv(await browser.get("/events.csv"))]
    assert sorted(titles) == ["Chester LPU forum", "Crewe chat", "Hoole chat", "Tarvin chat"]
    page = await browser.get("/")
    assert page.text.count('<svg class="bars" role="img"') == 4
    assert "<table>" in page.text and "Show as a table" in page.text


async def test_a_role_moved_to_another_area_applies_at_the_next_page(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await sign_in(deps, browser, PCSO)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User)
            .where(col(User.telegram_id) == PCSO)
            .values(role_community_id=world.crewe.id, role_lpu_id=world.crewe.lpu_id)
        )
        await uow.commit()
    rows = _csv(await browser.get("/?format=csv"))
    assert _section(rows, "community") == {"Crewe Central": "8"}


async def test_small_numbers_are_hidden_in_page_chart_and_csv(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    async with deps.uow() as uow:  # two of Tarvin's six not sent after all: 4 is fewer than 5
        ids = (
            await uow.session.exec(
                select(Conversation.id).where(Conversation.community_id == world.tarvin.id).limit(2)
            )
        ).all()
        await uow.session.exec(
            update(Conversation).where(col(Conversation.id).in_(ids)).values(status="active")
        )
        await uow.commit()
    await sign_in(deps, browser, PCSO)
    rows = _csv(await browser.get("/?format=csv"))
    assert _section(rows, "community") == {"Tarvin": "fewer than 5"}
    page = await browser.get("/")
    assert "fewer than 5" in page.text and ">4<" not in page.text
    assert 'fill="url(#chart-community-hatch)"' in page.text


async def test_text_from_users_is_escaped(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await add_event(deps, "<script>alert(1)</script>", community=world.tarvin)
    await sign_in(deps, browser, PCSO)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User)
            .where(col(User.telegram_id) == PCSO)
            .values(first_name='<img src=x onerror="a()">')
        )
        await uow.commit()
    events = await browser.get("/events")
    assert "<script>alert(1)</script>" not in events.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in events.text
    assert "<img src=x" not in events.text and "&lt;img src=x" in events.text


async def test_a_role_without_an_area_sees_nothing(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _events(deps, world)
    await sign_in(deps, browser, PCSO)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User)
            .where(col(User.telegram_id) == PCSO)
            .values(role_community_id=None, role_lpu_id=None)
        )
        await uow.commit()
    page = await browser.get("/")
    assert "Your role has no area yet" in page.text and "Tarvin" not in page.text
    assert _csv(await browser.get("/events.csv")) == []


async def test_an_action_groups_event_belongs_to_the_groups_lpu(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    async with deps.uow() as uow:
        group = ActionGroup(lpu_id=world.tarvin.lpu_id, title="Speeding A51")
        uow.session.add(group)
        await uow.commit()
    event_id = await add_event(deps, "Speeding group meets", going=2)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(Event).where(col(Event.id) == event_id).values(action_group_id=group.id)
        )
        await uow.commit()
    await sign_in(deps, browser, ORGANISER)
    assert [e["title"] for e in _csv(await browser.get("/events.csv"))] == ["Speeding group meets"]
    await sign_in(deps, browser, SERGEANT_CREWE)
    assert _csv(await browser.get("/events.csv")) == []
