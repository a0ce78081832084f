"""The dashboard in headless Chromium, end to end with the real bot.

The real aiogram application talks to the fake Bot API over HTTP; the dashboard
is served by uvicorn on 127.0.0.1 in the same event loop (as ``chinwag run``
serves it). Staff send /dashboard in Telegram and the browser opens the link
from the bot's reply. The links name the public address (``PUBLIC``), which this
machine does not serve, so the browser takes their path to the local server.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.async_playwright import Axe
from pydantic import SecretStr
from sqlmodel import col, select

from bot.dispatcher import DispatchConfig, Dispatcher
from bot.settings import Settings
from bot.web.server import WebServer
from storage.models import Event, Poll
from tests.browser.conftest import (
    ORGANISER,
    PCSO,
    PUBLIC,
    SCREEN,
    add_event,
    answer_now,
    community,
    demo_answers,
    funding_application,
    readme_dir,
    staff,
    user_id,
)
from tests.e2e.conftest import RunningBot, start_bot
from tests.e2e.test_conversation import walk_to_exists
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import FakeUser
from tests.fakes.markup import inline_buttons

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

AXE = Axe()  # axe-core, as bundled with axe-playwright-python
LIVE_WITHIN = 2.0  # seconds from a resident's answer to the room screen (issue 11)
TOKEN = "RoomTest1234"
ROOM_SAID = [  # what residents of Tarvin said since the event started, before Ann
    "Speed cameras on the main road",
    "Street lighting by the park",
    "Better street lighting on the lane",
    "Street lighting by the church",
    "A youth club for teenagers",
    "Youth club in the village hall",
    "Dog fouling on the playing field",
    "Dog fouling by the school gates",
    "Litter by the bus stop",
    "Litter and broken glass at the bus stop",
]
PLAN = {  # people who answered, by community: Chester LPU but the last
    "Chester City Centre": 27,
    "Hoole": 23,
    "Blacon": 18,
    "Tarvin": 14,
    "Upton": 11,
    "Kelsall": 6,
    "Crewe Central": 9,
}


@dataclass
class Running:
    api: FakeBotApi
    bot: RunningBot
    web: WebServer


@contextlib.asynccontextmanager
async def bot_and_dashboard(db_url: str) -> AsyncIterator[Running]:
    async with FakeBotApi() as api:
        settings = Settings(
            database_url=db_url,
            telegram_token=SecretStr(api.token),
            telegram_api_url=api.url,
            transport="aiogram",
            flood_limit=100_000,
            dashboard_url=PUBLIC,
        )
        bot = await start_bot(settings)
        web = WebServer(bot.app, "127.0.0.1:0")
        try:
            await web.start()
            yield Running(api, bot, web)
        finally:
            await web.stop()
            await bot.stop()


async def sign_in(running: Running, browser: Any, telegram_id: int, name: str) -> Any:
    """/dashboard in Telegram, then the reply's button in a fresh browser context."""
    person = running.api.user(telegram_id, name)
    await person.send("/dashboard")
    reply = await person.wait_for(contains="Your link to the dashboard")
    [button] = inline_buttons(reply.get("reply_markup"))
    link = urlsplit(button["url"])
    assert f"{link.scheme}://{link.netloc}" == PUBLIC
    context = await browser.new_context(viewport=SCREEN, locale="en-GB")
    page = await context.new_page()
    await page.goto(running.web.url + link.path)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(running.web.url + "/")
    assert await page.get_by_role("heading", level=1).inner_text() == "Overview"
    return page


async def shot(page: Any, folder: Path, name: str, readme: str = "") -> None:
    """A full-page screenshot as an artefact; ``readme`` names the README's copy
    (the 1280x800 screen), written when CHINWAG_README_SCREENSHOTS says where."""
    await page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    docs = readme_dir()
    if readme and docs is not None:
        docs.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(docs / readme), full_page=False)


async def audit(page: Any, found: dict[str, list[str]]) -> None:
    """Run axe-core on the page; its serious and critical violations go in ``found``
    under the page's path (the test fails on any)."""
    results = await AXE.run(page, options={"resultTypes": ["violations"]})
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']}; "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    if bad:
        found[urlsplit(page.url).path] = bad


async def check_in(user: FakeUser, event_id: int) -> None:
    """Scan the room screen's QR code: /start with the event's payload."""
    await user.send(f"/start ev-{event_id}-{TOKEN}")
    await user.wait_for(contains="You are checked in")


