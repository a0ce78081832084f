"""Answers and themes: filters that narrow the viewer's area and never widen it, the
report's themes and organisations, the answers (no name when anonymous), their CSV,
and the report of the same filters in each of the chat's formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlmodel import col, select

from bot.web.pages import answers as answers_page
from handlers.context import Deps
from handlers.reports.build import build_report
from storage.models import Answer, Conversation, Rsvp
from storage.repositories.reports import ReportScope
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, add_event, sign_in

SAID = {
    "Tarvin": "Speeding cars on Church Lane. The Tarvin Community Trust helps",
    "Hoole": "Litter everywhere in Alexandra Park",
    "Crewe Central": "Potholes ruin Nantwich Road",
}


async def _said(deps: Deps, world: World) -> None:
    """Everyone's "needs" answer, one Tarvin resident named, one anonymous."""
    async with deps.uow() as uow:
        for community in (world.tarvin, world.hoole, world.crewe):
            conversations = (
                await uow.session.exec(
                    select(Conversation)
                    .where(Conversation.community_id == community.id)
                    .order_by(col(Conversation.id))
                )
            ).all()
            for n, conversation in enumerate(conversations):
                assert conversation.id is not None
                uow.session.add(
                    Answer(
                        conversation_id=conversation.id,
                        question="needs",
                        text=SAID[community.name],
                    )
                )
                if community.name == "Tarvin" and n < 2:
                    user = await uow.users.get(conversation.user_id or 0)
                    assert user is not None
                    user.first_name = "<Zed>" if n == 0 else "Secret"
                    conversation.anonymous = n == 1
                    uow.session.add_all([user, conversation])
        await uow.commit()


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_a_pcso_sees_their_communitys_answers_and_themes(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _said(deps, world)
    await sign_in(deps, browser, PCSO)
    page = await browser.get("/answers")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/answers" aria-current="page">Answers and themes</a>' in text
    assert "speeding cars" in text.casefold() and "Litter" not in text and "Potholes" not in text
    assert "&lt;Zed&gt;" in text and "<Zed>" not in text
    assert "Secret" not in text and "Anonymous" in text
    assert "6 answers." in text
    assert '<caption id="themes-caption">' in text and '<label for="f-from">' in text
    themes = text[text.index('<caption id="themes-caption">') : text.index("</table>")]
    async with deps.uow() as uow:
        expected = await build_report(
            uow, ReportScope(community_id=world.tarvin.id), now=datetime.now(UTC), tz=deps.timezone
        )
    assert expected.themes
    for theme in expected.themes:
        assert f'<th scope="row">{theme.phrase}</th>' in themes
    assert '<td class="num">6</td>' in themes and "“Speeding cars on Church Lane." in themes
    mentioned = text[text.index('<caption id="mentioned-caption">') :]
    assert "Tarvin Community Trust" in mentioned.split("</table>")[0]
    rows = _csv(await browser.get("/answers?format=csv"))
    assert len(rows) == 6 and {r["community"] for r in rows} == {"Tarvin"}
    assert {r["name"] for r in rows} == {"", "<Zed>"}
    assert [r["name"] for r in rows if r["anonymous"] == "yes"] == [""]


async def test_filters_narrow_the_area_and_a_place_outside_it_is_not_found(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _said(deps, world)
    await sign_in(deps, browser, ORGANISER)
    rows = _csv(await browser.get("/answers?format=csv"))
    assert sorted({r["community"] for r in rows}) == ["Hoole", "Tarvin"]
    page = await browser.get(f"/answers?community={world.hoole.id}")
    assert "Alexandra Park" in page.text and "Church Lane" not in page.text
    assert f'<option value="{world.hoole.id}" selected>Hoole</option>' in page.text
    assert "Crewe Central" not in page.text  # not offered either
    assert (await browser.get(f"/answers?community={world.crewe.id}")).status_code == 404
    assert (await browser.get(f"/answers?lpu={world.crewe.lpu_id}")).status_code == 404
    assert (await browser.get("/answers?community=abc")).status_code == 404
    assert (await browser.get("/answers?community=2147483648")).status_code == 404
    assert (await browser.get("/answers?community=²")).status_code == 404
    crewe_event = await add_event(deps, "Crewe chat", community=world.crewe)
    assert (await browser.get(f"/answers?event={crewe_event}")).status_code == 404
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert _csv(await browser.get(f"/answers?format=csv&from={tomorrow}")) == []
    long_ago = (datetime.now(UTC) - timedelta(days=400)).date().isoformat()
    assert _csv(await browser.get(f"/answers?format=csv&to={long_ago}")) == []
    assert len(_csv(await browser.get(f"/answers?format=csv&to={tomorrow}"))) == len(rows)


async def test_an_event_filter_keeps_the_people_going(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _said(deps, world)
    event_id = await add_event(deps, "Tarvin chat", community=world.tarvin)
    async with deps.uow() as uow:
        [first] = (
            await uow.session.exec(
                select(Conversation)
                .where(Conversation.community_id == world.tarvin.id)
                .order_by(col(Conversation.id))
                .limit(1)
            )
        ).all()
        uow.session.add(Rsvp(event_id=event_id, user_id=first.user_id or 0, status="going"))
        await uow.commit()
    await sign_in(deps, browser, PCSO)
    rows = _csv(await browser.get(f"/answers?format=csv&event={event_id}"))
    assert [r["name"] for r in rows] == ["<Zed>"]


async def test_the_report_downloads_in_each_format_for_the_filters(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    await _said(deps, world)
    await sign_in(deps, browser, SERGEANT_CREWE)
    page = await browser.get("/answers")
    assert 'href="/answers/report.md?"' in page.text or 'href="/answers/report.md"' in page.text
    md = await browser.get("/answers/report.md")
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    assert 'attachment; filename="chinwag-report-' in md.headers["content-disposition"]
    assert "LPU: Crewe" in md.text and "Tarvin" not in md.text
    report = json.loads((await browser.get("/answers/report.json")).content)
    assert "Crewe" in json.dumps(report) and "Hoole" not in json.dumps(report)
    csv_report = await browser.get("/answers/report.csv")
    assert csv_report.status_code == 200 and "Crewe Central" in csv_report.text
    html_report = await browser.get("/answers/report.html")
    assert html_report.status_code == 200 and "<html" in html_report.text
    assert (await browser.get("/answers/report.pdf")).status_code == 404
    assert (await browser.get(f"/answers/report.md?community={world.tarvin.id}")).status_code == 404
    browser.cookies.clear()
    await sign_in(deps, browser, ADMIN)
    md = await browser.get(f"/answers/report.md?community={world.hoole.id}")
    assert "Community: Hoole" in md.text


async def test_signed_out_gets_nothing(browser: httpx.AsyncClient, world: World) -> None:
    assert (await browser.get("/answers")).status_code == 401
    assert (await browser.get("/answers/report.json")).status_code == 401


async def test_the_answers_come_a_page_at_a_time(
    deps: Deps, browser: httpx.AsyncClient, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(answers_page, "PER_PAGE", 4)
    await _said(deps, world)
    await sign_in(deps, browser, PCSO)  # 6 answers: pages of 4 and 2
    first = await browser.get(f"/answers?community={world.tarvin.id}")
    assert "Answers, page 1 of 2" in first.text and first.text.count("Church Lane.") >= 4
    assert f'href="/answers?community={world.tarvin.id}&amp;page=2" rel="next"' in first.text
    second = await browser.get(f"/answers?community={world.tarvin.id}&page=2")
    assert "Answers, page 2 of 2" in second.text and 'rel="prev"' in second.text
    rows = second.text.split('<caption id="answers-caption">')[1].split("</table>")[0]
    assert rows.count("<tr>") == 3  # the header and two answers
