"""A page too long for one message, with buttons, over real HTTP on both transports.

An event written to every field's limit makes a page longer than Telegram's 4096
units: it goes as two messages, the buttons on the second. Pressing "Going" there
used to edit that second message into the new page's first part and send the rest
after it, so the resident saw the page's start twice (the old one above, stale) and
the message they pressed turned into the top of the page. Now the page is redone in
its own messages: each part is edited in place, the buttons stay at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlmodel import select

from bot.bootstrap import App
from handlers.events.organise.steps import TEXT_FIELDS
from storage.models import Community, Event
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import FakeUser

RESIDENT = 5_610_000_001


def longest(field: str, words: str) -> str:
    limit = TEXT_FIELDS[field][1]
    return (words * limit)[:limit].strip()


async def full_event(app: App) -> Event:
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        event = Event(
            kind="other",
            title=longest("title", "Tea & cake "),
            venue=longest("venue", "Hall & garden "),
            address=longest("address", "Church Street & High Street "),
            accessibility=longest("access", "Ramp & loop "),
            description=longest("desc", "Music & games for all 🎶 "),
            community_id=tarvin.id,
            lpu_id=tarvin.lpu_id,
            starts_at=datetime.now(UTC) + timedelta(days=5),
        )
        uow.session.add(event)
        await uow.commit()
    return event


def texts(user: FakeUser) -> list[dict[str, Any]]:
    return [m for m in user.messages if "text" in m]


async def test_going_on_a_split_event_page_redoes_the_page_in_place(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    await full_event(running_bot.app)
    user = bot_api.user(RESIDENT, "Rae")
    await user.send("/officer")
    await user.wait_for(contains="Send your postcode")
    await user.send("CH3 8EH")
    await user.wait_for(contains="your PCSO")
    await user.send("/events")
    await user.wait_for(contains="What is on near Tarvin")
    await user.press("Tea & cake")
    await user.wait_for(lambda m: bool(m.get("reply_markup")) and "Going" in str(m))
    await user.wait_idle()
    before = texts(user)
    first, last = before[-2], before[-1]
    assert first["text"].startswith("📅 Tea & cake"), first["text"][:80]  # the page's two parts
    assert not user.buttons(first) and user.buttons(last)

    await user.press("Going", last)
    await user.wait_for(contains="You said you are going")
    await user.wait_idle()
    after = texts(user)
    # The same two messages, nothing added: the start is shown once, at the top.
    assert [m["message_id"] for m in after] == [m["message_id"] for m in before]
    assert after[-2]["text"].startswith("📅 Tea & cake") and not user.buttons(after[-2])
    assert not after[-1]["text"].startswith("📅 Tea & cake")
    assert "You said you are going" in after[-1]["text"] and user.buttons(after[-1])
    assert sum(m["text"].startswith("📅 Tea & cake") for m in after) == 1
