"""A resident finds a directory entry by category and by a need, over real HTTP, on both
transports and in both modes."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Community, User
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi

RESIDENT = 5_800_000_001


async def test_a_resident_finds_an_entry_by_category_and_by_a_need(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    deps = running_bot.app.deps
    async with deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        await uow.users.add(
            User(telegram_id=RESIDENT, chat_id=RESIDENT, first_name="Dee", community_id=tarvin.id)
        )
        await uow.commit()
    user = bot_api.user(RESIDENT, "Dee")

    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("📚 What's already here")
    await user.wait_for(contains="type what you are looking for")
    await user.press("🛹 Youth clubs and young people")
    await user.wait_for(contains="Nearest to you first")
    await user.press("Tarvin Youth Club")
    card = await user.wait_for(contains="Where and when")
    assert "Tarvin Community Centre" in card["text"] and "<b>" not in card["text"]

    await user.send("/directory")
    await user.wait_for(contains="type what you are looking for")
    await user.send("I feel lonely since my wife died")
    found = await user.wait_for(contains="nearest first")
    assert "Hoole Cuppa and Chat" in user.buttons(found["message_id"])
    await user.press("Hoole Cuppa and Chat", found["message_id"])
    card = await user.wait_for(contains="Hoole Library")
    assert "Serves: Hoole" in card["text"]
