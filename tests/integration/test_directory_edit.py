"""Changing a directory entry's category (buttons) and keywords (typed) in the chat:
who may, what is stored, and that search finds the new keywords at once."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlmodel import select

from bot.bootstrap import build_app
from bot.settings import Settings
from bot.staff_command import grant_role
from handlers.context import Deps
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.outbound import Notice, Text
from handlers.payloads import MAX_BYTES, encode
from storage.models import DirectoryEntry, User
from tests.integration.test_directory import staff
from tests.support.resident import Resident

STAFF_ID = 7_310_000_001
PCSO_ID = 7_310_000_002
ORGANISER_ID = 7_310_000_003
RESIDENT_ID = 7_310_000_004
LABELS = {
    "clubs": "🎭 Clubs and activities",
    "social": "☕ Befriending and social groups",
    "support": "🤝 Support services",
    "advice": "💬 Drop-in advice",
    "crime": "🛡 Crime prevention",
}


async def snapshot(deps: Deps) -> list[Any]:
    """What a directory press could change: every entry, every person's row (their
    ``awaiting`` too), without the columns the clock moves."""
    async with deps.uow() as uow:
        entries = (await uow.session.exec(select(DirectoryEntry))).all()
        users = (await uow.session.exec(select(User))).all()
        moving = {"updated_at", "last_seen_at"}
        return sorted(
            repr(sorted((k, v) for k, v in row.model_dump().items() if k not in moving))
            for row in [*entries, *users]
        )


async def entry_id(deps: Deps, name: str) -> int:
    async with deps.uow() as uow:
        entry = await uow.directory.by_name(name)
        assert entry is not None and entry.id is not None
        return entry.id


async def stored(deps: Deps, entry: int) -> DirectoryEntry:
    async with deps.uow() as uow:
        found = await uow.directory.get(entry)
        assert found is not None
        return found


async def crewe_entry(deps: Deps) -> int:
    """An entry in another LPU's community than the demo staff look after."""
    async with deps.uow() as uow:
        crewe = await uow.communities.by_slug("crewe-central")
        assert crewe is not None
        entry = await uow.directory.add(
            DirectoryEntry(name="Crewe Repair Cafe", category="clubs", community_id=crewe.id)
        )
        await uow.commit()
        assert entry.id is not None
        return entry.id


async def editing(person: Resident, name: str) -> None:
    """Open the entry ``name`` (found by its name) and press "Edit"."""
    await person.send(f"/directory {name}")
    await person.press(name)
    await person.press("Edit")


@pytest.mark.parametrize(
    ("role", "scope", "name", "old", "new"),
    [
        ("pcso", {"community": "tarvin"}, "Tarvin Walking Group", "clubs", "social"),
        ("organiser", {"lpu": "chester"}, "Hoole Cuppa and Chat", "social", "support"),
        ("organiser", {"lpu": "chester"}, "Chester Scam Busters", "crime", "advice"),
        ("admin", {}, "Cheshire Money Advice Drop-in", "advice", "support"),
    ],
    ids=["pcso-community", "organiser-community", "organiser-lpu", "admin-force"],
)
async def test_staff_change_the_category_of_an_entry_they_look_after(
    deps: Deps, role: str, scope: dict[str, str], name: str, old: str, new: str
) -> None:
    person = await staff(deps, STAFF_ID, role, **scope)
    await editing(person, name)
    await person.press("Category")
    assert "Which category is it?" in person.text
    marked = [b.label for b in person.buttons() if b.label.startswith("✔️")]
    assert marked == [f"✔️ {LABELS[old]}"]
    assert all(len(b.payload.encode()) <= MAX_BYTES for b in person.buttons())
    await person.press(LABELS[new])
    assert "Saved." in person.text and LABELS[new] in person.text
    assert (await stored(deps, await entry_id(deps, name))).category == new

    resident = Resident(deps, RESIDENT_ID)
    await resident.send("/start")
    await resident.send("/directory")
    await resident.press(LABELS[new])
    assert name in [b.label for b in resident.buttons()]
    await resident.send("/directory")
    await resident.press(LABELS[old])
    assert name not in [b.label for b in resident.buttons()]


