"""The layout and its languages, the charts' geometry and the shared CSV helper."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col

from bot.web.charts import LABEL_WIDTH, VALUE_WIDTH, WIDTH, bar_chart
from bot.web.csv_export import csv_text
from handlers.context import Deps
from handlers.reports.figures import Figure
from storage.models import User
from tests.web.conftest import ORGANISER, PCSO, sign_in


@pytest.mark.usefixtures("world")
async def test_the_layout_has_landmarks_a_skip_link_and_the_viewer(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    await sign_in(deps, browser, ORGANISER)
    page = (await browser.get("/events")).text
    assert '<html lang="en" dir="ltr">' in page
    assert re.search(r'<a class="skip" href="#main">Skip to the main content</a>', page)
    assert '<main id="main" tabindex="-1">' in page and "<header" in page and "<footer>" in page
    assert '<nav aria-label="Dashboard pages">' in page
    assert '<a href="/events" aria-current="page">Events</a>' in page
    assert "Signed in as Sam" in page and "Role: organiser" in page
    assert "Area: the Chester LPU" in page
    assert re.search(
        r'<form method="post" action="/signout"[^>]*>\s*<input type="hidden" name="csrf"', page
    )
    assert page.count("<h1>") == 1


@pytest.mark.usefixtures("world")
async def test_the_dashboard_speaks_the_users_stored_language(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    await sign_in(deps, browser, PCSO)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User).where(col(User.telegram_id) == PCSO).values(language="ar")
        )
        await uow.commit()
    page = (await browser.get("/")).text
    assert '<html lang="ar" dir="rtl">' in page
    assert "نظرة عامة" in page and "تسجيل الخروج" in page
    assert "الإنجليزية" in page  # the language chart names English in Arabic
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User).where(col(User.telegram_id) == PCSO).values(language="cy")
        )
        await uow.commit()
    page = (await browser.get("/events")).text
    assert '<html lang="cy" dir="ltr">' in page and "Digwyddiadau i ddod" in page


def test_bars_are_scaled_to_the_largest_and_small_counts_hidden() -> None:
    rows = [Figure("x", "Tarvin", 40), Figure("x", "Hoole", 20), Figure("x", "Kelsall", 3)]
    chart = bar_chart("c", "Title", "Community", rows)
    big, half, hidden = chart.bars
    assert big.bar_width == 2 * half.bar_width == WIDTH - LABEL_WIDTH - VALUE_WIDTH
    assert (hidden.suppressed, hidden.value) == (True, "fewer than 5")
    assert hidden.bar_width == round(big.bar_width * 5 / 40)  # drawn up to 5, not to 3
    assert big.bar_x == LABEL_WIDTH and big.value_x > big.bar_x + big.bar_width


def test_right_to_left_bars_grow_from_the_right() -> None:
    chart = bar_chart("c", "T", "L", [Figure("x", "A", 10), Figure("x", "B", 5)], rtl=True)
    first, second = chart.bars
    assert first.bar_x + first.bar_width == second.bar_x + second.bar_width == WIDTH - LABEL_WIDTH
    assert first.label_x > first.bar_x and first.value_x < first.bar_x


def test_csv_cells_that_a_spreadsheet_would_run_are_made_inert() -> None:
    text = csv_text(("a", "b"), [("=HYPERLINK(1)", 5), ("-1+2", "@SUM(A1)"), ("plain, text", None)])
    assert text.splitlines() == ["a,b", "'=HYPERLINK(1),5", "'-1+2,'@SUM(A1)", '"plain, text",']
