"""The organisers' report and the answers export, on the demo data plus generated answers.

Over 300 answers in six languages: the report counts people by community,
language and day, finds themes and organisations, hides any figure below 5, never
shows a name, and the CSV and JSON hold the same figures. The HTML is one file
that opens offline; ``test_cli_html_report_opens_offline_in_chromium`` renders it
in headless Chromium and looks at the screenshot.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import pytest
from PIL import Image
from sqlalchemy import text
from sqlmodel import col, select

from bot.bootstrap import App
from bot.cli import main
from handlers.reports.build import Report, build_report
from handlers.reports.charts import BLUE
from handlers.reports.export import export_csv, export_json
from handlers.reports.figures import FEWER
from handlers.reports.render import render
from storage.models import Conversation
from storage.repositories.reports import ReportScope
from tests.support.answers import Generated, generate_answers

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture
async def generated(app: App) -> Generated:
    async with app.deps.uow() as uow:
        made = await generate_answers(uow, people=70)
        await uow.commit()
    assert made.answers >= 300
    return made


async def _report(app: App, scope: ReportScope | None = None) -> Report:
    async with app.deps.uow() as uow:
        return await build_report(uow, scope or ReportScope(), now=NOW, tz=TZ)


async def test_report_counts_people_by_community_language_and_day(
    app: App, generated: Generated
) -> None:
    report = await _report(app)
    assert report.participants.value == 70
    assert report.organisations.value == 3  # not people: shown as it is
    assert {f.label for f in report.by_language} == {
        "English",
        "Welsh",
        "Polish",
        "Ukrainian",
        "Romanian",
        "Arabic",
    }
    assert sum(f.count for f in report.by_language) == 70
    assert sum(f.count for f in report.by_community) == 70
    assert sum(f.count for f in report.by_day) == 70
    # One community has a single person: shown as "fewer than 5", never as 1.
    assert any(f.value == FEWER for f in report.by_community)
    assert all(not 0 < f.count < 5 for f in report.figures() if f.value != FEWER and f.people)
    assert {f.label for f in report.issues} >= {"Speeding", "Parking", "In their own words"}


async def test_report_finds_themes_with_quotes_and_organisations(
    app: App, generated: Generated
) -> None:
    report = await _report(app)
    assert len(report.themes) >= 5
    # Two or three different quotes, unless everyone used the very same words.
    assert sum(len(t.quotes) >= 2 for t in report.themes) >= len(report.themes) // 2
    for theme in report.themes:
        assert 1 <= len(theme.quotes) <= 3
        words = theme.phrase.split()
        assert all(any(w in q.casefold() for q in theme.quotes) for w in words)
    mentioned = {f.label: report.mention_sources[f.label] for f in report.mentioned}
    assert mentioned["Neighbourhood Watch"] == "known partner"  # also "Gwarchod Cymdogaeth"
    assert mentioned["Age UK"] == "known partner"
    assert mentioned["Tarvin Community Choir"] == "known partner"  # it sent a plan
    assert [p.organisation for p in report.plans] == [
        "Age UK Cheshire",
        "Cheshire Fire and Rescue",
        "Tarvin Community Choir",
    ]
    exists = next(q for q in report.questions if q.id == "exists")
    assert len(exists.answers) == 70


async def test_csv_and_json_hold_the_same_figures(app: App, generated: Generated) -> None:
    report = await _report(app)
    rows = list(csv.DictReader(io.StringIO(render(report, "csv").decode())))
    data = json.loads(render(report, "json"))
    from_json = [(f["section"], f["label"], str(f["value"])) for f in data["figures"]]
    assert [(r["section"], r["label"], r["value"]) for r in rows] == from_json
    assert len(rows) > 30
    assert FEWER in {r["value"] for r in rows}


async def test_no_format_shows_a_name(app: App, generated: Generated) -> None:
    report = await _report(app)
    for fmt in ("html", "md", "csv", "json"):
        text = render(report, fmt).decode()
        assert not re.search(r"Resident\d", text), fmt


async def test_scope_by_community_and_dates(app: App, generated: Generated) -> None:
    first = generated.communities[0]
    by_place = await _report(app, ReportScope(community_id=first))
    assert by_place.participants.count == next(
        f.count
        for f in (await _report(app)).by_community
        if f.label.startswith(by_place.scope[11:])
    )
    early = await _report(
        app,
        ReportScope(
            since=datetime(2026, 10, 1, tzinfo=UTC), until=datetime(2026, 10, 6, tzinfo=UTC)
        ),
    )
    assert 0 < early.participants.count < 70
    assert all(f.label < "2026-10-06" for f in early.by_day)


async def test_days_are_local_days_like_the_scope(app: App) -> None:
    """Answers sent just after midnight BST (still the day before in UTC) are counted on
    the local day, as the scope's "from" counts them, not on a day outside the scope.
    A PostgreSQL connection in another time zone changes nothing."""
    async with app.deps.uow() as uow:
        await generate_answers(uow, people=6, days=1)
        # 23:00 to 23:25 UTC on 1 June: 2 June in London (and in Tokyo).
        sent = (await uow.session.exec(select(Conversation).order_by(col(Conversation.id)))).all()
        for n, conversation in enumerate(c for c in sent if c.questionnaire == "resident"):
            conversation.submitted_at = datetime(2026, 6, 1, 23, 5 * n, tzinfo=UTC)
            uow.session.add(conversation)
        await uow.commit()
    since = datetime(2026, 6, 2, tzinfo=TZ)
    report = await _report(app, ReportScope(since=since))
    assert report.participants.count == 6
    assert [(f.label, f.count) for f in report.by_day] == [("2026-06-02", 6)]
    async with app.deps.uow() as uow:
        if app.engine.dialect.name == "postgresql":  # for this transaction only
            connection = await uow.session.connection()
            await connection.execute(text("SET LOCAL TIME ZONE 'Asia/Tokyo'"))
        assert await uow.reports.by_day(ReportScope(), TZ) == [("2026-06-02", 6)]
        assert await uow.reports.by_day(ReportScope(), ZoneInfo("UTC")) == [("2026-06-01", 6)]


async def test_export_respects_anonymity(app: App, generated: Generated) -> None:
    async with app.deps.uow() as uow:
        rows = await uow.reports.export(ReportScope(), "resident")
    records = list(csv.DictReader(io.StringIO(export_csv(rows))))
    assert len(records) == generated.answers
    anonymous = [r for r in records if r["anonymous"] == "yes"]
    named = [r for r in records if r["anonymous"] == "no"]
    assert anonymous and named
    assert all(r["name"] == "" for r in anonymous)
    assert all(r["name"].startswith("Resident") for r in named)
    assert json.loads(export_json(rows)) == records
    issues = next(r for r in records if r["question"] == "Issues now")
    assert issues["choices"]  # option labels, not ids


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The demo database plus 70 generated residents (420 answers), for the CLI."""
    from bot.bootstrap import build_app
    from bot.settings import Settings

    async def fill() -> None:
        app = await build_app(Settings(database_url=db_url), apply_migrations=False)
        async with app.deps.uow() as uow:
            await generate_answers(uow, people=70)
            await uow.commit()
        await app.close()

    asyncio.run(fill())
    monkeypatch.setenv("CHINWAG_DATABASE_URL", db_url)
    return db_url


