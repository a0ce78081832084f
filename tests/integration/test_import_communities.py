"""``chinwag import communities``: JSON and CSV files into a real database.

Bad rows are reported with their row number and reason and left out; good rows are
saved; importing again updates in place and never duplicates.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.bootstrap import App, build_app
from bot.settings import Settings
from storage.imports import ImportSummary, read_import, save_import
from storage.models import Community, CommunityBase, TeamMember
from tests.support.cli import run_chinwag

CSV_HEADER = (
    "slug,name,lpu,lpu_name,postcode_sectors,centroid_lat,centroid_lon,"
    "officer_name,officer_rank,officer_email,officer_phone,pcso_name,pcso_email,pcso_phone,"
    "base_name,base_address,base_postcode,base_opening_times,base_accessibility,description"
)
GOOD_CSV = f"""{CSV_HEADER}
tarvin,Tarvin,chester,Chester,ch3  8,53.199,-2.86,Alex Sampleford,,alex@demo.invalid,101,Sam Testwood,,101,Tarvin Community Centre,"High Street, Tarvin",ch3 8eh,Tuesdays 10:00 to 12:00,Step-free access,
hoole,Hoole,chester,,CH2 3;CH2 9,53.163,-2.92,Jo Mockridge,PC,,,,,,,,,,,A busy suburb
winsford,Winsford,vale-royal,Vale Royal,CW7 1,53.19,-2.52,,,,,Kit Draftley,,,,,,,,
"""
BAD_CSV = f"""{CSV_HEADER}
tarvin,Tarvin,chester,Chester,CH3 8,53.199,-2.86,Alex Sampleford,,,,,,,,,,,,
Bad Slug,Bad,chester,,CH3 9,53.2,-2.8,,,,,,,,,,,,,
kelsall,Kelsall,chester,,CH3,53.2,-2.8,,,,,,,,,,,,,
far,Far,chester,,CH4 1,95,-2.8,,,,,,,,,,,,,

