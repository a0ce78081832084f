"""The dashboard's report downloads are in the viewer's language, as ``/report`` is."""

from __future__ import annotations

import json

import httpx
from sqlmodel import col, update

from handlers.context import Deps
from storage.models import User
from tests.web.conftest import SERGEANT_CREWE, World, sign_in


async def test_the_report_downloads_in_the_viewers_language(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User).where(col(User.telegram_id) == SERGEANT_CREWE).values(language="cy")
        )
        await uow.commit()
    await sign_in(deps, browser, SERGEANT_CREWE)
    md = (await browser.get("/answers/report.md")).text
    assert md.startswith("# Adroddiad y Sgwrs Gymunedol")
    assert "LPU: Crewe. Crëwyd " in md and "## Cymryd rhan, fesul cymuned" in md
    assert "Taking part" not in md
    html = (await browser.get("/answers/report.html")).text
    assert "<html lang='cy' dir='ltr'>" in html
    data = json.loads((await browser.get("/answers/report.json")).content)
    assert data["title"] == "Adroddiad y Sgwrs Gymunedol"
    assert data["figures"][0]["section"] == "summary"  # ids stay as they are
    csv_report = (await browser.get("/answers/report.csv")).text
    assert csv_report.splitlines()[0] == "section,label,value"
