"""The dashboard over a real migrated database: staff in two LPUs, answers and events.

The web app runs in the test's own event loop through httpx's ASGI transport (the
database engine belongs to that loop), with a cookie jar like a browser's.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.bootstrap import App
from bot.staff_command import grant_role
from bot.web.app import create_web_app
from handlers.context import Deps
from handlers.outbound import Text
from storage.models import Community, Conversation, Event, Rsvp, User
from tests.support.resident import Resident

BASE = "http://127.0.0.1:8090"
PCSO, ORGANISER, ADMIN, SERGEANT_CREWE, RESIDENT = 7001, 7002, 7003, 7004, 7005
LINK = re.compile(r"http://127\.0\.0\.1:8090/signin/([A-Za-z0-9_\-]{32})")


@dataclass
class World:
    tarvin: Community  # Chester LPU, the PCSO's community
    hoole: Community  # Chester LPU
    crewe: Community  # Crewe LPU
    answered: dict[str, int]  # community name -> submitted conversations


async def _community(deps: Deps, name: str) -> Community:
    async with deps.uow() as uow:
        [found] = await uow.organisers.communities_named(name)
        return found


async def _answers(deps: Deps, community: Community, count: int, when: datetime) -> None:
    async with deps.uow() as uow:
        for n in range(count):
            user = await uow.users.add(
                User(telegram_id=9_100_000 + community.id * 100 + n, chat_id=1, language="en")  # type: ignore[operator]
            )
            uow.session.add(
                Conversation(
                    user_id=user.id,
                    questionnaire="resident",
                    step="done",
                    status="submitted",
                    community_id=community.id,
                    submitted_at=when - timedelta(days=n % 3),
                )
            )
        await uow.commit()


async def add_event(
    deps: Deps,
    title: str,
    *,
    community: Community | None = None,
    lpu_id: int | None = None,
    days: int = 3,
    going: int = 0,
    maybe: int = 0,
    waiting: int = 0,
    checked_in: int = 0,
) -> int:
    """An event ``days`` from now, with RSVPs from new people (``checked_in`` of those going)."""
    async with deps.uow() as uow:
        event = Event(
            title=title,
            kind="conversation",
            community_id=community.id if community else None,
            lpu_id=lpu_id,
            starts_at=datetime.now(UTC) + timedelta(days=days),
            venue="Village hall",
        )
        uow.session.add(event)
        await uow.session.flush()
        assert event.id is not None
        statuses = ["going"] * going + ["maybe"] * maybe + ["waitlist"] * waiting
        for n, status in enumerate(statuses):
            person = await uow.users.add(
                User(telegram_id=9_500_000 + event.id * 100 + n, chat_id=1)
            )
            assert person.id is not None
            uow.session.add(
                Rsvp(
                    event_id=event.id,
                    user_id=person.id,
                    status=status,
                    checked_in_at=datetime.now(UTC)
                    if status == "going" and n < checked_in
                    else None,
                )
            )
        await uow.commit()
        return event.id


@pytest.fixture
async def world(deps: Deps) -> World:
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=PCSO, role="pcso", community="Tarvin")
        await grant_role(uow, telegram_id=ORGANISER, role="organiser", lpu="chester")
        await grant_role(uow, telegram_id=ADMIN, role="admin")
        await grant_role(uow, telegram_id=SERGEANT_CREWE, role="sergeant", lpu="crewe")
        await uow.commit()
    tarvin, hoole = await _community(deps, "Tarvin"), await _community(deps, "Hoole")
    crewe = await _community(deps, "Crewe Central")
    now = datetime.now(UTC)
    answered = {"Tarvin": 6, "Hoole": 7, "Crewe Central": 8}
    for community in (tarvin, hoole, crewe):
        await _answers(deps, community, answered[community.name], now)
    return World(tarvin, hoole, crewe, answered)


@pytest.fixture
def web_app(app: App) -> object:
    return create_web_app(app)


@pytest.fixture
async def browser(web_app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=web_app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def dashboard_link(deps: Deps, telegram_id: int, name: str = "Sam") -> str:
    """Send /dashboard to the bot as this person; the sign-in link's token."""
    replies = await Resident(deps, telegram_id, name).send("/dashboard")
    [reply] = replies
    assert isinstance(reply, Text)
    found = LINK.search(reply.text)
    assert found, reply.text
    return found.group(1)


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, page
    return found.group(1)


async def sign_in(deps: Deps, browser: httpx.AsyncClient, telegram_id: int) -> str:
    """Sign in through a fresh link; the CSRF token of the signed-in session."""
    token = await dashboard_link(deps, telegram_id)
    form = await browser.get(f"/signin/{token}")
    assert form.status_code == 200, form.text
    done = await browser.post(f"/signin/{token}", data={"csrf": csrf_of(form.text)})
    assert done.status_code == 303, done.text
    home = await browser.get("/")
    assert home.status_code == 200, home.text
    return csrf_of(home.text)