def test_cli_report_and_export(cli_db: str, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    assert main(["report", "--format", "json", "--lpu", "chester", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["figures"][0]["value"] == 70
    export = tmp_path / "answers.csv"
    assert main(["export", "answers", "--since", "2026-10-01", "--out", str(export)]) == 0
    assert export.read_text().startswith("response,questionnaire,")
    assert main(["report", "--lpu", "atlantis"]) == 2
    assert main(["report", "--since", "yesterday"]) == 2


def test_cli_report_in_another_language(
    cli_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--language", "cy", "--out", str(tmp_path / "cy.md")]) == 0
    welsh = (tmp_path / "cy.md").read_text(encoding="utf-8")
    assert welsh.startswith("# Adroddiad y Sgwrs Gymunedol")
    assert "Community Conversation report" not in welsh
    assert (
        main(["report", "--format", "html", "--language", "ar", "--out", str(tmp_path / "ar.html")])
        == 0
    )
    assert "<html lang='ar' dir='rtl'>" in (tmp_path / "ar.html").read_text(encoding="utf-8")
    # JSON in Polish: text for people translated, what programs read the same
    assert main(["report", "--format", "json", "--out", str(tmp_path / "en.json")]) == 0
    assert (
        main(["report", "--format", "json", "--language", "PL", "--out", str(tmp_path / "pl.json")])
        == 0
    )
    english, polish = (json.loads((tmp_path / f).read_text()) for f in ("en.json", "pl.json"))
    assert polish["title"] == "Raport z Rozmowy z mieszkańcami" != english["title"]
    assert polish.keys() == english.keys()
    assert [(f["section"], f["value"]) for f in polish["figures"]] == [
        (f["section"], f["value"]) for f in english["figures"]
    ]
    # without --language: the configured default
    monkeypatch.setenv("CHINWAG_DEFAULT_LOCALE", "pl")
    assert main(["report", "--format", "json", "--out", str(tmp_path / "default.json")]) == 0
    assert json.loads((tmp_path / "default.json").read_text())["title"] == polish["title"]
    capsys.readouterr()
    assert main(["report", "--language", "fr"]) == 2
    error = capsys.readouterr().err
    assert "--language: 'fr' is not a supported language" in error
    assert all(f"{code} (" in error for code in ("ar", "cy", "en", "pl", "ro", "uk"))
    assert "cy (Cymraeg)" in error
    monkeypatch.setenv("CHINWAG_DEFAULT_LOCALE", "fr")
    assert main(["report"]) == 2
    assert "CHINWAG_DEFAULT_LOCALE: 'fr' is not a supported language" in capsys.readouterr().err


def test_cli_csv_and_json_hold_the_same_figures(cli_db: str, tmp_path: Path) -> None:
    assert main(["report", "--format", "csv", "--out", str(tmp_path / "r.csv")]) == 0
    assert main(["report", "--format", "json", "--out", str(tmp_path / "r.json")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    data = json.loads((tmp_path / "r.json").read_text())
    assert [(r["section"], r["label"], r["value"]) for r in rows] == [
        (f["section"], f["label"], str(f["value"])) for f in data["figures"]
    ]


@pytest.fixture
def chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium (apt-get install chromium)")
    return CHROMIUM


def _screenshot(chromium: Path, page: Path, shot: Path) -> None:
    """Chromium, headless, renders the file (no network needed) and saves a PNG."""
    subprocess.run(
        [
            str(chromium),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            f"--user-data-dir={page.parent / 'chromium-profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,3000",
            page.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )


def test_cli_html_report_opens_offline_in_chromium(
    cli_db: str, chromium: Path, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    assert main(["report", "--format", "html", "--out", str(page)]) == 0
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"(?:https?:)?//[\w.-]+\.\w", html)  # nothing fetched from anywhere
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert html.count("data:image/png;base64,") >= 5
    shot = tmp_path / "report.png"  # kept with the test's files, to look at
    _screenshot(chromium, page, shot)
    image = Image.open(shot).convert("RGB")
    assert image.size == (1200, 3000)
    # (count, colour) pairs; an RGB image's colours are (r, g, b), never one number
    colours = cast(
        "list[tuple[int, tuple[int, int, int]]] | None", image.getcolors(maxcolors=1 << 20)
    )
    assert colours is not None and len(colours) > 50  # not blank
    blue = tuple(int(BLUE[i : i + 2], 16) for i in (1, 3, 5))
    near = sum(n for n, c in colours if all(abs(a - b) <= 8 for a, b in zip(c, blue, strict=True)))
    assert near > 5000  # the bars of the charts
