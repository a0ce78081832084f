"""The community directory through the core: browse, search, organise, import, suggestions."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import pytest
from sqlmodel import select

from bot.directory_command import read_rows, save_rows
from bot.errors import ConfigError
from bot.staff_command import grant_role
from handlers.context import Deps
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.directory.limits import MAX_KEYWORDS, limit
from handlers.directory.typed import keywords, tidy
from handlers.outbound import Document, Notice
from handlers.payloads import encode
from storage.demo.directory import DEMO_ENTRIES
from storage.models import DirectoryEntry, DirectorySuggestion
from tests.integration.test_resident_conversation import walk_to_exists
from tests.support.resident import Resident

PCSO_ID = 7_300_000_001
ORGANISER_ID = 7_300_000_002


async def living_in(deps: Deps, r: Resident, community: str) -> Resident:
    await r.send("/start")
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(r.sender.telegram_id)
        place = await uow.communities.by_slug(community)
        assert user is not None and place is not None
        user.community_id = place.id
        uow.session.add(user)
        await uow.commit()
    return r


async def staff(deps: Deps, telegram_id: int, role: str, **scope: str) -> Resident:
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=telegram_id, role=role, **scope)
        await uow.commit()
    return Resident(deps, telegram_id=telegram_id, name="Sam")


async def test_a_resident_browses_by_category_from_the_main_menu(deps: Deps) -> None:
    r = await living_in(deps, Resident(deps), "tarvin")
    await r.press("What's already here")
    await r.press("Youth clubs")
    assert "Nearest to you first" in r.text
    await r.press("Tarvin Youth Club")
    assert "Tarvin Community Centre, Wednesdays" in r.text
    assert "Serves: Tarvin" in r.text
    assert "Retire" not in [b.label for b in r.buttons()]


async def test_a_resident_finds_help_by_a_need_in_their_own_words(deps: Deps) -> None:
    r = await living_in(deps, Resident(deps), "tarvin")
    await r.send("/directory")
    await r.send("something for my teenage son")
    assert r.buttons()[0].label == "Tarvin Youth Club"
    await r.send("loneliness")
    assert "Hoole Cuppa and Chat" in [b.label for b in r.buttons()]
    await r.send("/directory scam")
    assert "Chester Scam Busters" in [b.label for b in r.buttons()]
    await r.send("xylophone repairs")
    assert "I found nothing" in r.text


async def test_an_organiser_adds_and_retires_an_entry_in_the_chat(deps: Deps) -> None:
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    await pcso.send("/organise")
    await pcso.press("Directory")
    await pcso.press("Add an entry")
    await pcso.send("Tarvin <b>Knit</b> and Natter")
    await pcso.press("Befriending")
    await pcso.send("Knitting and a chat for anyone.")
    await pcso.press("Skip")
    await pcso.send("01829 000 999")
    await pcso.send("Step-free, hearing loop")
    await pcso.press("Skip")  # languages
    assert "Which words might residents search for?" in pcso.text
    await pcso.press("Skip")  # keywords
    assert "Residents can find it now" in pcso.text
    assert "Access: Step-free, hearing loop" in pcso.text
    assert "Keywords" not in pcso.text
    async with deps.uow() as uow:
        knit = await uow.directory.by_name("Tarvin <b>Knit</b> and Natter")
    assert knit is not None and knit.keywords == ""
    assert "Tarvin <b>Knit</b> and Natter" in pcso.text  # escaped, shown as typed

    r = await living_in(deps, Resident(deps), "tarvin")
    await r.send("/directory knit")
    await r.press("Knit")
    assert "01829 000 999" in r.text

    await pcso.press("Edit")
    await pcso.press("Where and when")
    await pcso.send("Tarvin library, Fridays 2pm")
    assert "Saved." in pcso.text and "Where and when: Tarvin library, Fridays 2pm" in pcso.text

    await pcso.press("Retire")
    assert "Residents no longer see it" in pcso.text
    await r.send("/directory knit")
    assert "I found nothing" in r.text


async def test_an_organiser_types_keywords_when_adding_and_residents_find_it(
    deps: Deps,
) -> None:
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    await pcso.send("/organise")
    await pcso.press("Directory")
    await pcso.press("Add an entry")
    await pcso.send("Tarvin Stitchers")
    await pcso.press("Clubs and activities")
    for _ in range(5):  # description to languages
        await pcso.press("Skip")
    assert "Which words might residents search for?" in pcso.text
    assert "⏭ Skip" in [b.label for b in pcso.buttons()]
    await pcso.send(" , ;\n ")  # no words: asked again
    assert "Which words might residents search for?" in pcso.text
    await pcso.send("Crochet; wool,, crochet\nYarn  bombing")
    assert "Residents can find it now" in pcso.text
    assert "Keywords: Crochet, wool, Yarn bombing" in pcso.text
    async with deps.uow() as uow:
        entry = await uow.directory.by_name("Tarvin Stitchers")
    assert entry is not None and entry.status == "active"
    assert entry.keywords == "Crochet, wool, Yarn bombing"

    r = await living_in(deps, Resident(deps), "tarvin")
    await r.send("/directory yarn bombing")
    assert r.buttons()[0].label == "Tarvin Stitchers"


async def test_forged_directory_buttons_are_refused_and_logged(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    async with deps.uow() as uow:
        scam = await uow.directory.by_name("Chester Scam Busters")
        assert scam is not None and scam.id is not None
    r = Resident(deps)
    await r.send("/start")
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        replies = await r.press_data(encode(DirectoryButton(DirectoryAction.RETIRE, scam.id)))
        await r.press_data(encode(DirectoryButton(DirectoryAction.ADD)))
        await r.press_data(encode(DirectoryButton(DirectoryAction.ACCEPT, 1)))
    assert isinstance(replies[0], Notice) and replies[0].alert
    assert caplog.text.count("staff action refused") == 3
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")  # not its community
    await pcso.press_data(encode(DirectoryButton(DirectoryAction.RETIRE, scam.id)))
    async with deps.uow() as uow:
        still = await uow.directory.get(scam.id)
        assert still is not None and still.status == "active"


async def test_names_in_exists_answers_become_suggestions_to_accept_or_dismiss(
    deps: Deps,
) -> None:
    for n in range(2):
        r = Resident(deps, telegram_id=6_100_000_000 + n)
        await walk_to_exists(r)
        await r.send("There is the Tarvin Community Choir and Neighbourhood Watch.")
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    await organiser.send("/organise")
    await organiser.press("Directory")
    await organiser.press("Suggestions")
    labels = [b.label for b in organiser.buttons()]
    assert "Tarvin Community Choir · 2" in labels and "Neighbourhood Watch · 2" in labels

    await organiser.press("Neighbourhood Watch")
    await organiser.press("Dismiss")
    assert "Neighbourhood Watch · 2" not in [b.label for b in organiser.buttons()]

    await organiser.press("Tarvin Community Choir")
    await organiser.press("Add to the directory")
    await organiser.press("Clubs and activities")
    await organiser.press("Tarvin")  # the area: Chester's communities are offered
    await organiser.send("A friendly village choir.")
    await organiser.send("Tarvin church hall, Mondays 7.30pm")
    await organiser.send("choir@example.org")
    for _ in range(3):  # access, languages, keywords
        await organiser.press("Skip")
    assert "Residents can find it now" in organiser.text
    async with deps.uow() as uow:
        rows = (await uow.session.exec(select(DirectorySuggestion))).all()
        decided = {s.name: s.status for s in rows}
        entry = await uow.directory.by_name("Tarvin Community Choir")
    assert decided == {"Tarvin Community Choir": "accepted", "Neighbourhood Watch": "dismissed"}
    assert entry is not None and entry.source == "suggestion" and entry.status == "active"

    await organiser.send("/organise")
    await organiser.press("Directory")
    await organiser.press("Suggestions")
    assert "No new names" in organiser.text


async def test_a_csv_import_reports_bad_rows_by_number_and_twice_changes_nothing(
    deps: Deps, tmp_path: Path
) -> None:
    path = tmp_path / "directory.csv"
    path.write_text(
        "name,category,description,community,lpu,languages\n"
        "Upton Men's Shed,clubs,Woodwork and company,upton,,English\n"
        ",youth,No name,,,\n"
        "Odd Thing,knitting,,,,\n"
        "Lost Club,clubs,,Atlantis,,\n"
        'Chester Food Bank,support,Food parcels,,chester,"English, Polish"\n',
        encoding="utf-8",
    )
    rows = read_rows(path)
    async with deps.uow() as uow:
        added, updated, errors = await save_rows(uow, rows)
        await uow.commit()
    assert (added, updated) == (2, 0)
    assert errors[0] == "row 3: name is missing"
    assert errors[1].startswith("row 4: category must be one of")
    assert errors[2] == "row 5: no community 'Atlantis'"
    async with deps.uow() as uow:
        assert await save_rows(uow, rows) == (0, 0, errors)
        await uow.commit()
        bank = await uow.directory.by_name("Chester Food Bank")
        assert bank is not None and bank.lpu_id is not None and bank.languages == "English, Polish"
        count = len((await uow.session.exec(select(DirectoryEntry))).all())
    async with deps.uow() as uow:
        await save_rows(uow, rows)
        await uow.commit()
        assert len((await uow.session.exec(select(DirectoryEntry))).all()) == count

    bad = tmp_path / "bad.csv"
    bad.write_text("title,kind\nx,y\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        read_rows(bad)


async def test_a_csv_import_tidies_keywords_as_typed_ones_are(deps: Deps, tmp_path: Path) -> None:
    long_list = ", ".join(f"word{n}" for n in range(500))
    typed = {
        "Chess Club": ("chess,, Chess ; board   games\nquiz", "chess, board games, quiz"),
        "Quiet Club": (" ,, ;\n ", ""),
        "Arabic Club": ("شطرنج، ألعاب؛ شطرنج", "شطرنج, ألعاب"),
        "Café Club": ("Café, cafe; CAFE", "Café"),
        "Long Club": (long_list, keywords(long_list)),
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["name", "category", "keywords"])
    writer.writerows([name, "clubs", words] for name, (words, _kept) in typed.items())
    path = tmp_path / "directory.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    rows = read_rows(path)
    async with deps.uow() as uow:
        assert await save_rows(uow, rows) == (len(typed), 0, [])
        await uow.commit()
    async with deps.uow() as uow:
        for name, (_words, kept) in typed.items():
            entry = await uow.directory.by_name(name)
            assert entry is not None and entry.keywords == kept, name
        assert await save_rows(uow, rows) == (0, 0, [])  # stored tidied: nothing changes
    long_kept = typed["Long Club"][1]
    assert 0 < len(long_kept) <= MAX_KEYWORDS
    assert long_kept.split(", ") == [f"word{n}" for n in range(long_kept.count(",") + 1)]


async def test_the_demo_entries_imported_as_csv_keep_their_keywords(
    deps: Deps, tmp_path: Path
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns = ["name", "category", "community", "lpu", "description", "where_when", "contact"]
    writer.writerow([*columns, "keywords"])
    writer.writerows(DEMO_ENTRIES)
    path = tmp_path / "demo.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    async with deps.uow() as uow:
        assert (await save_rows(uow, read_rows(path)))[2] == []
        await uow.commit()
    async with deps.uow() as uow:
        stored = {(e.name, e.keywords) for e in await uow.directory.active()}
    assert {(name, words) for name, *_parts, words in DEMO_ENTRIES} <= stored


async def test_forget_keeps_the_entries_a_person_added_unsigned(deps: Deps) -> None:
    pcso = await staff(deps, PCSO_ID, "pcso", community="tarvin")
    await pcso.send("/organise")
    await pcso.press("Directory")
    await pcso.press("Add an entry")
    await pcso.send("Tarvin Repair Cafe")
    await pcso.press("Clubs and activities")
    for _ in range(6):
        await pcso.press("Skip")
    await pcso.press("Directory")
    await pcso.press("Add an entry")  # a second, unfinished draft
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(PCSO_ID)
        assert user is not None
        uow.session.add(
            DirectorySuggestion(name="Someone", normalised="someone", decided_by=user.id)
        )
        await uow.commit()
    replies = await pcso.send("/mydata")
    data = json.loads(next(x for x in replies if isinstance(x, Document)).content)
    assert {e["name"] for e in data["directory_entries_added"]} == {"Tarvin Repair Cafe", ""}
    await pcso.send("/forget")
    await pcso.press("Yes, delete it")
    async with deps.uow() as uow:
        kept = await uow.directory.by_name("Tarvin Repair Cafe")
        assert kept is not None and kept.created_by is None and kept.status == "active"
        drafts = (
            await uow.session.exec(select(DirectoryEntry).where(DirectoryEntry.status == "draft"))
        ).all()
        assert drafts == []
        [suggestion] = (await uow.session.exec(select(DirectorySuggestion))).all()
        assert suggestion.decided_by is None


async def test_the_report_lists_the_directory_entries_residents_mention(deps: Deps) -> None:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from handlers.reports.build import build_report
    from storage.repositories.reports import ReportScope

    for n in range(2):
        r = Resident(deps, telegram_id=6_200_000_000 + n)
        await r.send("/start")
        await r.press("Have your say")
        await r.press("Start")
        await r.press("keep me anonymous")
        await r.send("Tarvin")
        await r.send("My lad goes to the tarvin youth club on Wednesdays.")
        for answer in ("More buses", "Speeding", "A friendly village"):
            await r.send(answer)
        await r.press("Skip")
        await r.press("Send my answers")
        assert "Thank you" in r.text
    async with deps.uow() as uow:
        chester = await uow.communities.lpu_by_slug("chester")
        assert chester is not None
        report = await build_report(
            uow,
            ReportScope(lpu_id=chester.id),
            now=datetime(2030, 1, 1, tzinfo=UTC),
            tz=ZoneInfo("Europe/London"),
        )
    assert report.mention_sources.get("Tarvin Youth Club") == "directory entry"


async def tarvin_youth_suggested(deps: Deps, resident: int) -> Resident:
    """An organiser looking at the suggestion "Tarvin Youth", which a resident named."""
    r = Resident(deps, telegram_id=resident)
    await walk_to_exists(r)
    await r.send("My son loves Tarvin Youth, it is brilliant.")
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    await organiser.send("/organise")
    await organiser.press("Directory")
    await organiser.press("Suggestions")
    await organiser.press("Tarvin Youth · 1")
    return organiser


async def test_a_suggestion_can_be_linked_to_an_entry_already_there(deps: Deps) -> None:
    organiser = await tarvin_youth_suggested(deps, 6_300_000_001)
    await organiser.press("It is “Tarvin Youth Club”")
    async with deps.uow() as uow:
        [suggestion] = (await uow.session.exec(select(DirectorySuggestion))).all()
        club = await uow.directory.by_name("Tarvin Youth Club")
    assert club is not None and suggestion.entry_id == club.id
    assert suggestion.status == "accepted" and suggestion.decided_by is not None


async def test_a_button_shows_an_entrys_name_as_typed(deps: Deps) -> None:
    # A button's label is plain text: it was HTML-escaped, so "&" showed as "&amp;".
    async with deps.uow() as uow:
        club = await uow.directory.by_name("Tarvin Youth Club")
        assert club is not None
        club.name = "Tarvin Youth & Sports Club"
        uow.session.add(club)
        await uow.commit()
    organiser = await tarvin_youth_suggested(deps, 6_300_000_002)
    labels = [b.label for b in organiser.buttons()]
    assert "🔗 It is “Tarvin Youth & Sports Club”" in labels, labels


async def editing(deps: Deps, part: str) -> tuple[Resident, int]:
    """An admin at "Type the new text" for ``part`` of the demo's Chester Scam Busters."""
    admin = await staff(deps, ORGANISER_ID, "admin")
    async with deps.uow() as uow:
        scam = await uow.directory.by_name("Chester Scam Busters")
        assert scam is not None and scam.id is not None
    await admin.send("/directory scam")
    await admin.press("Chester Scam Busters")
    await admin.press("Edit")
    await admin.press(part)
    return admin, scam.id


