"""``chinwag sync police-uk`` against a fake data.police.uk (tests/fakes/police_api.py).

Most tests call the sync in-process with a fast client (short timeout and backoff,
a high rate); the rate test and the CLI tests use the real default of 8 a second.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypedDict, TypeVar, Unpack

import pytest
from sqlalchemy import Connection, MetaData, Select, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import OperationalError
from sqlmodel import col, select

from bot.bootstrap import build_app
from bot.integrations.police_uk import PoliceApiError, PoliceUkClient, retry_after_seconds
from bot.settings import Settings
from bot.sync.plain_text import html_to_text
from bot.sync.police_uk import UNASSIGNED_LPU_NAME, SyncSummary, sync_force
from bot.sync.police_uk_rows import london_to_utc, role_for
from storage.database import create_engine
from storage.models import Community, Event
from storage.repositories.events import EventRepository
from storage.uow import UnitOfWork
from tests.fakes.police_api import FakePoliceApi
from tests.support.cli import CHINWAG, chinwag_environment

T = TypeVar("T")


class ClientOptions(TypedDict, total=False):
    """PoliceUkClient's keyword arguments."""

    rate: float
    timeout: float
    attempts: int
    backoff: float
    max_backoff: float


FAST: ClientOptions = {"rate": 500.0, "timeout": 0.3, "attempts": 3, "backoff": 0.01}


@pytest.fixture
def empty_db(schema_db_url: str) -> str:
    """A migrated database with no rows at all, on this run's backend."""
    return schema_db_url


@pytest.fixture
async def api() -> AsyncIterator[FakePoliceApi]:
    async with FakePoliceApi(slow_seconds=1.0) as server:
        yield server


async def sync(url: str, api: FakePoliceApi, **client: Unpack[ClientOptions]) -> SyncSummary:
    options: ClientOptions = {**FAST, **client}
    app = await build_app(Settings(database_url=url), apply_migrations=False)
    try:
        async with PoliceUkClient(api.url, **options) as police:
            return await sync_force(app.deps.uow, police, "cheshire")
    finally:
        await app.close()


async def select_rows(
    url: str, choose: Callable[[MetaData], dict[str, Select[Any]]]
) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of the queries ``choose`` makes from the database's own tables."""
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:

            def run(sync: Connection) -> dict[str, list[tuple[Any, ...]]]:
                tables = MetaData()
                tables.reflect(sync)
                return {
                    name: [tuple(row) for row in sync.execute(query)]
                    for name, query in choose(tables).items()
                }

            return await connection.run_sync(run)
    finally:
        await engine.dispose()


async def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, every column, in primary key order."""
    return await select_rows(
        url,
        lambda tables: {
            name: sa_select(table).order_by(*(table.primary_key.columns or table.columns))
            for name, table in tables.tables.items()
        },
    )


async def rows_of(url: str, community_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """One community's own rows (itself, its team, bases and events)."""

    def choose(tables: MetaData) -> dict[str, Select[Any]]:
        communities = tables.tables["communities"]
        return {
            "communities": sa_select(communities).where(communities.c.id == community_id),
            **{
                name: sa_select(table)
                .where(table.c.community_id == community_id)
                .order_by(table.c.id)
                for name in ("team_members", "community_bases", "events")
                for table in [tables.tables[name]]
            },
        }

    return await select_rows(url, choose)


def stored(row_id: int | None) -> int:
    """The id of a row read back from the database, which always has one."""
    assert row_id is not None
    return row_id


