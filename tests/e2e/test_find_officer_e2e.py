"""Find my officer over real HTTP, on both transports and in both modes."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Community, Follow
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi


async def test_a_resident_finds_their_team_three_ways_and_follows_it(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    deps = running_bot.app.deps
    async with deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
    user = bot_api.user(5_500_000_001, "Fay")

    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("Find my officer")
    await user.wait_for(contains="Send your postcode")
    assert "📍 Share my location" in user.reply_buttons()
    await user.send("CH3 8EH")
    card = await user.wait_for(contains="your PCSO")
    assert "Tarvin" in card["text"] and "999" in card["text"]

    await user.send("/officer")
    await user.wait_for(contains="Send your postcode")
    assert tarvin.centroid_lat is not None and tarvin.centroid_lon is not None
    await user.share_location(tarvin.centroid_lat, tarvin.centroid_lon)
    card = await user.wait_for(contains="your PCSO")
    assert "📍 Tarvin" in card["text"]

    await user.send("/officer")
    await user.wait_for(contains="Send your postcode")
    await user.send("Tarvn")
    card = await user.wait_for(contains="your police community officer")
    assert "📍 Tarvin" in card["text"]

    await user.press("Follow updates from this team")
    await user.wait_for(lambda m: m["message_id"] == card["message_id"] and bool(m.get("edited")))
    assert any("Stop following" in label for label in user.buttons(card["message_id"]))
    async with deps.uow() as uow:
        follow = (await uow.session.exec(select(Follow))).one()
    assert follow.active and follow.community_id == tarvin.id