async def have_your_say(user: FakeUser, needs: str) -> None:
    """The resident questionnaire, up to the last press (left to the caller)."""
    await walk_to_exists(user)  # Tarvin
    await user.send("The library van")
    await user.wait_for(contains="What is missing")
    await user.send(needs)
    issues = await user.wait_for(contains="issues in your community now")
    await user.press("Speeding")
    await user.wait_for(lambda m: m["message_id"] == issues["message_id"] and bool(m.get("edited")))
    await user.press("Done")
    await user.wait_for(contains="Where do you want your community to be")
    await user.send("Friendly")
    await user.wait_for(contains="anything else")
    await user.press("Skip")
    await user.wait_for(contains="Please check your answers")


async def test_staff_sign_in_open_every_page_and_act_in_their_area(
    db_url: str, chromium: Any, artefacts: Path
) -> None:
    async with bot_and_dashboard(db_url) as running:
        deps = running.bot.app.deps
        await staff(deps)
        tarvin, hoole = await community(deps, "Tarvin"), await community(deps, "Hoole")
        await demo_answers(deps, PLAN)
        soon = datetime.now(UTC) + timedelta(days=5)
        fete = await add_event(deps, "Tarvin summer fete", tarvin, soon, kind="other")
        await add_event(deps, "Hoole surgery", hoole, soon + timedelta(days=1), kind="surgery")
        grant = await funding_application(deps, "chester", "Slow down signs", 12_000)

        inaccessible: dict[str, list[str]] = {}  # path -> axe's serious and critical findings
        page = await sign_in(running, chromium, ORGANISER, "Olu")
        body = await page.inner_text("main")
        chester = sum(n for name, n in PLAN.items() if name != "Crewe Central")
        assert f"People who answered in your area: {chester}" in body  # not Crewe's
        await shot(page, artefacts, "01-organiser-overview", readme="overview.png")
        await page.get_by_role("link", name="Events").first.click()
        await page.wait_for_url("**/events")
        rows = await page.inner_text("table")
        assert "Tarvin summer fete" in rows and "Hoole surgery" in rows
        await shot(page, artefacts, "02-organiser-events")

        await page.get_by_role("link", name="Tarvin summer fete").click()
        await page.wait_for_load_state()
        await audit(page, inaccessible)
        await page.get_by_role("link", name="Cancel event").click()
        await page.wait_for_load_state()
        await audit(page, inaccessible)  # the confirmation step
        await page.get_by_role("button", name="Yes, cancel it").click()
        await page.wait_for_load_state()
        await shot(page, artefacts, "02-event-cancelled")
        async with deps.uow() as uow:
            cancelled = await uow.events.get(fete)
            assert cancelled is not None and cancelled.status == "cancelled"

        # Every page in the navigation opens, with its heading and no error.
        nav = page.get_by_role("navigation", name="Dashboard pages").get_by_role("link")
        names = await nav.all_inner_texts()
        assert {"Overview", "Answers and themes", "Events", "Funding"} <= set(names)
        for n, name in enumerate(names):
            await (
                page.get_by_role("navigation", name="Dashboard pages")
                .get_by_role("link", name=name, exact=True)
                .click()
            )
            await page.wait_for_load_state()
            heading = await page.get_by_role("heading", level=1).first.inner_text()
            assert heading and "Page not found" not in heading, name
            await shot(page, artefacts, f"03-page-{n}-{name.lower().replace(' ', '-')}")
            await audit(page, inaccessible)
            if page.url.endswith("/room"):
                await page.get_by_role("link", name="Back to the dashboard").click()

        # Approving a funding application, as the chat's reviewer would.
        await page.goto(f"{running.web.url}/funding/{grant}")
        await audit(page, inaccessible)  # the review forms
        await page.get_by_role("button", name="Approve £120").click()
        await page.wait_for_load_state()
        assert "Approved £120" in await page.inner_text("main")
        await shot(page, artefacts, "03-funding-approved")
        await audit(page, inaccessible)  # with the notice
        await page.goto(f"{running.web.url}/directory")
        await page.locator("table a").first.click()  # an entry's page, with its edit form
        await page.wait_for_load_state()
        await audit(page, inaccessible)
        await page.goto(f"{running.web.url}/directory/new")  # the form for a new one
        await audit(page, inaccessible)
        async with deps.uow() as uow:
            decided = await uow.funding.application(grant)
            assert decided is not None and decided.status == "approved"
            assert decided.decided_amount_pence == 12_000

        pcso = await sign_in(running, chromium, PCSO, "Pat")
        body = await pcso.inner_text("main")
        assert f"People who answered in your area: {PLAN['Tarvin']}" in body
        assert "Hoole" not in body and "Crewe" not in body
        await pcso.goto(running.web.url + "/events")
        rows = await pcso.inner_text("main")
        assert "Tarvin summer fete" in rows and "Hoole surgery" not in rows
        await shot(pcso, artefacts, "04-pcso-events")
        await pcso.context.close()
        await page.context.close()
        assert inaccessible == {}, json.dumps(inaccessible, indent=1, ensure_ascii=False)