async def test_someone_elses_edit_is_refused_when_it_arrives(deps: Deps) -> None:
    admin, scam_id = await editing(deps, "Name")
    async with deps.uow() as uow:  # the role is taken away meanwhile
        await grant_role(uow, telegram_id=ORGANISER_ID, role="resident")
        await uow.commit()
    await admin.send("Renamed")
    assert "only for event organisers" in admin.text
    async with deps.uow() as uow:
        still = await uow.directory.get(scam_id)
        assert still is not None and still.name == "Chester Scam Busters"


async def test_an_entry_started_after_an_event_draft_gets_the_typed_text(deps: Deps) -> None:
    organiser = await staff(deps, ORGANISER_ID, "organiser", lpu="chester")
    await organiser.send("/organise")
    await organiser.press("New event")
    await organiser.send("/organise")
    await organiser.press("Directory")
    await organiser.press("Add an entry")
    await organiser.send("Upton Men's Shed")
    assert "Which category is it?" in organiser.text


async def test_a_typed_part_is_cut_to_its_columns_length(deps: Deps) -> None:
    """Languages is 200 characters in the database (PostgreSQL refuses more)."""
    admin, scam_id = await editing(deps, "Languages")
    await admin.send("English, Polish, " + "Welsh " * 100)
    assert "Saved." in admin.transcript[-2]
    async with deps.uow() as uow:
        changed = await uow.directory.get(scam_id)
    assert changed is not None and len(changed.languages) == 200
    assert changed.languages.startswith("English, Polish, Welsh")


