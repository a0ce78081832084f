"""``/report`` in the chat: staff get their area's report as a file; residents are refused."""

from __future__ import annotations

import json
import logging

import pytest
from sqlmodel import col, select

from bot.bootstrap import App
from handlers.outbound import Document, Text
from storage.models import Community, User
from tests.support.answers import generate_answers
from tests.support.resident import Resident

STAFF_ID = 7_800_000_001


async def _staff(app: App, role: str, *, lpu: bool = False, community: bool = False) -> Resident:
    person = Resident(app.deps, STAFF_ID, "Olive")
    await person.send("/start")
    async with app.deps.uow() as uow:
        await generate_answers(uow, people=30)
        first = (await uow.session.exec(select(Community).order_by(col(Community.id)))).first()
        assert first is not None
        user = (await uow.session.exec(select(User).where(User.telegram_id == STAFF_ID))).one()
        user.role = role
        user.role_lpu_id = first.lpu_id if lpu else None
        user.role_community_id = first.id if community else None
        uow.session.add(user)
        await uow.commit()
    return person


async def test_organiser_gets_the_html_report_of_their_lpu(app: App) -> None:
    organiser = await _staff(app, "organiser", lpu=True)
    replies = await organiser.send("/report")
    document = next(r for r in replies if isinstance(r, Document))
    assert document.filename.endswith(".html")
    assert document.mime_type == "text/html"
    html = document.content.decode()
    assert "LPU: Chester" in html and "data:image/png;base64," in html
    assert "Resident1" not in html


async def test_pcso_gets_json_for_their_community(app: App) -> None:
    pcso = await _staff(app, "pcso", community=True)
    replies = await pcso.send("/report json")
    document = next(r for r in replies if isinstance(r, Document))
    data = json.loads(document.content)
    assert data["scope"].startswith("Community: ")


async def test_unknown_format_is_explained(app: App) -> None:
    admin = await _staff(app, "admin")
    replies = await admin.send("/report pdf")
    assert isinstance(replies[0], Text) and "html, md, csv, json" in replies[0].text


async def test_resident_is_refused_and_logged(app: App, caplog: pytest.LogCaptureFixture) -> None:
    resident = await _staff(app, "resident")
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        replies = await resident.send("/report")
    assert not any(isinstance(r, Document) for r in replies)
    assert any("staff action refused" in r.message for r in caplog.records)
