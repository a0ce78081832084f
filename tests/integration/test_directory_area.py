"""The area a directory entry serves, set in the chat: "Edit" → "Area" moves an entry,
"Add an entry" asks for it after the category; buttons or a community's name typed,
and only areas the person looks after (forged buttons and typed names too)."""

from __future__ import annotations

import logging

import pytest

from bot.staff_command import grant_role
from handlers.context import Deps
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.outbound import Notice
from handlers.payloads import MAX_BYTES, encode
from storage.models import DirectoryEntry
from tests.integration.test_directory import living_in, staff
from tests.integration.test_directory_edit import editing, entry_id, snapshot, stored
from tests.support.resident import Resident

ADMIN_ID = 7_320_000_001
ORGANISER_ID = 7_320_000_002
PCSO_ID = 7_320_000_003
RESIDENT_ID = 7_320_000_004
QUESTION = "Which area does it serve?"


async def community_id(deps: Deps, slug: str) -> int:
    async with deps.uow() as uow:
        found = await uow.communities.by_slug(slug)
        assert found is not None and found.id is not None
        return found.id


async def lpu_id(deps: Deps, slug: str) -> int:
    async with deps.uow() as uow:
        found = await uow.communities.lpu_by_slug(slug)
        assert found is not None and found.id is not None
        return found.id


async def draft_of(deps: Deps, telegram_id: int) -> DirectoryEntry:
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None and user.id is not None
        draft = await uow.directory.draft_for(user.id)
        assert draft is not None
        return draft


def labels(person: Resident) -> list[str]:
    return [b.label for b in person.buttons()]


def fits(person: Resident) -> bool:
    return all(len(b.payload.encode()) <= MAX_BYTES for b in person.buttons())


async def adding(person: Resident, name: str) -> None:
    """Start "Add an entry" and give the name and the category."""
    await person.send("/organise")
    await person.press("Directory")
    await person.press("Add an entry")
    await person.send(name)
    await person.press("Clubs and activities")


async def test_edit_moves_an_entry_and_residents_there_find_it_first(deps: Deps) -> None:
    async with deps.uow() as uow:  # a walking group in the resident's LPU
        await uow.directory.add(
            DirectoryEntry(
                name="Crewe Ramblers",
                category="clubs",
                keywords="walks",
                community_id=await community_id(deps, "crewe-east"),
            )
        )
        await uow.commit()
    crewe = await living_in(deps, Resident(deps, RESIDENT_ID), "crewe-central")
    await crewe.send("/directory walks")
    assert labels(crewe)[:2] == ["Crewe Ramblers", "Tarvin Walking Group"]  # nearest first
    walking = await entry_id(deps, "Tarvin Walking Group")

    admin = await staff(deps, ADMIN_ID, "admin")
    await editing(admin, "Tarvin Walking Group")
    await admin.press("Area")
    assert QUESTION in admin.text
    assert labels(admin)[:2] == ["🌍 The whole force", "✔️ Chester"]  # Tarvin is in Chester
    await admin.press("Crewe")
    assert "All of Crewe" in labels(admin) and "Tarvin" not in labels(admin) and fits(admin)
    await admin.send("crewe")  # several communities: which one?
    assert "Which one do you mean?" in admin.text
    assert labels(admin)[:5] == [
        f"Crewe {p}" for p in ("Central", "East", "North", "South", "West")
    ]
    await admin.press("Crewe Central")
    assert "Saved." in admin.text and "Serves: Crewe Central" in admin.text
    entry = await stored(deps, walking)
    assert (entry.community_id, entry.lpu_id) == (await community_id(deps, "crewe-central"), None)

    await crewe.send("/directory walks")
    assert labels(crewe)[:2] == ["Tarvin Walking Group", "Crewe Ramblers"]
    await crewe.press("Tarvin Walking Group")
    assert "Serves: Crewe Central" in crewe.text
    await crewe.send("/directory")
    await crewe.press("Clubs and activities")
    assert labels(crewe)[0] == "Tarvin Walking Group"

    await admin.press("Edit")
    await admin.press("Area")
    assert "✔️ Crewe" in labels(admin) and "✔️ Chester" not in labels(admin)
    await admin.press("🌍 The whole force")
    assert "Serves: everyone in the force area" in admin.text
    entry = await stored(deps, walking)
    assert (entry.community_id, entry.lpu_id) == (None, None)