tarvin,Tarvin again,chester,,CH3 7,53.2,-2.8,,,,,,,,,,,,,
hoole,Hoole,chester,,CH3 8,53.163,-2.92,,,,,,,,,,,,,
lonely,Lonely,nowhere,,CH4 2,53.1,-2.8,,,,,,,,,,,,,
upton,Upton,chester,,CH2 1,53.18,-2.88,Jo Test,,not-an-email,,,,,,,,,,
"""


def community(slug: str, name: str, sector: str, lat: float, lon: float) -> dict[str, Any]:
    return {
        "slug": slug,
        "name": name,
        "lpu": "chester",
        "postcode_sectors": [sector],
        "centroid": [lat, lon],
        "boundary": [[lat - 0.01, lon - 0.01], [lat - 0.01, lon + 0.01], [lat + 0.01, lon]],
        "description": f"{name} (test data)",
        "contact": {"email": f"{slug}@demo.invalid", "telephone": "101"},
        "team": [
            {
                "name": f"{name} Officer",
                "rank": "PC",
                "role": "officer",
                "email": "pc@demo.invalid",
                "phone": "101",
                "social": {"x": "@demo"},
                "bio": "Demo data: a fictional officer.",
            },
            {"name": f"{name} Pcso", "rank": "PCSO", "role": "pcso"},
        ],
        "bases": [
            {
                "name": f"{name} Library",
                "address": f"High Street, {name}",
                "latitude": lat,
                "longitude": lon,
                "opening_times": "Tuesdays 10:00 to 12:00",
                "accessibility": "Step-free access; hearing loop",
            }
        ],
    }


def sample() -> dict[str, Any]:
    return {
        "force": {"slug": "cheshire", "name": "Cheshire (test data)", "telephone": "101"},
        "lpus": [{"slug": "chester", "name": "Chester"}],
        "communities": [
            community("tarvin", "Tarvin", "CH3 8", 53.199, -2.86),
            community("kelsall", "Kelsall", "CW6 0", 53.199, -2.83),
            community("hoole", "Hoole", "CH2 3", 53.163, -2.92),
        ],
    }


def write(path: Path, content: str | dict[str, Any]) -> Path:
    text = content if isinstance(content, str) else json.dumps(content, indent=1)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
async def empty_app(schema_db_url: str) -> AsyncIterator[App]:
    """A migrated database with no communities at all."""
    app = await build_app(Settings(database_url=schema_db_url), apply_migrations=False)
    yield app
    await app.close()


async def run_import(app: App, path: Path, force: str | None = None) -> ImportSummary:
    parsed = read_import(path, force)
    async with app.deps.uow() as uow:
        summary = await save_import(uow, parsed)
        await uow.commit()
    return summary


async def counts(app: App) -> tuple[int, int, int]:
    """Communities, team members and bases in the database."""
    async with app.deps.uow() as uow:
        found = []
        for table in (Community, TeamMember, CommunityBase):
            query = select(func.count()).select_from(table)
            found.append(int((await uow.session.exec(query)).one()))
    return found[0], found[1], found[2]


async def stored(app: App, slug: str) -> tuple[Community, list[TeamMember], list[CommunityBase]]:
    async with app.deps.uow() as uow:
        row = await uow.communities.by_slug(slug)
        assert row is not None and row.id is not None
        return row, list(await uow.teams.members(row.id)), list(await uow.teams.bases(row.id))


def lines(summary: ImportSummary) -> list[str]:
    return [str(error) for error in summary.errors]


# --- JSON ---------------------------------------------------------------------------


async def test_a_good_json_file_is_imported_whole(empty_app: App, tmp_path: Path) -> None:
    data = sample()
    data["communities"][0]["postcode_sectors"] = ["ch3  8"]
    data["communities"][0]["external_id"] = "CC-TARVIN"
    summary = await run_import(empty_app, write(tmp_path / "good.json", data))

    assert (summary.added, summary.updated, summary.unchanged, summary.errors) == (3, 0, 0, [])
    assert await counts(empty_app) == (3, 6, 3)
    tarvin, team, bases = await stored(empty_app, "tarvin")
    assert tarvin.sectors() == ["CH3 8"]  # upper-cased and normalised
    assert (tarvin.centroid_lat, tarvin.centroid_lon) == (53.199, -2.86)
    assert len(json.loads(tarvin.boundary)) == 3
    assert json.loads(tarvin.contact)["email"] == "tarvin@demo.invalid"
    assert tarvin.external_id == "CC-TARVIN"
    assert [(m.name, m.rank, m.role, m.position) for m in team] == [
        ("Tarvin Officer", "PC", "officer", 0),
        ("Tarvin Pcso", "PCSO", "pcso", 1),
    ]
    assert json.loads(team[0].social) == {"x": "@demo"}
    assert [(b.name, b.address, b.latitude) for b in bases] == [
        ("Tarvin Library", "High Street, Tarvin", 53.199)
    ]


async def test_bad_json_entries_are_reported_and_the_good_kept(
    empty_app: App, tmp_path: Path
) -> None:
    data = sample()
    bad = [
        community("no-centroid", "No Centroid", "CH4 1", 53.1, -2.8),
        community("bad-sector", "Bad Sector", "CH4", 53.1, -2.8),
        community("far-north", "Far North", "CH4 2", 53.1, -2.8),
        community("bad-role", "Bad Role", "CH4 3", 53.1, -2.8),
        community("thin", "Thin", "CH4 4", 53.1, -2.8),
        community("elsewhere", "Elsewhere", "CH4 5", 53.1, -2.8),
        community("tarvin", "Tarvin Twice", "CH4 6", 53.1, -2.8),
        community("greedy", "Greedy", "CH2 3", 53.1, -2.8),
    ]
    del bad[0]["centroid"]
    bad[2]["centroid"] = [91.0, -2.8]
    bad[3]["team"][0]["role"] = "sheriff"
    bad[4]["boundary"] = [[53.1, -2.8], [53.2, -2.8]]
    bad[5]["lpu"] = "atlantis"
    data["communities"] += bad

    summary = await run_import(empty_app, write(tmp_path / "bad.json", data))

    assert lines(summary) == [
        "communities[3] (no-centroid): centroid is missing",
        'communities[4] (bad-sector): postcode sector "CH4" is not an outward code, '
        'a space and a digit, such as "CH3 8"',
        "communities[5] (far-north): centroid: latitude 91.0 is outside -90 to 90",
        'communities[6] (bad-role): team[0].role "sheriff" must be one of '
        "officer, pcso, sergeant, inspector, other",
        "communities[7] (thin): boundary must be a list of at least 3 [latitude, longitude] points",
        'communities[8] (elsewhere): unknown LPU "atlantis": it must be listed in "lpus"',
        'communities[9] (tarvin): slug "tarvin" is already used by communities[0] (tarvin)',
        "communities[10] (greedy): postcode sector CH2 3 is already claimed by "
        "communities[2] (hoole)",
    ]
    assert (summary.added, summary.rejected) == (3, 8)
    assert await counts(empty_app) == (3, 6, 3)
    tarvin, _, _ = await stored(empty_app, "tarvin")
    assert tarvin.name == "Tarvin"  # the first of the two rows with its slug


async def test_json_errors_name_the_entry_in_file_order(empty_app: App, tmp_path: Path) -> None:
    data = sample()
    data["communities"].insert(1, community("hoole-copy", "Hoole Copy", "CH2 3", 53.1, -2.8))
    data["communities"][2]["centroid"] = "somewhere"
    data["communities"][3]["team"].append({"name": "Hoole Officer", "rank": "PC", "role": "pcso"})
    data["communities"][3]["colour"] = "blue"

    summary = await run_import(empty_app, write(tmp_path / "order.json", data))

    assert lines(summary) == [
        'communities[2] (kelsall): centroid must be [latitude, longitude], not "somewhere"',
        "communities[3] (hoole): unknown field colour",
        'communities[3] (hoole): team member "Hoole Officer" is listed twice',
    ]
    assert summary.added == 2  # tarvin, and hoole-copy (which claimed CH2 3 first)


# --- CSV ----------------------------------------------------------------------------


async def test_a_good_csv_file_is_imported_whole(empty_app: App, tmp_path: Path) -> None:
    summary = await run_import(empty_app, write(tmp_path / "good.csv", GOOD_CSV))

    assert (summary.added, summary.errors) == (3, [])
    tarvin, team, bases = await stored(empty_app, "tarvin")
    assert tarvin.sectors() == ["CH3 8"]
    assert [(m.name, m.rank, m.role, m.email, m.phone) for m in team] == [
        ("Alex Sampleford", "PC", "officer", "alex@demo.invalid", "101"),
        ("Sam Testwood", "PCSO", "pcso", "", "101"),
    ]
    assert [(b.name, b.address, b.postcode, b.opening_times) for b in bases] == [
        ("Tarvin Community Centre", "High Street, Tarvin", "CH3 8EH", "Tuesdays 10:00 to 12:00")
    ]
    hoole, hoole_team, hoole_bases = await stored(empty_app, "hoole")
    assert hoole.sectors() == ["CH2 3", "CH2 9"] and hoole.description == "A busy suburb"
    assert [m.role for m in hoole_team] == ["officer"] and hoole_bases == []
    async with empty_app.deps.uow() as uow:
        assert {(lpu.slug, lpu.name) for lpu in await uow.communities.lpus()} == {
            ("chester", "Chester"),
            ("vale-royal", "Vale Royal"),
        }
        force = await uow.communities.force_by_slug("cheshire")
        assert force is not None and tarvin.force_id == force.id


async def test_bad_csv_rows_are_reported_by_line_and_the_good_kept(
    empty_app: App, tmp_path: Path
) -> None:
    summary = await run_import(empty_app, write(tmp_path / "bad.csv", BAD_CSV))

    assert lines(summary) == [
        'row 3: slug "Bad Slug" must be lower-case letters, digits and hyphens',
        'row 4: postcode sector "CH3" is not an outward code, a space and a digit, such as "CH3 8"',
        "row 5: centroid_lat 95.0 is outside -90 to 90",
        # row 6 is blank and skipped; line numbers still count it
        'row 7: slug "tarvin" is already used by "tarvin" (row 2)',
        'row 8: postcode sector CH3 8 is already claimed by "tarvin" (row 2)',
        'row 9: unknown LPU "nowhere": give its lpu_name to create it',
        'row 10: officer_email "not-an-email" is not an email address',
    ]
    assert (summary.added, summary.rejected) == (1, 7)
    assert await counts(empty_app) == (1, 1, 0)


async def test_csv_import_keeps_what_csv_cannot_say(empty_app: App, tmp_path: Path) -> None:
    await run_import(empty_app, write(tmp_path / "full.json", sample()))
    csv_text = (
        f"{CSV_HEADER}\ntarvin,Tarvin,chester,,CH3 8,53.199,-2.86,Tarvin Officer,,,,,,,,,,,,\n"
    )

    summary = await run_import(empty_app, write(tmp_path / "thin.csv", csv_text))

    assert (summary.updated, summary.errors) == (1, [])
    tarvin, team, bases = await stored(empty_app, "tarvin")
    assert len(json.loads(tarvin.boundary)) == 3 and "tarvin@" in tarvin.contact
    assert [(m.name, m.bio, m.email) for m in team] == [
        ("Tarvin Officer", "Demo data: a fictional officer.", "")
    ]
    assert bases == []  # the team and bases follow the file


# --- what PostgreSQL cannot hold ----------------------------------------------------
# PostgreSQL refuses a NUL in any text and a value longer than its VARCHAR; a lone
# surrogate (JSON may write one, "\ud800") cannot be encoded at all. Any of them
# made the whole import fail; now text is cleaned, and a row too long is rejected.


async def test_json_text_is_cleaned_and_a_value_too_long_rejects_its_row(
    empty_app: App, tmp_path: Path
) -> None:
    data = sample()
    tarvin, kelsall, hoole = data["communities"]
    tarvin["name"] = "Tar\x00vin"
    tarvin["description"] = "Tarvin\x00 and\ud800 around it\x07"
    tarvin["contact"] = {"telephone": "1\x0001", "x\ud800": "@tarvin"}
    tarvin["team"][0]["name"] = "Tarvin\x00 Officer"
    tarvin["team"][0]["bio"] = "A\x00 fictional\udfff officer."
    tarvin["team"][0]["social"] = {"x": "@demo\x00"}
    tarvin["bases"][0]["address"] = "High\x00 Street, Tarvin"
    kelsall["name"] = "K" * 201
    hoole["external_id"] = "x" * 81
    data["communities"].append(community("upton", "Upton", "CH2 1", 53.21, -2.89))
    data["communities"][3]["external_id"] = "UP\x00TON"

    summary = await run_import(empty_app, write(tmp_path / "odd.json", data))

    assert lines(summary) == [
        "communities[1] (kelsall): name is longer than 200 characters",
        "communities[2] (hoole): external_id is longer than 80 characters",
        "communities[3] (upton): external_id has a control character, such as NUL",
    ]
    assert (summary.added, summary.rejected) == (1, 3)
    row, team, bases = await stored(empty_app, "tarvin")
    assert (row.name, row.description) == ("Tarvin", "Tarvin and around it")
    assert json.loads(row.contact) == {"telephone": "101", "x": "@tarvin"}
    assert (team[0].name, team[0].bio) == ("Tarvin Officer", "A fictional officer.")
    assert json.loads(team[0].social) == {"x": "@demo"}
    assert [b.address for b in bases] == ["High Street, Tarvin"]
    assert await counts(empty_app) == (1, 2, 1)


async def test_csv_text_is_cleaned_and_a_value_too_long_rejects_its_row(
    empty_app: App, tmp_path: Path
) -> None:
    long_name = "Alex " + "x" * 200
    csv_text = (
        f"{CSV_HEADER}\n"
        "tarvin,Tar\x00vin,chester,Ches\x00ter,CH3 8,53.199,-2.86,Alex\x00 Sampleford,,,,"
        ",,,Tarvin\x00 Centre,High Street,,,,Busy\x00\n"
        f"hoole,Hoole,chester,,CH2 3,53.163,-2.92,{long_name},,,,,,,,,,,,\n"
        "ch\x00ester,Chester,chester,,CH1 1,53.19,-2.89,,,,,,,,,,,,,\n"
        "kelsall,Kelsall,chester,,CW6 0,53.2,-2.83,,,,,,,,,,,,,\n"
    )

    summary = await run_import(empty_app, write(tmp_path / "odd.csv", csv_text))

    assert lines(summary) == [
        "row 3: officer_name is longer than 200 characters",
        "row 4: slug has a control character, such as NUL",
    ]
    assert (summary.added, summary.rejected) == (2, 2)
    row, team, bases = await stored(empty_app, "tarvin")
    assert (row.name, row.description) == ("Tarvin", "Busy")
    assert [m.name for m in team] == ["Alex Sampleford"]
    assert [b.name for b in bases] == ["Tarvin Centre"]
    async with empty_app.deps.uow() as uow:
        assert [lpu.name for lpu in await uow.communities.lpus()] == ["Chester"]


# --- importing again ----------------------------------------------------------------


async def test_importing_again_updates_in_place_and_never_duplicates(
    empty_app: App, tmp_path: Path
) -> None:
    data = sample()
    data["communities"][0]["external_id"] = "CC-TARVIN"
    path = write(tmp_path / "teams.json", data)
    await run_import(empty_app, path)
    before = await counts(empty_app)
    tarvin_before, _, _ = await stored(empty_app, "tarvin")

    again = await run_import(empty_app, path)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)

    del data["communities"][0]["external_id"]  # omitted: the stored one is kept
    data["communities"][0]["team"][0]["name"] = "Robin Newcomer"
    data["communities"][2]["description"] = "Hoole, described afresh"
    changed = await run_import(empty_app, write(path, data))

    assert (changed.added, changed.updated, changed.unchanged, changed.errors) == (0, 2, 1, [])
    assert await counts(empty_app) == before
    tarvin, team, _ = await stored(empty_app, "tarvin")
    assert tarvin.id == tarvin_before.id and tarvin.external_id == "CC-TARVIN"
    assert [m.name for m in team] == ["Robin Newcomer", "Tarvin Pcso"]
    assert tarvin.updated_at > tarvin_before.updated_at
    hoole, _, _ = await stored(empty_app, "hoole")
    assert hoole.description == "Hoole, described afresh"


async def test_a_sector_held_outside_the_file_is_not_taken(empty_app: App, tmp_path: Path) -> None:
    await run_import(empty_app, write(tmp_path / "first.json", sample()))
    data = sample()
    data["communities"] = [community("tarvin-east", "Tarvin East", "CH3 8", 53.2, -2.8)]

    summary = await run_import(empty_app, write(tmp_path / "second.json", data))

    assert lines(summary) == [
        "communities[0] (tarvin-east): postcode sector CH3 8 already belongs to Tarvin "
        "(tarvin), which is not in this file"
    ]
    # A sector moving between two communities of the same file is fine.
    data = sample()
    data["communities"][0]["postcode_sectors"] = ["CW6 0"]
    data["communities"][1]["postcode_sectors"] = ["CH3 8"]
    moved = await run_import(empty_app, write(tmp_path / "third.json", data))
    assert (moved.updated, moved.errors) == (2, [])


# --- the command --------------------------------------------------------------------


def chinwag(args: list[str], database: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_chinwag(args, {"CHINWAG_DATABASE_URL": database}, cwd, timeout=60)


def test_the_command_exits_0_1_or_2(blank_db_url: str, tmp_path: Path) -> None:
    database = blank_db_url
    good = chinwag(
        ["import", "communities", str(write(tmp_path / "good.csv", GOOD_CSV))], database, tmp_path
    )
    assert good.returncode == 0, good.stderr
    assert "3 added, 0 updated, 0 unchanged, 0 rejected" in good.stdout

    bad = chinwag(
        ["import", "communities", str(write(tmp_path / "bad.csv", BAD_CSV))], database, tmp_path
    )
    assert bad.returncode == 1, bad.stderr
    assert "0 added, 1 updated, 0 unchanged, 7 rejected" in bad.stdout  # tarvin's team changed
    assert "row 5: centroid_lat 95.0 is outside -90 to 90" in bad.stdout.splitlines()

    for args, expected in [
        (["import", "communities", str(tmp_path / "missing.csv")], "missing.csv: no such file"),
        (["import", "communities", str(write(tmp_path / "x.xlsx", ""))], 'unknown format ".xlsx"'),
        (["import", "communities", str(write(tmp_path / "x.json", "{"))], "not valid JSON"),
        (["import", "communities", str(write(tmp_path / "x.csv", "slug,colour\n"))], "colour"),
    ]:
        failed = chinwag(args, database, tmp_path)
        assert failed.returncode == 2, failed.stderr
        errors = failed.stderr.strip().splitlines()
        assert len(errors) == 1 and errors[0].startswith("chinwag: error: "), failed.stderr
        assert expected in errors[0]
        assert "Traceback" not in failed.stderr
