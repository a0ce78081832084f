"""The room screen's routes: who may see it, what it shows, its stream and the poll.

Over a real migrated database through httpx's ASGI transport (``tests/web/conftest``);
the browser tests (``tests/browser``) watch the same screen update in Chromium.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections.abc import AsyncGenerator
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from sqlmodel import col, select

from bot.web import live
from handlers.context import Deps
from storage.models import Answer, Community, Conversation, Event, Poll, User
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, sign_in

SAID = {
    "needs": [
        "Speed cameras on the main road",
        "Speed cameras near the school",
        "A youth club for teenagers",
        "Better street lighting by the park",
        "Street lighting on the lane",
    ]
}


async def running_event(
    deps: Deps, community: Community, *, minutes_ago: int = 30, organiser: int | None = None
) -> Event:
    """A Community Conversation that started ``minutes_ago``, organised by ``organiser``
    (a Telegram id): the chat lets an organiser poll the events they organise."""
    async with deps.uow() as uow:
        boss = await uow.users.by_telegram_id(organiser) if organiser else None
        event = Event(
            organiser_id=boss.id if boss else None,
            title="Tarvin Community Conversation",
            kind="conversation",
            community_id=community.id,
            starts_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
            venue="Village hall",
            checkin_token="abcdEFGH1234",
        )
        uow.session.add(event)
        await uow.commit()
        return event


async def answer(deps: Deps, community: Community, text: str, n: int, *, ago: int = 5) -> None:
    """A resident of ``community`` who sent ``text`` as what is missing, ``ago`` minutes ago."""
    async with deps.uow() as uow:
        user = await uow.users.add(User(telegram_id=9_700_000 + n, chat_id=9_700_000 + n))
        conversation = Conversation(
            user_id=user.id,
            questionnaire="resident",
            step="done",
            status="submitted",
            community_id=community.id,
            submitted_at=datetime.now(UTC) - timedelta(minutes=ago),
        )
        uow.session.add(conversation)
        await uow.session.flush()
        assert conversation.id is not None
        uow.session.add(Answer(conversation_id=conversation.id, question="needs", text=text))
        await uow.commit()


async def _said(deps: Deps, world: World) -> None:
    for n, text in enumerate(SAID["needs"]):
        await answer(deps, world.tarvin, text, n)
    await answer(deps, world.tarvin, "Speed cameras everywhere", 50, ago=24 * 60)  # before it


async def test_the_room_screen_shows_themes_since_the_start_and_the_qr_code(
    deps: Deps, world: World, browser: httpx.AsyncClient
) -> None:
    event = await running_event(deps, world.tarvin)
    await _said(deps, world)
    await sign_in(deps, browser, PCSO)
    index = await browser.get("/room")
    assert f'href="/room/{event.id}"' in index.text
    page = await browser.get(f"/room/{event.id}")
    assert page.status_code == 200
    assert "<h1>Tarvin Community Conversation</h1>" in page.text
    themes = re.findall(r'<span class="phrase">([^<]+)</span>', page.text)
    assert themes[:2] == ["speed cameras", "street lighting"]
    # Our five and two of the world's six in Tarvin (sent today); not the ones from before.
    assert "7 people have answered since the start." in page.text
    assert 'src="data:image/png;base64,' in page.text
    assert "https://t.me/" in page.text and f"start=ev-{event.id}-abcdEFGH1234" in page.text
    # A PCSO cannot poll the people at a Community Conversation, as in the chat.
    assert "priority poll</button>" not in page.text
    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp)
    assert nonce and f'<script nonce="{nonce.group(1)}">' in page.text
    assert "connect-src 'self'" in csp and page.headers.get_list("content-security-policy") == [csp]
    other = await browser.get("/events")  # every other page keeps the script-free policy
    assert "script-src" not in other.headers["content-security-policy"]


async def test_only_running_conversations_in_the_viewers_area_have_a_screen(
    deps: Deps, world: World, browser: httpx.AsyncClient
) -> None:
    here = await running_event(deps, world.tarvin)
    later = await running_event(deps, world.tarvin, minutes_ago=-24 * 60)  # tomorrow
    over = await running_event(deps, world.tarvin, minutes_ago=5 * 60)
    await sign_in(deps, browser, SERGEANT_CREWE)
    assert (await browser.get(f"/room/{here.id}")).status_code == 404  # another LPU
    assert (await browser.get(f"/room/{here.id}/stream")).status_code == 404
    await sign_in(deps, browser, ADMIN)
    assert (await browser.get(f"/room/{here.id}")).status_code == 200
    assert (await browser.get(f"/room/{later.id}")).status_code == 404
    assert (await browser.get(f"/room/{over.id}")).status_code == 404


async def test_the_stream_refuses_a_stranger_with_401_and_no_page(
    world: World, browser: httpx.AsyncClient, deps: Deps
) -> None:
    event = await running_event(deps, world.tarvin)
    response = await browser.get(f"/room/{event.id}/stream")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/plain")
    assert "<html" not in response.text


async def test_the_stream_sends_the_live_part_when_something_changes(
    deps: Deps, world: World
) -> None:
    event = await running_event(deps, world.tarvin)
    assert event.id is not None
    sent: list[str] = []
    stream = live.room_stream(
        deps, event.id, "", lambda s: json.dumps([t.phrase for t in s.themes]), tick=0.05
    )
    assert (await anext(stream)).startswith("retry: ")
    first = await asyncio.wait_for(anext(stream), 5)
    assert first == "event: room\ndata: []\n\n"
    await _said(deps, world)
    while "street lighting" not in (sent[-1] if sent else ""):  # each answer is a change
        sent.append(await asyncio.wait_for(anext(stream), 5))
    assert all(m.startswith("event: room\ndata: [") for m in sent) and len(sent) <= 6
    assert "speed cameras" in sent[-1]
    nothing = asyncio.ensure_future(anext(stream))
    await asyncio.sleep(0.3)
    assert not nothing.done()  # nothing changed, so nothing is sent
    nothing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await nothing
    assert isinstance(stream, AsyncGenerator)  # room_stream is an async generator function
    await stream.aclose()


def test_an_event_is_multi_line_safe() -> None:
    assert live.sse("room", "<li>a</li>\n<li>b</li>") == (
        "event: room\ndata: <li>a</li>\ndata: <li>b</li>\n\n"
    )


async def test_the_organiser_turns_the_top_themes_into_the_priority_poll(
    deps: Deps, world: World, browser: httpx.AsyncClient
) -> None:
    event = await running_event(deps, world.tarvin, organiser=ORGANISER)
    await _said(deps, world)
    csrf = await sign_in(deps, browser, ORGANISER)
    page = await browser.get(f"/room/{event.id}")
    assert "Turn the top themes into the priority poll" in page.text
    forged = await browser.post(f"/room/{event.id}/poll", data={"csrf": "x" * 32})
    assert forged.status_code == 403
    done = await browser.post(f"/room/{event.id}/poll", data={"csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/room/{event.id}?done=sent"
    async with deps.uow() as uow:
        [poll] = (await uow.session.exec(select(Poll).where(col(Poll.event_id) == event.id))).all()
        organiser = (
            await uow.session.exec(select(User).where(col(User.telegram_id) == ORGANISER))
        ).one()
    assert poll.status == "open" and poll.question == "Which of these should we work on first?"
    assert "speed cameras" in json.loads(poll.options) and poll.allows_multiple
    assert organiser.awaiting == ""
    shown = await browser.get(done.headers["location"])
    assert "The priority poll has gone to the people at this event." in shown.text
    assert 'id="poll-heading">Which of these should we work on first?</h2>' in shown.text
    closed = await browser.post(f"/room/{event.id}/close", data={"csrf": csrf})
    assert closed.status_code == 303
    async with deps.uow() as uow:
        again = await uow.polls.get(poll.id)  # type: ignore[arg-type]
        assert again is not None and again.status == "closed"


async def test_too_few_answers_make_no_poll_and_leave_no_draft(
    deps: Deps, world: World, browser: httpx.AsyncClient
) -> None:
    event = await running_event(deps, world.tarvin, organiser=ORGANISER)
    csrf = await sign_in(deps, browser, ORGANISER)
    done = await browser.post(f"/room/{event.id}/poll", data={"csrf": csrf})
    assert done.headers["location"].endswith("?done=few")
    async with deps.uow() as uow:
        assert not (await uow.session.exec(select(Poll))).all()
        organiser = (
            await uow.session.exec(select(User).where(col(User.telegram_id) == ORGANISER))
        ).one()
        assert organiser.awaiting == ""


async def test_the_room_screen_speaks_the_viewers_language(
    deps: Deps, world: World, browser: httpx.AsyncClient
) -> None:
    event = await running_event(deps, world.tarvin)
    await sign_in(deps, browser, PCSO)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User).where(col(User.telegram_id) == PCSO).values(language="cy")
        )
        await uow.commit()
    page = (await browser.get(f"/room/{event.id}")).text
    assert '<html lang="cy" dir="ltr">' in page
    assert "Beth mae pobl yn ei godi" in page and "Ymunwch o’ch sedd" in page