async def test_an_organiser_moves_an_entry_within_their_lpu_by_button_and_by_name(
    deps: Deps,
) -> None:
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    hoole = await entry_id(deps, "Hoole Cuppa and Chat")
    await editing(organiser, "Hoole Cuppa and Chat")
    await organiser.press("Area")
    shown = labels(organiser)
    assert shown[0] == "All of Chester" and "✔️ Hoole" in shown and "Tarvin" in shown
    assert "🌍 The whole force" not in shown and "◀️ All areas" not in shown
    assert not any(name.startswith("Crewe") for name in shown) and fits(organiser)
    await organiser.send("Uptn")  # a typo, as the officer finder forgives
    assert "Serves: Upton" in organiser.text
    assert (await stored(deps, hoole)).community_id == await community_id(deps, "upton")

    upton = await living_in(deps, Resident(deps, RESIDENT_ID), "upton")
    await upton.send("/directory lonely")
    assert labels(upton)[0] == "Hoole Cuppa and Chat"

    await organiser.press("Edit")
    await organiser.press("Area")
    await organiser.press("All of Chester")
    entry = await stored(deps, hoole)
    assert (entry.community_id, entry.lpu_id) == (None, await lpu_id(deps, "chester"))
    assert "Serves: Chester" in organiser.text
    [same] = await organiser.press_data(
        encode(DirectoryButton(DirectoryAction.SET_LPU, hoole, await lpu_id(deps, "chester")))
    )
    assert isinstance(same, Notice) and same.text == "Nothing was changed."


async def test_add_asks_for_the_area_after_the_category(deps: Deps) -> None:
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    await adding(organiser, "Upton Chess Club")
    assert QUESTION in organiser.text and "New entry: Upton Chess Club" in organiser.text
    assert labels(organiser)[0] == "✔️ All of Chester"  # their own LPU, to start with
    await organiser.send("Atlantis")
    assert "I found no community called “Atlantis” that you look after." in organiser.text
    await organiser.press("Upton")
    assert "Describe it in a sentence or two" in organiser.text
    for _ in range(6):  # description to keywords
        await organiser.press("Skip")
    assert "Residents can find it now" in organiser.text and "Serves: Upton" in organiser.text
    async with deps.uow() as uow:
        club = await uow.directory.by_name("Upton Chess Club")
    assert club is not None and club.status == "active"
    assert (club.community_id, club.lpu_id) == (await community_id(deps, "upton"), None)

    upton = await living_in(deps, Resident(deps, RESIDENT_ID), "upton")
    await upton.send("/directory chess")
    assert labels(upton)[0] == "Upton Chess Club"

    admin = await staff(deps, ADMIN_ID, "admin")
    await adding(admin, "Crewe Board Games")
    assert labels(admin)[0] == "✔️ 🌍 The whole force"  # an admin's own area
    await admin.press("Crewe")
    await admin.press("All of Crewe")
    assert "Describe it in a sentence or two" in admin.text
    draft = await draft_of(deps, ADMIN_ID)
    assert draft.name == "Crewe Board Games"
    assert (draft.community_id, draft.lpu_id) == (None, await lpu_id(deps, "crewe"))


async def test_a_pcso_is_not_asked_the_area_and_has_no_area_to_edit(deps: Deps) -> None:
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    await adding(pcso, "Tarvin Bowls")
    assert QUESTION not in pcso.text and "Describe it in a sentence or two" in pcso.text
    draft = await draft_of(deps, PCSO_ID)
    assert draft.community_id == await community_id(deps, "tarvin")
    await editing(pcso, "Tarvin Walking Group")
    assert "Category" in labels(pcso) and "Area" not in labels(pcso)