async def test_category_buttons_outside_the_persons_area_are_refused_and_logged(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    resident = Resident(deps, RESIDENT_ID)
    await resident.send("/start")
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    walking = await entry_id(deps, "Tarvin Walking Group")
    hoole = await entry_id(deps, "Hoole Cuppa and Chat")
    lpu_wide = await entry_id(deps, "Chester Scam Busters")
    force_wide = await entry_id(deps, "Cheshire Money Advice Drop-in")
    crewe = await crewe_entry(deps)
    for person in (pcso, organiser):  # their first message fills in their name
        await person.send("/start")
    cases = [
        (resident, walking),
        (pcso, hoole),  # another community of the same LPU
        (pcso, lpu_wide),
        (pcso, force_wide),
        (organiser, force_wide),
        (organiser, crewe),  # another LPU's community
    ]
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        for person, entry in cases:
            for action, target in (
                (DirectoryAction.RECATEGORISE, 0),
                (DirectoryAction.SET_CATEGORY, 1),
            ):
                before = await snapshot(deps)
                replies = await person.press_data(encode(DirectoryButton(action, entry, target)))
                assert isinstance(replies[0], Notice) and replies[0].alert, (action, entry)
                assert await snapshot(deps) == before
    assert caplog.text.count("staff action refused") == 2 * len(cases)


async def test_forged_and_replayed_category_buttons_change_nothing(deps: Deps) -> None:
    admin = await staff(deps, STAFF_ID, "admin")
    walking = await entry_id(deps, "Tarvin Walking Group")
    await editing(admin, "Tarvin Walking Group")
    await admin.press("Category")
    befriending = admin.find(LABELS["social"]).payload
    support = admin.find(LABELS["support"]).payload
    forged = [
        encode(DirectoryButton(DirectoryAction.SET_CATEGORY, walking, 7)),  # past the list
        encode(DirectoryButton(DirectoryAction.SET_CATEGORY, walking, -1)),
        encode(DirectoryButton(DirectoryAction.SET_CATEGORY, 999_999, 0)),  # no such entry
        encode(DirectoryButton(DirectoryAction.RECATEGORISE, 999_999)),
        f"dy:sc:{walking}:youth",  # a label, not an index: no codec wrote it
        f"dy:sc:{walking}:1:1",
        "dy:sc:" + "9" * 60,
    ]
    for data in forged:
        before = await snapshot(deps)
        assert await admin.press_data(data), data
        assert await snapshot(deps) == before, data
    biggest = encode(DirectoryButton(DirectoryAction.SET_CATEGORY, 2**31 - 1, 6))
    assert len(biggest.encode()) <= MAX_BYTES

    before = await snapshot(deps)
    await admin.press_data(befriending)
    assert (await stored(deps, walking)).category == "social"
    assert await snapshot(deps) != before  # the snapshot sees a change
    before = await snapshot(deps)
    [again] = await admin.press_data(befriending)  # pressed twice
    assert isinstance(again, Notice) and again.text == "Nothing was changed."
    assert await snapshot(deps) == before

    async with deps.uow() as uow:  # the role is taken away meanwhile
        await grant_role(uow, telegram_id=STAFF_ID, role="resident")
        await uow.commit()
    [refused] = await admin.press_data(support)
    assert isinstance(refused, Notice) and refused.alert
    assert (await stored(deps, walking)).category == "social"

    async with deps.uow() as uow:  # an admin again, but the entry has been retired
        await grant_role(uow, telegram_id=STAFF_ID, role="admin")
        entry = await uow.directory.get(walking)
        assert entry is not None
        entry.status = "retired"
        await uow.directory.save(entry)
        await uow.commit()
    [refused] = await admin.press_data(support)
    assert isinstance(refused, Notice) and refused.alert
    assert (await stored(deps, walking)).category == "social"


async def test_typed_keywords_are_tidied_and_found_by_search_at_once(
    deps: Deps, settings: Settings
) -> None:
    resident = Resident(deps, RESIDENT_ID)
    await resident.send("/start")
    await resident.send("/directory rogue traders")
    assert "I found nothing" in resident.text
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    await editing(organiser, "Chester Scam Busters")
    await organiser.press("Keywords")
    assert "separated by commas" in organiser.text
    assert "Now: fraud, scams, doorstep, phone" in organiser.text
    await organiser.send("  Rogue traders, doorstep,, DOORSTEP ;cold   callers\n\x07fraud، Fraud ")
    assert "Saved." in organiser.transcript[-2]
    assert "Keywords: Rogue traders, doorstep, cold callers, fraud" in organiser.text
    scam = await entry_id(deps, "Chester Scam Busters")
    assert (await stored(deps, scam)).keywords == "Rogue traders, doorstep, cold callers, fraud"

    await resident.send("/directory rogue traders")
    assert resident.buttons()[0].label == "Chester Scam Busters"
    await resident.press("Chester Scam Busters")
    assert "Keywords" not in resident.text  # shown to the people who look after it

    other = await build_app(settings)  # another worker, with its own engine and caches
    try:
        elsewhere = Resident(other.deps, RESIDENT_ID + 1)
        await elsewhere.send("/start")
        await elsewhere.send("/directory cold callers")
        assert "Chester Scam Busters" in [b.label for b in elsewhere.buttons()]
    finally:
        await other.close()


async def test_keywords_are_escaped_when_shown_and_cut_at_a_whole_item(deps: Deps) -> None:
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    walking = await entry_id(deps, "Tarvin Walking Group")
    await editing(pcso, "Tarvin Walking Group")
    await pcso.press("Keywords")
    many = ", ".join(f"walk{n}" for n in range(100))
    await pcso.send(f"<b>hills</b>, <script>x</script>, {many}")
    keywords = (await stored(deps, walking)).keywords
    assert len(keywords) <= 300 and keywords.startswith("<b>hills</b>, <script>x</script>, walk0")
    items = keywords.split(", ")
    assert items[2:] == [f"walk{n}" for n in range(len(items) - 2)]  # whole items only
    card = [r for r in pcso.replies if isinstance(r, Text)][-1].text
    assert "&lt;b&gt;hills&lt;/b&gt;, &lt;script&gt;x&lt;/script&gt;" in card
    assert "<script>" not in card and "<b>hills" not in card

    await pcso.press("Edit")
    await pcso.press("Keywords")
    [prompt] = pcso.replies
    assert isinstance(prompt, Text) and "Now: &lt;b&gt;hills&lt;/b&gt;" in prompt.text
    [nothing] = await pcso.send(" ,, ;\x07 ")  # nothing but separators
    assert isinstance(nothing, Notice) and nothing.text == "Nothing was changed."
    assert (await stored(deps, walking)).keywords == keywords


async def test_a_message_after_choosing_category_instead_changes_no_typed_part(
    deps: Deps,
) -> None:
    admin = await staff(deps, STAFF_ID, "admin")
    walking = await entry_id(deps, "Tarvin Walking Group")
    await editing(admin, "Tarvin Walking Group")
    category = admin.find("Category").payload
    await admin.press("Keywords")
    await admin.press_data(category)  # changed their mind
    await admin.send("bowls")
    entry = await stored(deps, walking)
    assert entry.keywords == "walks, fresh air, exercise" and entry.category == "clubs"
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(STAFF_ID)
        assert user is not None and not user.awaiting.startswith("directory:edit:")