async def read(url: str, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    app = await build_app(Settings(database_url=url), apply_migrations=False)
    try:
        async with app.deps.uow() as uow:
            return await work(uow)
    finally:
        await app.close()


async def community(url: str, external_id: str) -> Community:
    async def find(uow: UnitOfWork) -> Community:
        force = await uow.communities.force_by_slug("cheshire")
        assert force is not None
        found = await uow.communities.by_external(stored(force.id), external_id)
        assert found is not None
        return found

    return await read(url, find)


# A fresh database -------------------------------------------------------------------


async def test_fills_a_fresh_database(empty_db: str, api: FakePoliceApi) -> None:
    summary = await sync(empty_db, api)
    assert summary.ok and len(summary.added) == 3
    assert (summary.members, summary.bases, summary.events) == (9, 2, 2)

    async def load(uow: UnitOfWork) -> dict[str, Any]:
        lpus = await uow.communities.lpus()
        communities = await uow.communities.all()
        return {
            "force": await uow.communities.force_by_slug("cheshire"),
            "lpus": lpus,
            "communities": {c.external_id: c for c in communities},
            "members": {c.external_id: await uow.teams.members(stored(c.id)) for c in communities},
            "bases": {c.external_id: await uow.teams.bases(stored(c.id)) for c in communities},
            "events": (await uow.session.exec(select(Event).order_by(col(Event.id)))).all(),
        }

    got = await read(empty_db, load)
    force = got["force"]
    assert (force.name, force.telephone, force.url) == (
        "Cheshire Constabulary",
        "101",
        "https://www.cheshire.police.uk/",
    )
    [lpu] = got["lpus"]
    assert (lpu.slug, lpu.name) == ("cheshire-unassigned", UNASSIGNED_LPU_NAME)

    hoole = got["communities"]["NC04"]
    assert set(got["communities"]) == {"NC04", "WR12", "CE03"}
    assert all(c.lpu_id == lpu.id and c.force_id == force.id for c in got["communities"].values())
    assert hoole.name == "Hoole & Newton" and hoole.slug == "cheshire-hoole-and-newton"
    assert hoole.description == "Welcome to Hoole & Newton.\n\nCome and see us."
    assert (hoole.centroid_lat, hoole.centroid_lon) == (53.1965, -2.877)
    assert json.loads(hoole.contact) == {
        "email": "hoole.newton@cheshire.example",
        "telephone": "101",
        "twitter": "https://x.com/hoolecops",
    }
    assert hoole.url == "https://www.cheshire.police.uk/area/your-area/hoole-newton/"
    boundary = json.loads(hoole.boundary)
    assert len(boundary) == 5 and boundary[0] == [53.1865, -2.887]
    assert got["communities"]["CE03"].description == ""

    roles = {
        key: [(m.name, m.rank, m.role, m.position) for m in members]
        for key, members in got["members"].items()
    }
    assert roles == {
        "NC04": [
            ("Sam Okafor", "Sergeant", "sergeant", 0),
            ("Jo Price", "PC", "officer", 1),
            ("Ali Khan", "PCSO", "pcso", 2),
        ],
        "WR12": [
            ("Pat Morgan", "Inspector", "inspector", 0),
            ("Chris Lee", "Police Community Support Officer", "pcso", 1),
            ("Dee Shah", "Police Constable", "officer", 2),
        ],
        "CE03": [
            ("Mo Ahmed", "sgt", "sergeant", 0),
            ("Kim Wu", "pcso", "pcso", 1),
            ("Lee Hart", "Chief Superintendent", "other", 2),
        ],
    }
    sam, jo, ali = got["members"]["NC04"]
    assert (sam.email, sam.bio, sam.social) == (
        "sam.okafor@cheshire.example",
        "Sam leads the Hoole team.",
        "",
    )
    assert (jo.phone, json.loads(jo.social)) == ("07700 900123", {"twitter": "https://x.com/pcjo"})
    assert ali.bio == "Ali walks the beat & runs the surgeries."

    [station] = got["bases"]["NC04"]
    assert (station.name, station.address, station.postcode) == (
        "Blacon Police Station",
        "Blacon Avenue, Chester",
        "CH1 5BB",
    )
    assert (station.latitude, station.longitude) == (53.2045, -2.9261)
    [unplaced] = got["bases"]["WR12"]
    assert (unplaced.name, unplaced.latitude, unplaced.longitude) == ("Police station", None, None)
    assert got["bases"]["CE03"] == []

    surgery, conversation = got["events"]
    assert all(e.community_id == hoole.id and e.source == "police-uk" for e in got["events"])
    assert (surgery.kind, surgery.title, surgery.description) == (
        "surgery",
        "Street surgery",
        "Drop in and talk to us.",
    )
    # 18:30 on a July evening in Chester is BST: 17:30 UTC. 10:00 in January is GMT.
    assert surgery.starts_at == datetime(2030, 7, 18, 17, 30, tzinfo=UTC)
    assert surgery.ends_at == datetime(2030, 7, 18, 18, 30, tzinfo=UTC)
    assert conversation.starts_at == datetime(2030, 1, 10, 10, 0, tzinfo=UTC)
    assert conversation.ends_at is None and conversation.kind == "other"
    assert surgery.external_id.startswith("cheshire/NC04/") and len(surgery.external_id) == 26
    assert surgery.external_id != conversation.external_id


async def test_a_second_run_changes_nothing(empty_db: str, api: FakePoliceApi) -> None:
    await sync(empty_db, api)
    before = await dump(empty_db)
    summary = await sync(empty_db, api)
    assert summary.ok and len(summary.unchanged) == 3 and not summary.added + summary.updated
    assert await dump(empty_db) == before


async def test_changes_are_applied_and_an_assigned_lpu_is_kept(
    db_url: str, api: FakePoliceApi
) -> None:
    await sync(db_url, api)  # alongside the demo communities, which it leaves alone
    hoole = await community(db_url, "NC04")
    crewe_before = await rows_of(db_url, (await community(db_url, "CE03")).id or 0)

    async def assign(uow: UnitOfWork) -> int:
        chester = await uow.communities.lpu_by_slug("chester")
        assert chester is not None
        row = await uow.communities.get(stored(hoole.id))
        assert row is not None
        row.lpu_id = stored(chester.id)
        await uow.communities.add(row)
        await uow.commit()
        return stored(chester.id)

    chester_id = await read(db_url, assign)
    neighbourhood = api.data.neighbourhoods["NC04"]
    neighbourhood.detail["name"] = "Hoole and Newton"
    assert neighbourhood.people is not None and neighbourhood.events is not None
    del neighbourhood.people[1]  # Jo Price has moved on
    neighbourhood.people[0]["rank"] = "Inspector"
    neighbourhood.events[0]["start_date"] = "2030-07-19T18:30:00"  # moved a day: a new event

    summary = await sync(db_url, api)
    assert [len(summary.updated), len(summary.unchanged)] == [1, 2], summary.lines()
    after = await community(db_url, "NC04")
    assert after.lpu_id == chester_id and after.name == "Hoole and Newton"
    assert after.slug == hoole.slug and after.updated_at > hoole.updated_at
    assert await rows_of(db_url, (await community(db_url, "CE03")).id or 0) == crewe_before

    async def team_and_events(uow: UnitOfWork) -> tuple[list[tuple[str, str, int]], list[str]]:
        members = await uow.teams.members(stored(hoole.id))
        events = await uow.events.from_source("police-uk", stored(hoole.id))
        return (
            [(m.name, m.role, m.position) for m in members],
            [f"{e.starts_at:%d %H:%M} {e.status}" for e in events],
        )

    members, events = await read(db_url, team_and_events)
    assert members == [("Sam Okafor", "inspector", 0), ("Ali Khan", "pcso", 1)]
    assert events == ["18 17:30 cancelled", "10 10:00 scheduled", "19 17:30 scheduled"]

    async def counts(uow: UnitOfWork) -> tuple[int, list[str]]:
        return await uow.communities.count(), [lpu.slug for lpu in await uow.communities.lpus()]

    total, lpus = await read(db_url, counts)
    assert total == 122 + 3 and "cheshire-unassigned" in lpus and "chester" in lpus


async def test_a_neighbourhood_no_longer_listed_is_kept_and_counted(
    empty_db: str, api: FakePoliceApi
) -> None:
    await sync(empty_db, api)
    del api.data.neighbourhoods["CE03"]
    summary = await sync(empty_db, api)
    assert summary.ok and summary.listed == 2 and summary.no_longer_listed == 1
    assert any("no longer listed" in line for line in summary.lines())
    assert (await community(empty_db, "CE03")).name == "Crewe South"


# Faults ---------------------------------------------------------------------------


async def test_transient_faults_are_retried(empty_db: str, api: FakePoliceApi) -> None:
    api.fail("/cheshire/NC04", "500", times=2)
    api.fail("/cheshire/NC04/boundary", "bad-json")
    api.fail("/cheshire/NC04/people", "timeout")
    api.fail("/cheshire/NC04/events", "429", retry_after="0.2")
    api.fail("/cheshire/neighbourhoods", "503")

    summary = await sync(empty_db, api)

    assert summary.ok and len(summary.added) == 3 and summary.events == 2
    assert api.hits("/cheshire/NC04") == 3
    assert api.hits("/cheshire/NC04/boundary") == 2
    assert api.hits("/cheshire/NC04/people") == 2
    first, second = [r.at for r in api.requests if r.path == "/cheshire/NC04/events"]
    assert second - first >= 0.2  # Retry-After was honoured
    assert len(json.loads((await community(empty_db, "NC04")).boundary)) == 5


async def test_a_neighbourhood_that_keeps_failing_is_reported_and_left_as_it_was(
    empty_db: str, api: FakePoliceApi
) -> None:
    await sync(empty_db, api)
    warrington = await community(empty_db, "WR12")
    before = await rows_of(empty_db, warrington.id or 0)
    for neighbourhood in api.data.neighbourhoods.values():
        neighbourhood.detail["name"] += " (renamed)"
        assert neighbourhood.people is not None
        neighbourhood.people.pop()
    api.fail("/cheshire/WR12/people", "500", times=None)

    summary = await sync(empty_db, api)

    assert not summary.ok and len(summary.updated) == 2
    [(name, reason)] = summary.failed
    assert name == "Warrington Town Centre (renamed) (WR12)"
    assert "/cheshire/WR12/people" in reason and "HTTP 500" in reason and "3 attempt" in reason
    assert any("FAILED Warrington" in line for line in summary.lines())
    assert api.hits("/cheshire/WR12/people") == FAST["attempts"] + 1  # + the first run
    assert await rows_of(empty_db, warrington.id or 0) == before
    assert (await community(empty_db, "NC04")).name == "Hoole & Newton (renamed)"


async def test_a_new_neighbourhood_that_fails_is_not_half_written(
    empty_db: str, api: FakePoliceApi
) -> None:
    api.fail("/cheshire/CE03/events", "timeout", times=None)
    summary = await sync(empty_db, api)
    assert [name for name, _ in summary.failed] == ["Crewe South (CE03)"]
    assert "no answer within 0.3s" in summary.failed[0][1]
    assert len(summary.added) == 2

    async def held(uow: UnitOfWork) -> set[str]:
        force = await uow.communities.force_by_slug("cheshire")
        assert force is not None
        return await uow.communities.external_ids(stored(force.id))

    assert await read(empty_db, held) == {"NC04", "WR12"}
    api.heal()
    summary = await sync(empty_db, api)  # the next run completes it
    assert summary.ok and [len(summary.added), len(summary.unchanged)] == [1, 2]


async def test_a_database_failure_rolls_the_whole_neighbourhood_back(
    empty_db: str, api: FakePoliceApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    await sync(empty_db, api)
    warrington = await community(empty_db, "WR12")
    before = await rows_of(empty_db, warrington.id or 0)
    for neighbourhood in api.data.neighbourhoods.values():
        neighbourhood.detail["description"] = "<p>New words.</p>"
        assert neighbourhood.people is not None
        neighbourhood.people.pop()
    real = EventRepository.replace_from_source

    async def failing(
        self: EventRepository, source: str, community_id: int, *a: Any, **k: Any
    ) -> bool:
        if community_id == warrington.id:  # after the team and bases were written
            raise OperationalError("UPDATE events ...", {}, Exception("disk I/O error"))
        return await real(self, source, community_id, *a, **k)

    monkeypatch.setattr(EventRepository, "replace_from_source", failing)
    summary = await sync(empty_db, api)

    assert [name for name, _ in summary.failed] == ["Warrington Town Centre (WR12)"]
    assert "disk I/O error" in summary.failed[0][1] and len(summary.updated) == 2
    assert await rows_of(empty_db, warrington.id or 0) == before
    assert (await community(empty_db, "CE03")).description == "New words."


async def test_odd_characters_are_dropped_and_long_text_cut(
    empty_db: str, api: FakePoliceApi
) -> None:
    # A NUL made PostgreSQL refuse the neighbourhood, and a lone surrogate (JSON may
    # send "\ud83d" alone) could not be encoded: the whole sync stopped.
    hoole = api.data.neighbourhoods["NC04"]
    hoole.detail["name"] = "Hoole\x00 & Newton"
    hoole.detail["description"] = "<p>Welcome\x00 to\ud800 Hoole.</p>"
    hoole.detail["contact_details"] = {"telephone": "1\x0001", "x\ud800": "@hoole"}
    hoole.detail["locations"][0]["address"] = "Blacon\x00 Avenue<br/>Chester"
    assert hoole.people is not None and hoole.events is not None
    hoole.people[0].update(
        name="Sam\x00 Okafor", rank="Ser\x00geant", bio="<p>Sam\udfff leads.</p>"
    )
    hoole.people[1]["rank"] = "PC " + "x" * 100  # longer than the column: cut
    hoole.events[0].update(title="Street\ud83d surgery", description="Drop\x00 in.")
    crewe = api.data.neighbourhoods.pop("CE03")
    crewe.detail["id"] = "CE\x00"
    api.data.neighbourhoods["CE\x00"] = crewe  # an id we cannot store: refused, not changed

    summary = await sync(empty_db, api)

    assert sorted(summary.added) == ["Hoole & Newton (NC04)", "Warrington Town Centre (WR12)"]
    assert summary.failed == [("Crewe South (CE)", "its id has a control character, such as NUL")]
    row = await community(empty_db, "NC04")
    assert (row.name, row.description) == ("Hoole & Newton", "Welcome to Hoole.")
    assert json.loads(row.contact) == {"telephone": "101", "x": "@hoole"}

    async def parts(uow: UnitOfWork) -> tuple[list[Any], list[str], list[str]]:
        members = await uow.teams.members(stored(row.id))
        bases = await uow.teams.bases(stored(row.id))
        events = await uow.events.from_source("police-uk", stored(row.id))
        return (
            [(m.name, m.rank, m.role, m.bio) for m in members],
            [b.address for b in bases],
            sorted(f"{e.kind} {e.title}: {e.description}" for e in events),
        )

    members, addresses, events = await read(empty_db, parts)
    assert members[0] == ("Sam Okafor", "Sergeant", "sergeant", "Sam leads.")
    assert members[1][1] == ("PC " + "x" * 100)[:80] and members[1][2] == "officer"
    assert addresses == ["Blacon Avenue, Chester"]
    assert events == ["other Community Conversation: ", "surgery Street surgery: Drop in."]
    again = await sync(empty_db, api)
    assert len(again.unchanged) == 2 and not again.added + again.updated


async def test_unusable_answers_give_a_clear_error(api: FakePoliceApi) -> None:
    async with PoliceUkClient(api.url, **FAST) as police:
        api.fail("/forces/cheshire", "500", times=None)
        with pytest.raises(PoliceApiError) as failed:
            await police.force("cheshire")
        assert str(failed.value) == "GET /forces/cheshire: gave up after 3 attempt(s): HTTP 500"
        assert api.hits("/forces/cheshire") == 3

        with pytest.raises(PoliceApiError) as missing:  # a 404 that is not "none": no retry
            await police.neighbourhood("cheshire", "NOPE")
        assert (missing.value.status, str(missing.value)) == (404, "GET /cheshire/NOPE: HTTP 404")
        assert api.hits("/cheshire/NOPE") == 1
        assert await police.events("cheshire", "WR12") == []  # 404: no events
        assert await police.events("cheshire", "CE03") == []  # []: no events either

        api.fail("/cheshire/neighbourhoods", "bad-json", times=None)
        with pytest.raises(PoliceApiError, match=r"/cheshire/neighbourhoods: .*bad JSON"):
            await police.neighbourhoods("cheshire")


async def test_the_rate_stays_under_the_limit(empty_db: str, api: FakePoliceApi) -> None:
    rate = 8.0
    summary = await sync(empty_db, api, rate=rate)
    assert summary.ok
    assert len(api.requests) == 2 + 3 * 4
    assert api.max_in_one_second() <= rate + 1
    span = api.requests[-1].at - api.requests[0].at
    assert span >= (len(api.requests) - 1) / rate * 0.9  # evenly spaced, not a burst


# Small pure pieces ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("rank", "role"),
    [
        ("PCSO", "pcso"),
        ("Police Community Support Officer", "pcso"),
        ("police community support officer", "pcso"),
        ("PC", "officer"),
        ("Police Constable", "officer"),
        ("Constable", "officer"),
        ("DC", "officer"),
        ("Sgt", "sergeant"),
        ("Sgt.", "sergeant"),
        ("SERGEANT", "sergeant"),
        ("Insp", "inspector"),
        ("Chief Inspector", "inspector"),
        ("Chief Superintendent", "other"),
        ("Volunteer", "other"),
        ("", "other"),
    ],
)
def test_rank_to_role(rank: str, role: str) -> None:
    assert role_for(rank) == role


def test_html_is_stripped_to_plain_text() -> None:
    assert html_to_text(
        "<p>A &amp; B</p><script>x()</script><ul><li>one</li><li>two</li></ul>"
    ) == ("A & B\n\n• one\n• two")
    assert html_to_text("a < b <b>bold") == "a < b bold"
    assert html_to_text(None) == ""


def test_local_times_become_utc() -> None:
    assert london_to_utc("2030-07-18T18:30:00") == datetime(2030, 7, 18, 17, 30, tzinfo=UTC)
    assert london_to_utc("2030-12-18T18:30:00") == datetime(2030, 12, 18, 18, 30, tzinfo=UTC)
    assert london_to_utc("not a date") is None and london_to_utc(None) is None


def test_retry_after_is_read_in_seconds_or_as_a_date() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past


# The command --------------------------------------------------------------------


async def chinwag(
    args: list[str], api: FakePoliceApi, database: str, tmp_path: Path
) -> tuple[int, str, str]:
    settings = {"CHINWAG_POLICE_API_URL": api.url, "CHINWAG_DATABASE_URL": database}
    process = await asyncio.create_subprocess_exec(
        *CHINWAG,
        *args,
        env=chinwag_environment(settings),
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_the_command_runs_end_to_end(
    api: FakePoliceApi, blank_db_url: str, tmp_path: Path
) -> None:
    status, out, err = await chinwag(
        ["sync", "police-uk", "--force", "cheshire"], api, blank_db_url, tmp_path
    )
    assert status == 0, err
    assert "3 neighbourhoods: 3 added, 0 updated, 0 unchanged, 0 failed" in out
    assert "police.uk cheshire: 3/3" in err  # plain progress lines: stderr is not a terminal
    assert api.max_in_one_second() <= 9  # the default rate, 8 a second
    counts = await select_rows(
        blank_db_url,
        lambda tables: {
            name: sa_select(func.count()).select_from(tables.tables[name])
            for name in ("communities", "team_members")
        },
    )
    assert counts == {"communities": [(3,)], "team_members": [(9,)]}


async def test_the_command_names_a_failed_neighbourhood_and_exits_1(
    api: FakePoliceApi, blank_db_url: str, tmp_path: Path
) -> None:
    api.fail("/cheshire/WR12/people", "403", times=None)  # not worth retrying
    status, out, err = await chinwag(["sync", "police-uk"], api, blank_db_url, tmp_path)
    assert status == 1, err
    assert "2 added, 0 updated, 0 unchanged, 1 failed" in out
    assert "FAILED Warrington Town Centre (WR12): GET /cheshire/WR12/people: HTTP 403" in out


@pytest.mark.parametrize(
    ("args", "named"),
    [(["--force", "nowhere"], "--force"), (["--rate", "40"], "--rate")],
)
async def test_the_command_reports_bad_options_in_one_line(
    args: list[str], named: str, api: FakePoliceApi, blank_db_url: str, tmp_path: Path
) -> None:
    status, _, err = await chinwag(["sync", "police-uk", *args], api, blank_db_url, tmp_path)
    assert status == 2
    assert err.strip().startswith(f"chinwag: error: {named}") and len(err.strip().splitlines()) == 1
