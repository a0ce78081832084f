"""A PCSO plans a weekly surgery in the chat and a follower of the team hears of it,
over real HTTP on both transports and both modes.

The follower follows the Tarvin team from the officer card; the PCSO (role given in
the database, as ``chinwag staff grant`` does) walks /organise; the delivery engine
sends the follower one notice, whose button opens the surgery.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from sqlmodel import select

from bot.dispatcher import DispatchConfig, Dispatcher
from storage.models import Community, User
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi

NOW = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)  # a Wednesday, midday: nobody's quiet hours
PCSO_ID = 5_700_000_001
FOLLOWER_ID = 5_700_000_002


async def test_a_pcso_plans_a_surgery_and_a_follower_hears_of_it(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    app = running_bot.app
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOW)
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        uow.session.add(
            User(
                telegram_id=PCSO_ID,
                chat_id=PCSO_ID,
                first_name="Pat",
                role="pcso",
                role_community_id=tarvin.id,
            )
        )
        await uow.commit()

    fern = bot_api.user(FOLLOWER_ID, "Fern")
    await fern.send("/officer")
    await fern.wait_for(contains="Send your postcode")
    await fern.send("CH3 8EH")
    await fern.wait_for(contains="your PCSO")
    await fern.press("Follow updates from this team")
    await fern.wait_for(lambda m: bool(m["edited"]), contains="your PCSO")  # the card, updated

    pat = bot_api.user(PCSO_ID, "Pat")
    await pat.send("/organise")
    await pat.wait_for(contains="Plan events")
    await pat.press("New event")
    await pat.wait_for(contains="What is it called?")  # a PCSO plans surgeries only
    await pat.send("Tarvin police surgery")
    await pat.wait_for(contains="When does it start?")
    await pat.send("next Tuesday 6pm")
    await pat.wait_for(contains="Tuesday 30 March 2027 at 18:00")
    await pat.press("Yes")
    await pat.wait_for(contains="Does it happen again?")
    await pat.press("Every week on Tuesday")
    await pat.wait_for(contains="Where is it?")
    await pat.send("Tarvin Library")
    await pat.wait_for(contains="What is the address?")
    await pat.send("High Street, Tarvin")
    for _ in range(4):  # map location, capacity, accessibility, description
        await pat.send("/skip")
        await pat.wait_idle()
    await pat.wait_for(contains="Check your event")
    await pat.press("Save")
    saved = await pat.wait_for(contains="Saved")
    assert "1 follower of the team will be told" in saved["text"]

    dispatcher = Dispatcher(app, running_bot.transport.port, "e2e", lambda: NOW, DispatchConfig())
    assert await dispatcher.run_due() == 1
    notice = await fern.wait_for(contains="New police surgery")
    assert "Tue 30 Mar, 18:00" in notice["text"] and "Every week on Tuesday" in notice["text"]
    assert "Tarvin Library, High Street, Tarvin" in notice["text"]
    await fern.press("Open the event", notice)
    page = await fern.wait_for(contains="Are you coming?")
    assert "Tarvin police surgery" in page["text"]
    assert await dispatcher.run_due() == 0  # once
    assert [m for m in pat.messages if "New police surgery" in m.get("text", "")] == []
