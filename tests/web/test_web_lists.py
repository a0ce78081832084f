"""The dashboard's other lists: action groups and members, polls and results, the
broadcasts' audit trail with delivery progress, directory entries, and staff (admins
only). Each shows the viewer's area only, has a CSV, and escapes what people wrote."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from handlers.context import Deps
from handlers.staff.tokens import new_invite_token
from storage.models import ActionGroup, Broadcast, Delivery, DirectoryEntry, Poll, User
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, add_event, sign_in


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def _people(deps: Deps, names: list[str], base: int) -> list[int]:
    async with deps.uow() as uow:
        ids = []
        for n, name in enumerate(names):
            user = await uow.users.add(
                User(telegram_id=base + n, chat_id=base + n, first_name=name)
            )
            assert user.id is not None
            ids.append(user.id)
        await uow.commit()
    return ids


async def _group(deps: Deps, lpu_id: int, title: str, members: list[int]) -> int:
    async with deps.uow() as uow:
        group = await uow.groups.add(ActionGroup(lpu_id=lpu_id, title=title))
        assert group.id is not None
        for member in members:
            await uow.groups.join(group.id, member)
        await uow.commit()
        return group.id


async def test_action_groups_and_members(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    members = await _people(deps, ["<Ann>", "Bob"], 8_100)
    chester = await _group(deps, world.tarvin.lpu_id, "Chester <walkers>", members)
    crewe = await _group(deps, world.crewe.lpu_id, "Crewe cyclists", [])
    await sign_in(deps, browser, PCSO)  # the groups of their community's LPU
    page = await browser.get("/groups")
    assert "Chester &lt;walkers&gt;" in page.text and "Crewe cyclists" not in page.text
    assert '<a href="/groups" aria-current="page">Action groups</a>' in page.text
    assert [(r["title"], r["members"]) for r in _csv(await browser.get("/groups.csv"))] == [
        ("Chester <walkers>", "2")
    ]
    detail = await browser.get(f"/groups/{chester}")
    assert "<li>&lt;Ann&gt;</li>" in detail.text and "<li>Bob</li>" in detail.text
    assert "2 members" in detail.text
    assert [r["name"] for r in _csv(await browser.get(f"/groups/{chester}?format=csv"))] == [
        "<Ann>",
        "Bob",
    ]
    assert (await browser.get(f"/groups/{crewe}")).status_code == 404
    browser.cookies.clear()
    await sign_in(deps, browser, ADMIN)
    titles = {r["title"] for r in _csv(await browser.get("/groups.csv"))}
    assert titles == {"Chester <walkers>", "Crewe cyclists"}


async def test_polls_with_the_chats_tally(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    tarvin_event = await add_event(deps, "Tarvin chat", community=world.tarvin)
    crewe_event = await add_event(deps, "Crewe chat", community=world.crewe)
    voters = await _people(deps, ["A", "B", "C"], 8_200)
    async with deps.uow() as uow:
        mine = await uow.polls.add(
            Poll(
                question="Which <first>?",
                options=json.dumps(["Speeding", "Litter"]),
                event_id=tarvin_event,
            )
        )
        theirs = await uow.polls.add(
            Poll(question="Crewe question", options=json.dumps(["Yes", "No"]), event_id=crewe_event)
        )
        assert mine.id is not None and theirs.id is not None
        for voter, option in zip(voters, (0, 0, 1), strict=True):
            await uow.polls.vote(mine.id, voter, [option])
        await uow.commit()
    await sign_in(deps, browser, ORGANISER)
    page = await browser.get("/polls")
    assert "Which &lt;first&gt;?" in page.text and "Crewe question" not in page.text
    assert [(r["question"], r["answers"]) for r in _csv(await browser.get("/polls.csv"))] == [
        ("Which <first>?", "3")
    ]
    detail = await browser.get(f"/polls/{mine.id}")
    assert '<th scope="row">Speeding</th><td class="num">2</td><td class="num">67%</td>' in (
        detail.text
    )
    assert "3 answers so far" in detail.text
    results = _csv(await browser.get(f"/polls/{mine.id}?format=csv"))
    assert [(r["option"], r["votes"]) for r in results] == [("Speeding", "2"), ("Litter", "1")]
    assert (await browser.get(f"/polls/{theirs.id}")).status_code == 404


async def test_broadcasts_with_delivery_progress(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    now = datetime.now(UTC)
    async with deps.uow() as uow:
        sending = Broadcast(
            sender_name="Sam",
            sender_role="pcso",
            audience="community",
            community_id=world.tarvin.id,
            text="Road <closed> on Friday",
            status="sending",
            started_at=now,
            total=5,
            created_at=now,
        )
        elsewhere = Broadcast(
            sender_name="Kit",
            sender_role="sergeant",
            audience="lpu",
            lpu_id=world.crewe.lpu_id,
            text="Crewe news",
            status="sent",
            started_at=now,
            finished_at=now,
            total=1,
            sent_count=1,
            created_at=now - timedelta(hours=1),
        )
        uow.session.add_all([sending, elsewhere])
        await uow.session.flush()
        statuses = [
            ("sent", ""),
            ("sent", ""),
            ("failed", "forbidden: blocked"),
            ("failed", "bad request"),
            ("pending", ""),
        ]
        for n, (status, error) in enumerate(statuses):
            uow.session.add(
                Delivery(
                    key=f"broadcast:{sending.id}:{n}",
                    kind="broadcast",
                    chat_id=n + 1,
                    due_at=now,
                    status=status,
                    last_error=error,
                    broadcast_id=sending.id,
                )
            )
        await uow.commit()
    await sign_in(deps, browser, ORGANISER)
    page = await browser.get("/broadcasts")
    assert "Road &lt;closed&gt; on Friday" in page.text and "Crewe news" not in page.text
    assert '<progress max="5" value="2"' in page.text
    [row] = _csv(await browser.get("/broadcasts.csv"))
    assert (row["sender"], row["audience"], row["recipients"], row["sent"]) == (
        "Sam",
        "Tarvin",
        "5",
        "2",
    )
    assert (row["blocked"], row["failed"], row["pending"]) == ("1", "1", "1")
    # Still sending: the page follows it by itself, with a script its own policy allows.
    nonce = re.search(r'<script nonce="([^"]+)">', page.text)
    assert nonce and "data-live" in page.text
    assert f"script-src 'nonce-{nonce.group(1)}'" in page.headers["content-security-policy"]
    async with deps.uow() as uow:
        await uow.session.exec(
            update(Delivery).where(col(Delivery.status) == "pending").values(status="sent")
        )
        await uow.commit()
    done = await browser.get("/broadcasts")
    assert "<script" not in done.text and "data-live" not in done.text
    assert "script-src" not in done.headers["content-security-policy"]
    assert '<progress max="5" value="3"' in done.text
    browser.cookies.clear()
    await sign_in(deps, browser, SERGEANT_CREWE)
    assert [r["text"] for r in _csv(await browser.get("/broadcasts.csv"))] == ["Crewe news"]


async def test_directory_entries_for_the_area(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    async with deps.uow() as uow:
        uow.session.add_all(
            [
                DirectoryEntry(
                    name="Tarvin <Scouts>",
                    category="youth",
                    community_id=world.tarvin.id,
                    contact="=cmd|x",
                ),
                DirectoryEntry(
                    name="Crewe Foodbank", category="support", community_id=world.crewe.id
                ),
                DirectoryEntry(name="Victim Support", category="support"),
            ]
        )
        await uow.commit()
    await sign_in(deps, browser, PCSO)
    page = await browser.get("/directory")
    assert "Tarvin &lt;Scouts&gt;" in page.text and "Victim Support" in page.text
    assert "Crewe Foodbank" not in page.text
    rows = _csv(await browser.get("/directory.csv"))
    names = {r["name"] for r in rows}
    assert {"Tarvin <Scouts>", "Victim Support"} <= names and "Crewe Foodbank" not in names
    assert [r["contact"] for r in rows if r["name"] == "Tarvin <Scouts>"] == ["'=cmd|x"]


async def test_staff_and_invitations_are_for_admins_only(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    async with deps.uow() as uow:
        await uow.invites.create(
            new_invite_token(),
            role="pcso",
            community_id=world.hoole.id,
            note="For <Jo>",
            expires_at=datetime.now(UTC) + timedelta(hours=3),
        )
        await uow.commit()
    await sign_in(deps, browser, ORGANISER)
    assert "/staff" not in (await browser.get("/")).text
    assert (await browser.get("/staff")).status_code == 403
    assert (await browser.get("/staff.csv")).status_code == 403
    browser.cookies.clear()
    await sign_in(deps, browser, ADMIN)
    page = await browser.get("/staff")
    assert page.status_code == 200 and 'href="/staff"' in page.text
    assert "For &lt;Jo&gt;" in page.text and "Hoole, in the Chester LPU" in page.text
    assert "Waiting, expires" in page.text
    rows = _csv(await browser.get("/staff.csv"))
    people = {r["id"]: r for r in rows if r["kind"] == "person"}
    assert {str(PCSO), str(ORGANISER), str(ADMIN), str(SERGEANT_CREWE)} <= set(people)
    assert people[str(PCSO)]["area"] == "Tarvin, in the Chester LPU"
    [invite] = [r for r in rows if r["kind"] == "invitation"]
    assert (invite["role"], invite["state"], invite["note"]) == ("pcso", "pending", "For <Jo>")


PAGES = (
    "/answers",
    "/events",
    "/groups",
    "/polls",
    "/broadcasts",
    "/directory",
    "/funding",
)


@pytest.mark.parametrize("telegram_id", [PCSO, ORGANISER, SERGEANT_CREWE, ADMIN])
async def test_every_page_and_its_csv_opens_for_every_role(
    deps: Deps, browser: httpx.AsyncClient, world: World, telegram_id: int
) -> None:
    await sign_in(deps, browser, telegram_id)
    for path in PAGES:
        page = await browser.get(path)
        assert page.status_code == 200, path
        assert f'<a href="{path}" aria-current="page">' in page.text, path
        assert page.text.count("<h1>") == 1, path
        download = await browser.get(f"{path}?format=csv")
        assert download.headers["content-type"].startswith("text/csv"), path
    staff = await browser.get("/staff")
    assert staff.status_code == (200 if telegram_id == ADMIN else 403)
