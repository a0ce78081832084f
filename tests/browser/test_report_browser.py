"""The HTML report as staff open it on a phone, in headless Chromium, in every language.

A report is often read on the phone it was sent to. Wide tables (funding has seven
columns) must scroll within themselves, not widen the page: in Arabic, a page
wider than the screen is laid out from the right and its start is pushed out of
sight, so nothing but the edges of the charts showed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from handlers.i18n import use_locale
from handlers.reports.render import render
from tests.integration.test_report_languages import report_with_every_section

pytestmark = [pytest.mark.e2e, pytest.mark.asyncio(loop_scope="module")]

PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("language", ["en", "cy", "pl", "uk", "ro", "ar"])
async def test_the_report_fits_a_phone_screen(
    chromium: Any, artefacts: Path, tmp_path: Path, language: str
) -> None:
    with use_locale(language):
        html = render(report_with_every_section(), "html")
    report = tmp_path / f"report-{language}.html"
    report.write_bytes(html)
    page = await chromium.new_page(viewport=PHONE)
    try:
        await page.goto(report.as_uri())
        page_width = await page.evaluate("document.documentElement.scrollWidth")
        assert page_width <= PHONE["width"], f"the page is {page_width}px wide"
        # Every heading starts on the screen (the right edge first, in Arabic).
        outside = await page.evaluate(
            """Array.from(document.querySelectorAll('h2')).filter(h => {
                 const box = h.getBoundingClientRect();
                 return box.left < 0 || box.right > window.innerWidth; }).length"""
        )
        assert outside == 0
        wide = await page.evaluate(
            """Array.from(document.querySelectorAll('table'))
                 .filter(t => t.scrollWidth > t.clientWidth).length"""
        )
        assert wide >= 1  # the funding table is wider than a phone: it scrolls on its own
        await page.screenshot(path=str(artefacts / f"report-phone-{language}.png"))
    finally:
        await page.close()
