"""A resident finds a directory entry by category and by a need, and a PCSO changes an
entry's category and keywords, over real HTTP, on both transports and in both modes."""

from __future__ import annotations

from sqlmodel import select

from bot.staff_command import grant_role
from storage.models import Community, User
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi

RESIDENT = 5_800_000_001
PCSO = 5_800_000_002


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


async def test_a_pcso_changes_the_category_and_keywords_and_residents_find_it(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    async with running_bot.app.deps.uow() as uow:
        await grant_role(uow, telegram_id=PCSO, role="pcso", community="Tarvin")
        await uow.commit()
    pcso = bot_api.user(PCSO, "Pat")

    await pcso.send("/directory Tarvin Walking Group")
    await pcso.wait_for(contains="nearest first")
    await pcso.press("Tarvin Walking Group")
    await pcso.wait_for(contains="Serves: Tarvin")
    await pcso.press("✏️ Edit")
    await pcso.wait_for(contains="Which part do you want to change?")
    await pcso.press("Category")
    await pcso.wait_for(contains="Which category is it?")
    assert "✔️ 🎭 Clubs and activities" in pcso.buttons()
    await pcso.press("☕ Befriending and social groups")
    card = await pcso.wait_for(contains="Where and when")
    assert "☕ Befriending and social groups" in card["text"]

    await pcso.press("✏️ Edit")
    await pcso.wait_for(contains="Which part do you want to change?")
    await pcso.press("Keywords")
    await pcso.wait_for(contains="separated by commas")
    await pcso.send("bowls, <b>crown green</b>, Bowls")
    card = await pcso.wait_for(contains="Keywords:")
    assert "🔎 Keywords: bowls, <b>crown green</b>" in card["text"]  # escaped, shown as typed

    resident = bot_api.user(RESIDENT, "Dee")
    await resident.send("/start")
    await resident.wait_for(contains="What would you like to do?")
    await resident.send("/directory crown green")
    found = await resident.wait_for(contains="nearest first")
    assert "Tarvin Walking Group" in resident.buttons(found["message_id"])
