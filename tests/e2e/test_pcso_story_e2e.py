"""Issue 6's story end to end, on both transports: a PCSO joins through an invitation,
publishes a weekly surgery that reaches the team's follower, then broadcasts to the
followers; a resident who tries the same, with the PCSO's own button data, cannot.
"""

from __future__ import annotations

import argparse
import dataclasses
import re
from datetime import UTC, datetime

from sqlmodel import select

from bot.dispatcher import DispatchConfig, Dispatcher
from bot.staff_invites import make_invite
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.payloads import encode
from storage.models import Broadcast, Delivery
from tests.e2e.conftest import RunningBot
from tests.e2e.test_broadcasts_e2e import forge_press
from tests.fakes.bot_api import FakeBotApi

NOW = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)  # a Wednesday, midday: nobody's quiet hours


async def test_an_invited_pcso_publishes_a_surgery_and_broadcasts(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    app = running_bot.app
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOW)
    settings = app.settings.model_copy(update={"bot_username": app.deps.bot_username})
    args = argparse.Namespace(role="pcso", community="Tarvin", lpu=None, note="", expires_hours=72)
    async with app.deps.uow() as uow:
        lines = await make_invite(uow, settings, args, app.deps.clock())
        await uow.commit()
    token = re.search(r"start=(staff-[\w-]+)", "\n".join(lines))
    assert token is not None

    fern = bot_api.user(5_750_000_002, "Fern")
    await fern.send("/officer")
    await fern.wait_for(contains="Send your postcode")
    await fern.send("CH3 8EH")
    await fern.wait_for(contains="your PCSO")
    await fern.press("Follow updates from this team")
    await fern.wait_for(lambda m: bool(m["edited"]), contains="your PCSO")

    pat = bot_api.user(5_750_000_001, "Pat")
    await pat.send(f"/start {token.group(1)}")
    welcome = await pat.wait_for(contains="Welcome to the team")
    assert "/broadcast" in welcome["text"]

    # Surgery times, in the chat.
    await pat.send("/organise")
    await pat.wait_for(contains="Plan events")
    await pat.press("New event")
    await pat.wait_for(contains="What is it called?")
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
    for _ in range(4):
        await pat.send("/skip")
        await pat.wait_idle()
    await pat.wait_for(contains="Check your event")
    await pat.press("Save")
    await pat.wait_for(contains="1 follower of the team will be told")
    dispatcher = Dispatcher(
        app,
        running_bot.transport.port,
        "e2e",
        lambda: NOW,
        DispatchConfig(per_chat_interval=0.0, progress_interval=0.0),
    )
    assert await dispatcher.run_due() == 1
    await fern.wait_for(contains="New police surgery")

    # A broadcast to the followers.
    await pat.send("/broadcast")
    await pat.wait_for(contains="Write your message to the people who follow Tarvin")
    await pat.send("The surgery is every Tuesday at the library from now on.")
    await pat.wait_for(contains="This goes to 1 person who follows Tarvin")
    await pat.press("✅ Send now")
    await pat.wait_for(contains="Sending to 1 person")

    # A resident cannot broadcast, even with forged button data.
    rik = bot_api.user(5_750_000_003, "Rik")
    await rik.send("/broadcast")
    await rik.wait_for(contains="Only neighbourhood policing teams and organisers")
    async with app.deps.uow() as uow:
        [sent] = (await uow.session.exec(select(Broadcast))).all()
    assert sent.id is not None
    await rik.send("/start")
    await rik.wait_idle()
    for action in (BroadcastAction.STOP, BroadcastAction.SEND, BroadcastAction.START):
        await forge_press(rik, encode(BroadcastButton(action, sent.id, 0, sent.version)))
        await rik.wait_idle()
    async with app.deps.uow() as uow:
        assert (await uow.session.exec(select(Broadcast))).all()[0].status == "sending"

    assert await dispatcher.run_due() == 1
    await fern.wait_for(contains="every Tuesday at the library")
    async with app.deps.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.kind == "broadcast"))).all()
    assert [r.status for r in rows] == ["sent"]
