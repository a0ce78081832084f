"""The report in the staff member's language: fixed words translated, machine ids kept.

HTML and Markdown are for people: every heading, label and fixed phrase is in the
current locale (``/report`` runs in the staff member's). JSON and CSV are for
programs too: their keys, the CSV header, the figures' sections, the statuses, the
mention sources and the "fewer than 5" marker are the same in every language; only
the text for people (title, scope, labels) is translated.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import col, select

from bot.bootstrap import App
from handlers.conversation.questionnaire import load_all
from handlers.i18n import use_locale
from handlers.outbound import Document
from handlers.reports.build import (
    LoopNote,
    Plan,
    PollResult,
    QuestionAnswers,
    QuotedAnswer,
    Report,
    build_report,
)
from handlers.reports.figures import FEWER, Figure
from handlers.reports.funding import FundingNote
from handlers.reports.render import render
from handlers.reports.themes import Theme
from storage.models import Community, User
from storage.repositories.reports import ReportScope
from tests.support.answers import generate_answers
from tests.support.resident import Resident

TZ = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
TRANSLATED = ("cy", "pl", "uk", "ro", "ar")

# The fixed English of the HTML and Markdown reports, none of which may be left in
# a report in another language.
ENGLISH = (
    "Community Conversation report",
    "Made ",
    "Residents taking part",
    "Organisation engagement plans",
    "Any figure below 5",
    "Reports never show names",
    "Taking part, by",
    "Responses over time",
    "Issues by category",
    "In their own words",
    "Most frequent themes",
    "people)",
    "Organisations and groups mentioned",
    "How found",
    "known partner",
    "Poll:",
    "(Closed)",
    "Votes",
    "You said, we did",
    "people told",
    "action group",
    "Funding applications and decisions",
    "Project",
    "Reason",
    "Waiting for a decision",
    "Approved",
    "What organisations said",
    "Every answer, by question",
    "answer)",
    "fewer than 5",
    "None yet.",
    "No updates yet.",
    "None in this period.",
    "Everywhere",
    "lang='en-GB'",
)


def _figures(section: str, rows: list[tuple[str, int]]) -> tuple[Figure, ...]:
    return tuple(Figure(section, label, n) for label, n in rows)


def report_with_every_section() -> Report:
    """A report with something in every section, built in the current locale's words
    only where ``build_report`` would put them (here: none; the renderers' own)."""
    return Report(
        title="",
        scope="",
        generated="01 Nov 2026 12:00",
        participants=Figure("summary", "x", 70),
        organisations=Figure("summary", "y", 2, people=False),
        by_community=_figures("by community", [("Tarvin (Chester)", 40), ("Kelsall", 3)]),
        by_language=_figures("by language", [("Cymraeg", 12)]),
        by_day=_figures("responses by day", [("2026-10-01", 9)]),
        issues=_figures("issues by category", [("Speeding", 20)]),
        themes=(Theme("speed cameras", 12, ("Speed cameras please",)),),
        theme_figures=_figures("themes", [("speed cameras", 12)]),
        mentioned=_figures("organisations mentioned", [("Age UK", 6)]),
        mention_sources={"Age UK": "known partner"},
        questions=(QuestionAnswers("needs", "Needs", (QuotedAnswer("A bus", "en"),)),),
        plans=(Plan("Age UK Cheshire", "Charity", (("Needs", "Volunteers"),)),),
        polls=(PollResult("Which first?", "closed", _figures("poll: Which first?", [("a", 7)])),),
        updates=(
            LoopNote("2026-10-20", "Litter", "Litter pickers", "Bins", Figure("y", "l", 30)),
            LoopNote("2026-10-21", "speed", "", "Camera", Figure("y", "l", 2)),
        ),
        funding=(
            FundingNote("Pot", "Chester", "Choir", "submitted", "£500", "", "", "2026-10-02", ""),
            FundingNote("Pot", "Chester", "Club", "approved", "£90", "£90", "", "2026-10-02", ""),
        ),
        funding_figures=(Figure("funding", "Applications", 2, people=False),),
    )


def _nothing() -> Report:
    full = report_with_every_section()
    return dataclasses.replace(
        full,
        by_community=(),
        themes=(),
        theme_figures=(),
        mentioned=(),
        plans=(),
        polls=(),
        updates=(),
        funding=(),
    )


def _rendered() -> dict[str, str]:
    return {
        fmt: render(report_with_every_section(), fmt).decode() + render(_nothing(), fmt).decode()
        for fmt in ("html", "md")
    }


@pytest.mark.parametrize("language", TRANSLATED)
def test_no_fixed_english_is_left_in_the_html_or_markdown(language: str) -> None:
    with use_locale(language):
        rendered = _rendered()
    for fmt, text in rendered.items():
        left = [phrase for phrase in ENGLISH if phrase in text]
        assert not left, f"{language} {fmt}: still in English: {left}"
    with use_locale("en"):  # the same reports in English have every one of them
        english = "".join(_rendered().values())
    assert [p for p in ENGLISH if p not in english and p != "Everywhere"] == [
        "Community Conversation report",
        "Residents taking part",
        "Organisation engagement plans",
        "In their own words",
    ]  # those four come from build_report, tested below


def test_an_arabic_report_reads_right_to_left() -> None:
    with use_locale("ar"):
        html = render(report_with_every_section(), "html").decode()
    assert "<html lang='ar' dir='rtl'>" in html
    assert "المشاركة حسب المجتمع" in html and "أقل من 5" in html


async def _report(app: App, language: str) -> Report:
    async with app.deps.uow() as uow:
        with use_locale(language):
            return await build_report(uow, ReportScope(), now=NOW, tz=TZ)


async def test_the_built_report_is_in_the_language_and_its_ids_are_not(app: App) -> None:
    async with app.deps.uow() as uow:
        await generate_answers(uow, people=40)
        await uow.commit()
    english, welsh = await _report(app, "en"), await _report(app, "cy")
    assert welsh.title == "Adroddiad y Sgwrs Gymunedol" and welsh.scope == "Ym mhobman"
    assert welsh.participants.label == "Trigolion sy’n cymryd rhan"
    assert {f.label for f in welsh.by_language} >= {"Saesneg", "Pwyleg", "Arabeg"}
    assert "Yn eu geiriau eu hunain" in {f.label for f in welsh.issues}
    # The questions and options are named as the questionnaire names them in Welsh.
    resident = load_all()["resident"]
    issues, exists = resident.step("issues"), resident.step("exists")
    assert issues is not None and exists is not None
    speeding = next(o for o in issues.options if o.label == "Speeding")
    with use_locale("cy"):
        goryrru = resident.option_label(issues, speeding)
        already = resident.text_of(exists, "short")
    assert goryrru != "Speeding" and goryrru in {f.label for f in welsh.issues}
    assert "Speeding" in {f.label for f in english.issues}
    assert already != "Already available"
    assert next(q.label for q in welsh.questions if q.id == "exists") == already
    assert next(q.label for q in english.questions if q.id == "exists") == "Already available"
    assert welsh.generated == "01 Tach 2026 12:00"  # "01 Nov 2026 12:00" in English

    with use_locale("cy"):
        data = json.loads(render(welsh, "json"))
        rows = list(csv.DictReader(io.StringIO(render(welsh, "csv").decode())))
    english_data = json.loads(render(english, "json"))
    assert data.keys() == english_data.keys()
    # Programs read sections and values: the same in Welsh as in English.
    assert [(f["section"], f["value"]) for f in data["figures"]] == [
        (f["section"], f["value"]) for f in english_data["figures"]
    ]
    assert FEWER in {f["value"] for f in data["figures"]}
    assert [m["source"] for m in data["organisations_mentioned"]] == [
        m["source"] for m in english_data["organisations_mentioned"]
    ]
    # The CSV is the JSON's figures: same header as ever, same sections and values.
    assert list(rows[0]) == ["section", "label", "value"]
    assert [(r["section"], r["label"], r["value"]) for r in rows] == [
        (f["section"], f["label"], str(f["value"])) for f in data["figures"]
    ]
    assert rows[0]["label"] == "Trigolion sy’n cymryd rhan"


async def test_slash_report_follows_the_staff_members_language(app: App) -> None:
    staff = Resident(app.deps, 7_800_000_002, "Ola", language="pl")
    await staff.send("/start")
    async with app.deps.uow() as uow:
        await generate_answers(uow, people=20)
        first = (await uow.session.exec(select(Community).order_by(col(Community.id)))).first()
        assert first is not None
        user = (await uow.session.exec(select(User).where(User.telegram_id == 7_800_000_002))).one()
        assert user.language == "pl"
        user.role, user.role_community_id = "pcso", first.id
        uow.session.add(user)
        await uow.commit()
    html = next(r for r in await staff.send("/report") if isinstance(r, Document))
    text = html.content.decode()
    assert "<html lang='pl' dir='ltr'>" in text
    assert f"Społeczność: {first.name}" in text and "Udział według społeczności" in text
    assert "Taking part" not in text
    data = json.loads(
        next(r for r in await staff.send("/report json") if isinstance(r, Document)).content
    )
    assert data["scope"] == f"Społeczność: {first.name}"
    assert data["figures"][0]["section"] == "summary"
