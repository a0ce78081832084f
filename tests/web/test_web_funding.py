"""Funding applications on the dashboard: the list and CSV for the viewer's area, and
the reviewer's four decisions, made by the chat's own handlers (the same balance
UPDATE, the same notice to the applicant in ``deliveries``)."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import httpx
from sqlmodel import col, select

from handlers.context import Deps
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.payloads import encode
from storage.models import Delivery, FundingApplication, FundingPot, User
from tests.support.resident import Resident
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, sign_in

NOW = datetime(2026, 12, 1, 10, tzinfo=UTC)


async def _pot(deps: Deps, lpu_slug: str, title: str, pence: int) -> int:
    async with deps.uow() as uow:
        lpu = await uow.communities.lpu_by_slug(lpu_slug)
        assert lpu is not None
        pot = await uow.funding.open_pot(
            FundingPot(
                lpu_id=lpu.id,
                title=title,
                amount_pence=pence,
                opens_on=date(2026, 11, 1),
                closes_on=date(2027, 3, 31),
            )
        )
        await uow.commit()
        assert pot.id is not None
        return pot.id


async def _application(deps: Deps, pot_id: int, name: str, pence: int, telegram_id: int) -> int:
    async with deps.uow() as uow:
        applicant = await uow.users.add(
            User(telegram_id=telegram_id, chat_id=telegram_id, language="en", first_name="Ann")
        )
        app = await uow.funding.add_application(
            FundingApplication(
                pot_id=pot_id,
                applicant_id=applicant.id,
                status="submitted",
                project_name=name,
                problem="Speeding <script>alert(1)</script> on the lane",
                beneficiaries="Children walking to school",
                cost_breakdown="Two signs",
                requested_pence=pence,
                contact="ann@example.org",
                submitted_at=NOW,
            )
        )
        await uow.commit()
        assert app.id is not None
        return app.id


async def _state(deps: Deps, app_id: int) -> tuple[str, int | None, str, str, int]:
    async with deps.uow() as uow:
        app = await uow.funding.application(app_id)
        assert app is not None
        pot = await uow.funding.pot(app.pot_id)
        assert pot is not None
        return (
            app.status,
            app.decided_amount_pence,
            app.decision_reason,
            app.question,
            (pot.balance_pence),
        )


async def _told(deps: Deps, app_id: int) -> list[tuple[str, str, str]]:
    """(key without the id, kind, the text) of what the applicant is to be sent."""
    async with deps.uow() as uow:
        rows = (
            await uow.session.exec(
                select(Delivery)
                .where(col(Delivery.key).startswith("funding-"))
                .order_by(col(Delivery.id))
            )
        ).all()
    return [
        (d.key.split(":")[0], d.kind, json.loads(d.payload)["text"])
        for d in rows
        if d.key.split(":")[1] == str(app_id)
    ]


def _csv(response: httpx.Response) -> list[dict[str, str]]:
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_the_list_shows_only_the_viewers_area(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    chester = await _pot(deps, "chester", "Chester fund", 100_000)
    crewe = await _pot(deps, "crewe", "Crewe fund", 100_000)
    mine = await _application(deps, chester, "=Bench <i>for</i> the green", 30_000, 8_001)
    theirs = await _application(deps, crewe, "Crewe lights", 20_000, 8_002)
    await sign_in(deps, browser, ORGANISER)
    page = await browser.get("/funding")
    assert page.status_code == 200
    assert (
        "=Bench &lt;i&gt;for&lt;/i&gt; the green" in page.text and "Crewe lights" not in page.text
    )
    assert '<caption id="funding-caption">Applications to review</caption>' in page.text
    assert f'href="/funding/{mine}"' in page.text and "£300" in page.text
    rows = _csv(await browser.get("/funding.csv"))
    assert [(r["id"], r["project"], r["pot"], r["requested_pounds"]) for r in rows] == [
        (str(mine), "'=Bench <i>for</i> the green", "Chester fund", "300.00")
    ]
    assert _csv(await browser.get("/funding?format=csv")) == rows
    assert (await browser.get(f"/funding/{theirs}")).status_code == 404
    assert (await browser.get("/funding/999999")).status_code == 404
    detail = await browser.get(f"/funding/{mine}")
    assert "Speeding &lt;script&gt;alert(1)&lt;/script&gt;" in detail.text
    assert "<script>" not in detail.text
    browser.cookies.clear()
    await sign_in(deps, browser, SERGEANT_CREWE)
    assert [r["project"] for r in _csv(await browser.get("/funding.csv"))] == ["Crewe lights"]
    browser.cookies.clear()
    await sign_in(deps, browser, ADMIN)
    assert len(_csv(await browser.get("/funding.csv"))) == 2


async def test_approving_changes_the_database_and_tells_the_applicant_as_the_chat_does(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    pot = await _pot(deps, "chester", "Chester fund", 50_000)
    by_chat = await _application(deps, pot, "Bench", 10_000, 8_001)
    by_web = await _application(deps, pot, "Bench", 10_000, 8_002)
    csrf = await sign_in(deps, browser, ORGANISER)
    await Resident(deps, ORGANISER, "Sam").press_data(
        encode(FundingButton(FundingAction.APPROVE, by_chat, 1))
    )
    page = await browser.get(f"/funding/{by_web}")
    assert "Approve £100" in page.text and 'name="version" value="1"' in page.text
    done = await browser.post(
        f"/funding/{by_web}/approve", data={"csrf": csrf, "version": "1"}, follow_redirects=True
    )
    assert done.status_code == 200
    assert "Approved £100 for “Bench”. £300 is left in the pot." in done.text
    assert 'role="status"' in done.text and "Approve £100" not in done.text
    assert await _state(deps, by_web) == ("approved", 10_000, "", "", 30_000)
    assert (await _state(deps, by_chat))[:2] == ("approved", 10_000)
    told = await _told(deps, by_web)
    assert told == await _told(deps, by_chat)
    assert told == [
        (
            "funding-decision",
            "message",
            "✅ Good news: your application “Bench” was approved, for £100.",
        )
    ]
    again = await browser.post(
        f"/funding/{by_web}/approve", data={"csrf": csrf, "version": "1"}, follow_redirects=True
    )
    assert again.status_code == 200 and (await _state(deps, by_web))[4] == 30_000


async def test_another_amount_is_never_above_the_balance(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    pot = await _pot(deps, "chester", "Chester fund", 20_000)
    app_id = await _application(deps, pot, "Lights", 50_000, 8_001)
    csrf = await sign_in(deps, browser, ORGANISER)
    page = await browser.get(f"/funding/{app_id}")
    assert "Approve £200" in page.text  # the balance, not the £500 asked
    too_much = await browser.post(
        f"/funding/{app_id}/amount", data={"csrf": csrf, "amount": "250"}, follow_redirects=True
    )
    assert "Only £200 is left in this pot." in too_much.text
    assert await _state(deps, app_id) == ("submitted", None, "", "", 20_000)
    assert await _told(deps, app_id) == []
    done = await browser.post(
        f"/funding/{app_id}/amount", data={"csrf": csrf, "amount": "£150"}, follow_redirects=True
    )
    assert "Approved £150 for “Lights”. £50 is left in the pot." in done.text
    assert await _state(deps, app_id) == ("approved", 15_000, "", "", 5_000)


async def test_declining_and_asking_tell_the_applicant(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    pot = await _pot(deps, "chester", "Chester fund", 20_000)
    asked = await _application(deps, pot, "Lights", 5_000, 8_001)
    declined = await _application(deps, pot, "Party", 5_000, 8_002)
    csrf = await sign_in(deps, browser, ORGANISER)
    done = await browser.post(
        f"/funding/{asked}/ask",
        data={"csrf": csrf, "question": "Which lane?"},
        follow_redirects=True,
    )
    assert "Asked. You will be told when they answer." in done.text
    assert (await _state(deps, asked))[0::3] == ("question", "Which lane?")
    [(key, kind, text)] = await _told(deps, asked)
    assert (key, kind) == ("funding-question", "message") and "Which lane?" in text
    done = await browser.post(
        f"/funding/{declined}/decline",
        data={"csrf": csrf, "reason": "Not <b>eligible</b>"},
        follow_redirects=True,
    )
    assert "Declined “Party”. The applicant is told." in done.text
    assert "Not &lt;b&gt;eligible&lt;/b&gt;" in done.text
    assert await _state(deps, declined) == ("declined", None, "Not <b>eligible</b>", "", 20_000)
    [(key, _kind, text)] = await _told(deps, declined)
    assert key == "funding-decision" and "The reason given:" in text
    async with deps.uow() as uow:
        organiser = (
            await uow.session.exec(select(User).where(User.telegram_id == ORGANISER))
        ).one()
    assert organiser.awaiting == ""  # the chat is not left waiting for a typed answer


def _table(page: str, name: str) -> str:
    """The HTML of the list table labelled ``{name}-caption``."""
    start = page.index(f'aria-labelledby="{name}-caption"')
    return page[start : page.index("</table>", start)]


async def test_decided_applications_are_listed_under_the_ones_to_review(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    chester = await _pot(deps, "chester", "Chester fund", 50_000)
    crewe = await _pot(deps, "crewe", "Crewe fund", 50_000)
    approved = await _application(deps, chester, "Bench", 10_000, 8_001)
    declined = await _application(deps, chester, "Party <b>time</b>", 5_000, 8_002)
    waiting = await _application(deps, chester, "Lights", 5_000, 8_003)
    elsewhere = await _application(deps, crewe, "Crewe signs", 5_000, 8_004)
    csrf = await sign_in(deps, browser, ORGANISER)
    page = await browser.get("/funding")
    assert "No application has been decided yet." in page.text
    await browser.post(f"/funding/{approved}/approve", data={"csrf": csrf, "version": "1"})
    await browser.post(f"/funding/{declined}/decline", data={"csrf": csrf, "reason": "No"})
    page = await browser.get("/funding")
    to_review, decided = _table(page.text, "funding"), _table(page.text, "decided")
    assert f'href="/funding/{waiting}"' in to_review
    assert f'href="/funding/{approved}"' not in to_review
    assert '<caption id="decided-caption">Latest decisions</caption>' in decided
    # newest decision first; the amount given, or "-" for a decline
    assert decided.index(f'href="/funding/{declined}"') < decided.index(
        f'href="/funding/{approved}"'
    )
    assert "Party &lt;b&gt;time&lt;/b&gt;" in decided and "<b>time" not in decided
    assert "Approved" in decided and "Declined" in decided and "£100" in decided
    assert f'href="/funding/{waiting}"' not in decided
    assert "Crewe signs" not in page.text and f'href="/funding/{elsewhere}"' not in decided
    # the CSV stays the list to review
    assert [r["id"] for r in _csv(await browser.get("/funding.csv"))] == [str(waiting)]
    browser.cookies.clear()
    await sign_in(deps, browser, SERGEANT_CREWE)
    page = await browser.get("/funding")
    assert "Bench" not in page.text and "No application has been decided yet." in page.text


async def test_actions_need_csrf_and_a_role_that_reviews_in_the_chat(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    pot = await _pot(deps, "chester", "Chester fund", 20_000)
    async with deps.uow() as uow:
        tarvin_pot = await uow.funding.open_pot(
            FundingPot(
                community_id=world.tarvin.id,
                title="Tarvin fund",
                amount_pence=20_000,
                opens_on=date(2026, 11, 1),
                closes_on=date(2027, 3, 31),
            )
        )
        await uow.commit()
    assert tarvin_pot.id is not None
    app_id = await _application(deps, pot, "Lights", 5_000, 8_001)
    tarvin_app = await _application(deps, tarvin_pot.id, "Tarvin bench", 5_000, 8_002)
    await sign_in(deps, browser, ORGANISER)
    for action, field in (
        ("approve", "version"),
        ("amount", "amount"),
        ("decline", "reason"),
        ("ask", "question"),
    ):
        response = await browser.post(f"/funding/{app_id}/{action}", data={field: "1"})
        assert response.status_code == 403
        forged = await browser.post(
            f"/funding/{app_id}/{action}", data={field: "1", "csrf": "y" * 32}
        )
        assert forged.status_code == 403
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, PCSO)  # a PCSO does not review in the chat
    page = await browser.get(f"/funding/{tarvin_app}")
    assert page.status_code == 200 and "Approve £50" not in page.text
    assert (await browser.get(f"/funding/{app_id}")).status_code == 404  # the LPU's pot
    refused = await browser.post(
        f"/funding/{tarvin_app}/approve", data={"csrf": csrf, "version": "1"}
    )
    assert refused.status_code == 403
    assert await _state(deps, app_id) == ("submitted", None, "", "", 20_000)
    assert await _state(deps, tarvin_app) == ("submitted", None, "", "", 20_000)
    assert await _told(deps, app_id) == [] and await _told(deps, tarvin_app) == []


async def test_a_session_whose_role_was_taken_away_cannot_decide(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    pot = await _pot(deps, "chester", "Chester fund", 20_000)
    app_id = await _application(deps, pot, "Lights", 5_000, 8_001)
    csrf = await sign_in(deps, browser, ORGANISER)
    async with deps.uow() as uow:
        organiser = (
            await uow.session.exec(select(User).where(User.telegram_id == ORGANISER))
        ).one()
        organiser.role = "resident"
        uow.session.add(organiser)
        await uow.commit()
    refused = await browser.post(f"/funding/{app_id}/approve", data={"csrf": csrf, "version": "1"})
    assert refused.status_code == 403 and "Lights" not in refused.text
    assert await _state(deps, app_id) == ("submitted", None, "", "", 20_000)
    assert await _told(deps, app_id) == []


async def test_the_review_page_speaks_welsh(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    pot = await _pot(deps, "chester", "Chester fund", 20_000)
    app_id = await _application(deps, pot, "Lights", 5_000, 8_001)
    await sign_in(deps, browser, ORGANISER)
    async with deps.uow() as uow:
        organiser = (
            await uow.session.exec(select(User).where(User.telegram_id == ORGANISER))
        ).one()
        organiser.language = "cy"
        uow.session.add(organiser)
        await uow.commit()
    page = await browser.get(f"/funding/{app_id}")
    assert '<html lang="cy"' in page.text
    assert "Gofyn cwestiwn" in page.text and "Cymeradwyo" in page.text
    assert '<label for="reason">' in page.text and '<textarea id="reason"' in page.text
