"""A PCSO broadcasts to the followers over real HTTP, on both transports and both modes;
a resident who forges the PCSO's buttons gets nowhere."""

from __future__ import annotations

import copy
import dataclasses
import logging
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from bot.dispatcher import DispatchConfig, Dispatcher
from bot.staff_command import grant_role
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.payloads import encode
from storage.models import Broadcast, Community, Delivery, User
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import FakeUser

NOON = datetime(2026, 6, 10, 11, 0, tzinfo=UTC)  # midday in London: no quiet hours
PCSO = 5_700_000_001
RESIDENT = 5_700_000_002
FOLLOWERS = (5_700_000_011, 5_700_000_012)


async def forge_press(user: FakeUser, data: str) -> None:
    """Send a callback query with ``data`` from the user's last message with buttons,
    as a modified client could."""
    stored = user._keyboard_message(None)
    query_id = str(4_100_000_000_000 + len(user.server.world.callbacks) + 1)
    user.server.world.callbacks[query_id] = user.id
    await user._act(
        "callback_query",
        {
            "id": query_id,
            "from": copy.deepcopy(user.wire),
            "message": copy.deepcopy(stored.wire),
            "chat_instance": f"-{user.id}77",
            "data": data,
        },
    )


async def test_a_pcso_broadcasts_and_a_resident_cannot(
    bot_api: FakeBotApi, running_bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    app = running_bot.app
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOON)
    followers = [bot_api.user(chat, f"Follower {i}") for i, chat in enumerate(FOLLOWERS)]
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        assert tarvin.id is not None
        for chat in FOLLOWERS:
            user = await uow.users.add(User(telegram_id=chat, chat_id=chat, first_name="F"))
            assert user.id is not None
            await uow.follows.follow(user.id, tarvin.id)
        await grant_role(uow, telegram_id=PCSO, role="pcso", community="Tarvin")
        await uow.commit()

    pcso = bot_api.user(PCSO, "Pat")
    await pcso.send("/broadcast")
    await pcso.wait_for(contains="Write your message to the people who follow Tarvin")
    await pcso.send("Bike marking at the library on Saturday, 10 till 12.")
    await pcso.wait_for(contains="This goes to 2 people who follow Tarvin")
    await pcso.press("✅ Send now")
    status = await pcso.wait_for(contains="Sending to 2 people")

    # A resident who copies the PCSO's buttons into their own client gets nowhere.
    resident = bot_api.user(RESIDENT, "Rik")
    await resident.send("/broadcast")
    await resident.wait_for(contains="Only neighbourhood policing teams and organisers")
    await resident.send("/start")
    await resident.wait_idle()
    async with app.deps.uow() as uow:
        [sent] = (await uow.session.exec(select(Broadcast))).all()
    assert sent.id is not None and sent.status == "sending"
    caplog.set_level(logging.WARNING, logger="chinwag.security")
    await forge_press(resident, encode(BroadcastButton(BroadcastAction.STOP, sent.id)))
    await resident.wait_idle()
    answers = bot_api.callback_answers
    assert answers[max(answers)]["text"] == "You cannot do that."
    assert any(r.getMessage() == "staff action refused" for r in caplog.records)

    dispatcher = Dispatcher(
        app,
        running_bot.transport.port,
        "e2e",
        lambda: NOON,
        DispatchConfig(per_chat_interval=0.0, progress_interval=0.0),
    )
    assert await dispatcher.run_due() == 2
    for follower in followers:
        message = await follower.wait_for(contains="Bike marking at the library")
        assert "Tarvin neighbourhood team" in message["text"]
    await pcso.wait_for(
        lambda m: m["message_id"] == status["message_id"] and "Sent: 2 of 2" in m.get("text", "")
    )
    async with app.deps.uow() as uow:
        rows = (await uow.session.exec(select(Delivery))).all()
        [record] = (await uow.session.exec(select(Broadcast))).all()
    assert sorted(r.status for r in rows) == ["sent", "sent"]
    assert (record.status, record.sent_count) == ("sent", 2)

    await followers[0].press("🔕 Stop these messages")
    await followers[0].wait_for(contains="You will not get messages from Tarvin")
