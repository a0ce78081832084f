"""Find my officer through the core: postcode, location, misspelt place name, follow."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlmodel import select

from bot.bootstrap import App
from bot.integrations.postcodes_io import PostcodesIo
from handlers.outbound import Notice
from storage.models import Community, Follow
from tests.fakes.postcodes_api import FakePostcodesApi
from tests.support.resident import Resident


@pytest.fixture
async def postcodes_api() -> AsyncIterator[FakePostcodesApi]:
    api = FakePostcodesApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def finder(app: App, postcodes_api: FakePostcodesApi) -> AsyncIterator[App]:
    locator = PostcodesIo(postcodes_api.url)
    app.deps = dataclasses.replace(app.deps, postcode_locator=locator)
    yield app
    await locator.close()


async def ask(app: App, text: str, telegram_id: int = 6_000_000_001) -> Resident:
    r = Resident(app.deps, telegram_id)
    await r.send("/officer")
    assert "Send your postcode" in r.text
    await r.send(text)
    return r


async def community(app: App, name: str) -> Community:
    async with app.deps.uow() as uow:
        return (await uow.session.exec(select(Community).where(Community.name == name))).one()


@pytest.mark.parametrize("typed", ["CH3 8EH", "ch38eh", "  Ch3  8eh "])
async def test_a_full_postcode_finds_the_team_without_the_network(
    finder: App, postcodes_api: FakePostcodesApi, typed: str
) -> None:
    r = await ask(finder, typed)
    text = r.text
    assert "Tarvin" in text and "Chester area" in text
    assert "your police community officer" in text and "your PCSO" in text
    assert "Community base" in text
    assert "call 999" in text and "101" in text
    assert postcodes_api.requests == []  # answered from the communities' postcode sectors


async def test_an_outward_code_offers_a_short_list(finder: App) -> None:
    r = await ask(finder, "CH3")
    labels = [b.label for b in r.buttons()]
    assert "Tarvin" in labels and len(labels) >= 3
    await r.press("Tarvin")
    assert "your PCSO" in r.text


async def test_a_bad_postcode_gets_a_friendly_error_with_an_example(finder: App) -> None:
    r = await ask(finder, "CH3 8E")
    assert "does not look like a postcode" in r.text and "CH3 8EH" in r.text


async def test_a_misspelt_place_name_is_found(finder: App) -> None:
    r = await ask(finder, "Tarvn")
    assert "📍 Tarvin" in r.text


async def test_several_matching_places_give_a_choice(finder: App) -> None:
    r = await ask(finder, "Crewe")
    labels = [b.label for b in r.buttons()]
    assert {"Crewe Central", "Crewe East"} <= set(labels)


async def test_a_shared_location_finds_the_community_it_lies_in(finder: App) -> None:
    from handlers.inbound import LocationShared

    tarvin = await community(finder, "Tarvin")
    assert tarvin.centroid_lat is not None and tarvin.centroid_lon is not None
    r = Resident(finder.deps, 6_000_000_002)
    await r.send("/officer")
    await r._do(
        LocationShared(sender=r.sender, latitude=tarvin.centroid_lat, longitude=tarvin.centroid_lon)
    )
    assert "📍 Tarvin" in r.text and "nearest team" not in r.text
    await r._do(LocationShared(sender=r.sender, latitude=51.5007, longitude=-0.1246))  # Westminster
    assert "outside our area" in r.text and "police.uk" in r.text


async def test_postcodes_outside_the_sectors_ask_the_postcode_service_once(
    finder: App, postcodes_api: FakePostcodesApi
) -> None:
    r = await ask(finder, "M1 1AE")
    assert "outside our area" in r.text
    r = await ask(finder, "SY14 9QQ", 6_000_000_003)
    assert "📍" in r.text and "your PCSO" in r.text
    r = await ask(finder, "sy14 9qq", 6_000_000_004)
    assert "📍" in r.text
    assert postcodes_api.requests.count("/postcodes/SY14 9QQ") == 1  # cached after the first time


async def test_an_unknown_postcode_and_a_service_that_is_down(
    finder: App, postcodes_api: FakePostcodesApi
) -> None:
    r = await ask(finder, "ZZ9 9ZZ")
    assert "could not find that" in r.text
    postcodes_api.down = True
    r = await ask(finder, "WA7 9ZZ", 6_000_000_005)
    assert "cannot check postcodes just now" in r.text


async def test_following_and_unfollowing_the_team(finder: App) -> None:
    r = await ask(finder, "CH3 8EH")
    await r.press("Follow updates from this team")
    assert "You now follow the Tarvin team" in str(r.replies)
    assert any("Stop following" in b.label for b in r.buttons())
    async with finder.deps.uow() as uow:
        follow = (await uow.session.exec(select(Follow))).one()
        assert follow.active
    await r.press("Stop following")
    async with finder.deps.uow() as uow:
        assert not (await uow.session.exec(select(Follow))).one().active


async def test_the_conversation_accepts_a_postcode_for_the_community(finder: App) -> None:
    r = Resident(finder.deps, 6_000_000_006)
    await r.send("/start")
    await r.press("Have your say")
    await r.press("Start")
    await r.press("I agree")
    await r.send("CH3 8EH")
    assert "Tarvin: saved" in r.text and "What is already available" in r.text


async def test_the_found_community_is_remembered_for_the_conversation(finder: App) -> None:
    r = await ask(finder, "Tarvn", 6_000_000_007)
    await r.send("/start")
    await r.press("Have your say")
    await r.press("Start")
    await r.press("I agree")
    assert "📍 Tarvin" in [b.label for b in r.buttons()]


async def test_the_follow_notice_shows_an_ampersand_as_written(finder: App) -> None:
    """A pop-up notice is plain text: "Tarvin & Kelsall", not "Tarvin &amp; Kelsall"."""
    async with finder.deps.uow() as uow:
        tarvin = await community(finder, "Tarvin")
        tarvin.name = "Tarvin & Kelsall"
        uow.session.add(tarvin)
        await uow.commit()
    r = await ask(finder, "CH3 8EH")
    await r.press("Follow updates from this team")
    [notice] = [reply.text for reply in r.replies if isinstance(reply, Notice)]
    assert notice == "You now follow the Tarvin & Kelsall team."
    await r.press("Stop following")
    [notice] = [reply.text for reply in r.replies if isinstance(reply, Notice)]
    assert notice == "You no longer follow the Tarvin & Kelsall team."