async def test_an_area_outside_the_persons_scope_is_refused_and_logged(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    resident = Resident(deps, RESIDENT_ID)
    for person in (organiser, pcso, resident):  # their first message fills in their name
        await person.send("/start")
    walking = await entry_id(deps, "Tarvin Walking Group")
    force_wide = await entry_id(deps, "Cheshire Money Advice Drop-in")
    crewe_central = await community_id(deps, "crewe-central")
    hoole = await community_id(deps, "hoole")
    chester, crewe = await lpu_id(deps, "chester"), await lpu_id(deps, "crewe")
    await adding(organiser, "Chester Chess")  # a draft of their own: item 0
    await adding(pcso, "Tarvin Chess")

    def press(action: DirectoryAction, item: int, target: int) -> str:
        return encode(DirectoryButton(action, item, target))

    cases = [
        (organiser, press(DirectoryAction.SET_COMMUNITY, walking, crewe_central)),
        (organiser, press(DirectoryAction.SET_LPU, walking, crewe)),
        (organiser, press(DirectoryAction.SET_LPU, walking, 0)),  # the whole force
        (organiser, press(DirectoryAction.AREA, walking, crewe)),  # another LPU's list
        (organiser, press(DirectoryAction.SET_COMMUNITY, 0, crewe_central)),  # the draft
        (organiser, press(DirectoryAction.SET_LPU, 0, 0)),
        (organiser, press(DirectoryAction.AREA, 0, crewe)),
        (organiser, press(DirectoryAction.SET_COMMUNITY, force_wide, hoole)),  # not theirs
        (organiser, press(DirectoryAction.SET_COMMUNITY, walking, 999_999)),  # no such place
        (organiser, press(DirectoryAction.SET_LPU, walking, -1)),
        (pcso, press(DirectoryAction.SET_COMMUNITY, walking, hoole)),  # same LPU, not theirs
        (pcso, press(DirectoryAction.SET_LPU, walking, chester)),
        (pcso, press(DirectoryAction.SET_COMMUNITY, 0, hoole)),
        (resident, press(DirectoryAction.AREA, walking, 0)),
        (resident, press(DirectoryAction.SET_COMMUNITY, walking, hoole)),
        (resident, press(DirectoryAction.SET_LPU, 0, chester)),
    ]
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        for person, data in cases:
            assert len(data.encode()) <= MAX_BYTES
            before = await snapshot(deps)
            replies = await person.press_data(data)
            assert isinstance(replies[0], Notice) and replies[0].alert, data
            assert await snapshot(deps) == before, data
    assert caplog.text.count("staff action refused") == len(cases)

    await editing(organiser, "Tarvin Walking Group")
    await organiser.press("Area")
    before = await snapshot(deps)
    await organiser.send("Crewe Central")  # typed: the finder knows it, but it is not theirs
    assert "I found no community called “Crewe Central” that you look after." in organiser.text
    assert not any(name.startswith("Crewe") for name in labels(organiser))
    assert await snapshot(deps) == before
    assert (await stored(deps, walking)).community_id == await community_id(deps, "tarvin")

    hoole_button = organiser.find("Hoole").payload
    async with deps.uow() as uow:  # moved to another LPU before pressing
        await grant_role(uow, telegram_id=ORGANISER_ID, role="organiser", lpu="crewe")
        await uow.commit()
    [refused] = await organiser.press_data(hoole_button)
    assert isinstance(refused, Notice) and refused.alert
    assert (await stored(deps, walking)).community_id == await community_id(deps, "tarvin")
    biggest = press(DirectoryAction.SET_COMMUNITY, 2**31 - 1, 2**31 - 1)
    assert len(biggest.encode()) <= MAX_BYTES