async def test_a_csv_import_cleans_every_part_and_cuts_it_to_its_column(
    deps: Deps, tmp_path: Path
) -> None:
    # As typed in the chat: a part longer than its column would make PostgreSQL refuse
    # the whole import, and control characters have no place in a listing.
    name = "Long Club " + "x" * 300
    languages = ", ".join(["English", "Polish", "Welsh"] * 30)  # over 200 characters
    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [
            ["name", "category", "description", "languages"],
            [name, "clubs", "Meets\x07 on\u202e Fridays\x00", languages],
        ]
    )
    path = tmp_path / "directory.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    rows = read_rows(path)
    async with deps.uow() as uow:
        assert await save_rows(uow, rows) == (1, 0, [])
        await uow.commit()
    async with deps.uow() as uow:
        (entry,) = [e for e in await uow.directory.active() if e.name.startswith("Long Club")]
        assert entry.name == tidy("name", name) and len(entry.name) == limit("name")
        assert entry.languages == tidy("languages", languages)
        assert len(entry.languages) == limit("languages")
        assert entry.description == tidy("description", "Meets\x07 on\u202e Fridays\x00")
        assert "\x07" not in entry.description and "\x00" not in entry.description
        assert await save_rows(uow, rows) == (0, 0, [])  # the same file again: the same entry
