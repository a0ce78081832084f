"""A notice from the delivery engine too long for one message, over real HTTP on both
transports and both modes.

A surgery whose access notes are long makes a notice over Telegram's 4096 units: it
goes as two messages, the buttons ("✅ Going") on the second. The delivery engine
recorded only the last (``deliveries.message_id``), so the quick exit left the first
part in the resident's chat, and a press of "Going" edited the second message into
the event page's first part and sent the rest after it, under the notice's stale
first part. Now every part is in ``chat_messages`` (the earlier with ``page_end``).
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.bootstrap import App
from bot.dispatcher import DispatchConfig, Dispatcher
from handlers.surgeries.notices import announce_new
from storage.models import Community, Event, User
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import FakeUser

NOW = datetime(2027, 3, 24, 12, 0, tzinfo=UTC)  # a Wednesday, midday: nobody's quiet hours
FOLLOWER_ID = 5_710_000_001
ACCESS = "Step-free entrance from the car park, a hearing loop at the desk & a quiet room. " * 55


async def long_surgery_notice(app: App, bot_api: FakeBotApi, running_bot: RunningBot) -> FakeUser:
    """A follower of Tarvin is sent a notice of a new surgery, as two messages."""
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOW)
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        user = await uow.users.add(
            User(telegram_id=FOLLOWER_ID, chat_id=FOLLOWER_ID, first_name="Fern")
        )
        assert user.id is not None and tarvin.id is not None
        await uow.follows.follow(user.id, tarvin.id)
        surgery = Event(
            kind="surgery",
            title="Tarvin police surgery",
            venue="Tarvin Library",
            address="High Street, Tarvin",
            accessibility=ACCESS,
            community_id=tarvin.id,
            lpu_id=tarvin.lpu_id,
            starts_at=NOW + timedelta(days=6),
        )
        uow.session.add(surgery)
        await uow.session.flush()
        assert await announce_new(uow, [surgery], NOW) == 1
        await uow.commit()
    fern = bot_api.user(FOLLOWER_ID, "Fern")
    dispatcher = Dispatcher(app, running_bot.transport.port, "e2e", lambda: NOW, DispatchConfig())
    assert await dispatcher.run_due() == 1
    await fern.wait_for(lambda m: bool(m.get("reply_markup")) and "Going" in str(m))
    await fern.wait_idle()
    first, last = texts(fern)
    assert first["text"].startswith("👮 New police surgery") and not fern.buttons(first)
    assert "✅ Going" in fern.buttons(last)
    return fern


def texts(user: FakeUser) -> list[dict[str, Any]]:
    return [m for m in user.messages if "text" in m]


async def test_the_quick_exit_deletes_every_part_of_a_long_notice(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    fern = await long_surgery_notice(running_bot.app, bot_api, running_bot)
    notice = {m["message_id"] for m in texts(fern)}
    await fern.send("/exit")
    await fern.wait_for(contains="Have a good day!")
    await fern.wait_idle()
    assert notice <= set(bot_api.deleted[fern.id])  # the first part too, not only the last
    assert [m["text"] for m in texts(fern)] == ["Have a good day!"]


async def test_going_on_a_long_notice_redoes_it_in_its_own_messages(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    fern = await long_surgery_notice(running_bot.app, bot_api, running_bot)
    before = texts(fern)
    await fern.press("✅ Going", before[-1])
    await fern.wait_for(contains="You said you are going")
    await fern.wait_idle()
    after = texts(fern)
    # The notice's two messages became the event page; nothing is left of the notice
    # above it, and the page's start is shown once, at the top.
    assert [m["message_id"] for m in after] == [m["message_id"] for m in before]
    assert not any("New police surgery" in m["text"] for m in after)
    assert after[0]["text"].startswith("👮 Tarvin police surgery"), after[0]["text"][:80]
    assert sum("Tarvin police surgery" in m["text"] for m in after) == 1
    assert "You said you are going" in after[-1]["text"] and fern.buttons(after[-1])