async def _wait_text(page: Any, selector: str, text: str, timeout: float) -> float:
    """Seconds until ``text`` is in ``selector`` on the page as it is (no reload)."""
    started = time.monotonic()
    await page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return !!e && e.innerText.includes(t); }",
        arg=[selector, text],
        timeout=timeout * 1000,
    )
    return time.monotonic() - started


async def test_the_room_screen_follows_answers_and_the_priority_poll_live(
    db_url: str, chromium: Any, artefacts: Path
) -> None:
    async with bot_and_dashboard(db_url) as running:
        deps = running.bot.app.deps
        await staff(deps)
        tarvin = await community(deps, "Tarvin")
        started = datetime.now(UTC) - timedelta(minutes=40)
        event_id = await add_event(
            deps,
            "Tarvin Community Conversation",
            tarvin,
            started,
            organiser=await user_id(deps, ORGANISER),
            token=TOKEN,
        )
        for n, said in enumerate(ROOM_SAID):
            await answer_now(deps, tarvin, 9_810_000 + n, said)

        page = await sign_in(running, chromium, ORGANISER, "Olu")
        await page.goto(f"{running.web.url}/room/{event_id}")
        live = page.locator("#live")
        assert "street lighting" in await live.inner_text()
        assert "speed cameras" not in await live.inner_text()  # one person is not a theme yet
        assert await page.locator("img[src^='data:image/png']").count() == 1
        await page.evaluate("window.notReloaded = true")
        await shot(page, artefacts, "05-room-before")
        inaccessible: dict[str, list[str]] = {}
        await audit(page, inaccessible)  # the big screen in the room, contrast included
        assert inaccessible == {}, json.dumps(inaccessible, indent=1, ensure_ascii=False)

        ann, bo = running.api.user(5_910_000_001, "Ann"), running.api.user(5_910_000_002, "Bo")
        await check_in(ann, event_id)
        await check_in(bo, event_id)
        await have_your_say(ann, "Speed cameras outside the school")
        sent = time.monotonic()
        await ann.press("Send my answers")
        await _wait_text(page, "#live .themes", "speed cameras", timeout=LIVE_WITHIN + 3)
        took = time.monotonic() - sent
        print(f"room screen: a resident's answer showed after {took:.2f} s")
        assert took < LIVE_WITHIN
        assert await page.evaluate("window.notReloaded === true")  # the stream did it
        await shot(page, artefacts, "06-room-new-theme")

        await page.get_by_role("button", name="Turn the top themes into the priority poll").click()
        await page.wait_for_url(f"**/room/{event_id}?done=sent")
        assert "0 answers so far" in await page.locator(".room-poll").inner_text()
        async with deps.uow() as uow:
            [poll] = (
                await uow.session.exec(select(Poll).where(col(Poll.event_id) == event_id))
            ).all()
            event = await uow.events.get(event_id)
        options = json.loads(poll.options)
        assert isinstance(event, Event) and "speed cameras" in options

        dispatcher = Dispatcher(
            running.bot.app, running.bot.transport.port, "browser", deps.clock, DispatchConfig()
        )
        assert await dispatcher.run_due() == 2  # the poll, to the two people checked in
        await page.evaluate("window.notReloaded = true")
        for voter, choice in ((ann, [0]), (bo, [0, 1])):
            message = await voter.wait_for(lambda m: m.get("kind") == "poll")
            await voter.answer_poll(message["poll"]["id"], choice)
        # Ann chose one option, Bo two: three answers, as the chat counts them.
        await _wait_text(page, ".room-poll", "3 answers so far", timeout=5)
        assert await page.evaluate("window.notReloaded === true")
        results = await page.locator(".room-poll").inner_text()
        assert "2 votes (67%)" in results and "1 vote (33%)" in results
        await shot(page, artefacts, "07-room-poll-results")
        await page.goto(f"{running.web.url}/room/{event_id}")  # without the notice
        await _wait_text(page, ".room-poll", "3 answers so far", timeout=5)
        await shot(page, artefacts, "08-room", readme="room.png")
        await page.set_viewport_size({"width": 390, "height": 844})  # a phone, held upright
        assert await page.evaluate("document.documentElement.scrollWidth <= 390")
        await shot(page, artefacts, "09-room-phone")
        await page.context.close()
        # The stream ends when its client goes: no connection is left for stop() to cut.
        connections = running.web._server.server_state.connections
        for _ in range(40):
            if not connections:
                break
            await asyncio.sleep(0.05)
        assert not connections
