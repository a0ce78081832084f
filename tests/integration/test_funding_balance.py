"""A pot's balance never goes below zero, even when two organisers approve at once."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.context import Deps
from handlers.reports.build import build_report
from handlers.reports.render_html import render_html
from handlers.reports.render_json import render_json
from handlers.reports.render_md import render_md
from storage.demo.loader import load_demo
from storage.models import FundingApplication, FundingPot, User
from storage.repositories.reports import ReportScope

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def pot_with_bids(deps: Deps, amount: int, bids: list[int]) -> tuple[int, list[int]]:
    """A Chester LPU pot of ``amount`` pence and submitted bids for ``bids`` pence."""
    async with deps.uow() as uow:
        lpu = await uow.communities.lpu_by_slug("chester")
        assert lpu is not None
        pot = await uow.funding.open_pot(
            FundingPot(
                lpu_id=lpu.id,
                title="Chester fund",
                amount_pence=amount,
                opens_on=date(2026, 11, 1),
                closes_on=date(2027, 3, 31),
            )
        )
        assert pot.id is not None
        ids = []
        for n, requested in enumerate(bids):
            application = await uow.funding.add_application(
                FundingApplication(
                    pot_id=pot.id,
                    status="submitted",
                    project_name=f"Project {n}",
                    requested_pence=requested,
                    submitted_at=NOW,
                )
            )
            assert application.id is not None
            ids.append(application.id)
        await uow.commit()
    return pot.id, ids


async def approve(deps: Deps, application_id: int, amount: int) -> bool:
    async with deps.uow() as uow:
        result = await uow.funding.approve(application_id, amount, None, NOW)
        if result.refused is None:
            await uow.commit()
            return True
        await uow.rollback()
        return False


async def balance(deps: Deps, pot_id: int) -> int:
    async with deps.uow() as uow:
        pot = await uow.funding.pot(pot_id)
        assert pot is not None
        return pot.balance_pence


async def statuses(deps: Deps, ids: list[int]) -> list[str]:
    async with deps.uow() as uow:
        found = [await uow.funding.application(i) for i in ids]
        return [a.status for a in found if a is not None]


async def test_an_approval_takes_from_the_balance_and_a_second_cannot_overdraw(
    deps: Deps,
) -> None:
    pot_id, (first, second) = await pot_with_bids(deps, 100_000, [60_000, 50_000])
    assert await approve(deps, first, 60_000)
    assert await balance(deps, pot_id) == 40_000
    async with deps.uow() as uow:
        refused = await uow.funding.approve(second, 50_000, None, NOW)
    assert (refused.refused, refused.balance_pence) == ("too_much", 40_000)
    assert await approve(deps, second, 40_000)
    assert await balance(deps, pot_id) == 0
    assert await statuses(deps, [first, second]) == ["approved", "approved"]
    assert not await approve(deps, first, 1)  # already decided


async def test_the_database_itself_refuses_a_negative_balance(deps: Deps) -> None:
    pot_id, _ = await pot_with_bids(deps, 1_000, [])
    async with deps.uow() as uow:
        pot = await uow.funding.pot(pot_id)
        assert pot is not None
        pot.balance_pence = -1
        with pytest.raises(IntegrityError):
            await uow.session.flush()


async def test_decline_ask_and_answer(deps: Deps) -> None:
    _pot, (one, two) = await pot_with_bids(deps, 100_000, [1_000, 2_000])
    async with deps.uow() as uow:
        assert await uow.funding.ask(one, "Who else pays?", None, NOW)
        assert await uow.funding.decline(two, "Outside the criteria", None, NOW)
        assert not await uow.funding.decline(two, "Twice", None, NOW)
        await uow.commit()
    assert await statuses(deps, [one, two]) == ["question", "declined"]
    async with deps.uow() as uow:
        assert await uow.funding.answer(one, "The parish council")
        await uow.commit()
        application = await uow.funding.application(one)
        assert application is not None
        assert (application.status, application.answer) == ("submitted", "The parish council")


async def two_at_once(first: App, second: App) -> None:
    pot_id, (a, b) = await pot_with_bids(first.deps, 100_000, [70_000, 60_000])
    results = await asyncio.gather(approve(first.deps, a, 70_000), approve(second.deps, b, 60_000))
    assert sorted(results) == [False, True]
    left = await balance(first.deps, pot_id)
    assert left >= 0 and left in (30_000, 40_000)
    assert sorted(await statuses(first.deps, [a, b])) == ["approved", "submitted"]


async def test_two_approvals_at_once_leave_the_balance_above_zero(
    settings: Settings,
) -> None:
    first = await build_app(settings, apply_migrations=False)
    second = await build_app(settings, apply_migrations=False)
    try:
        await two_at_once(first, second)
    finally:
        await first.close()
        await second.close()


async def test_two_approvals_at_once_on_postgres_leave_the_balance_above_zero(
    postgres_url: str,
) -> None:
    settings = Settings(database_url=postgres_url, flood_limit=100_000)
    first = await build_app(settings)
    second = await build_app(settings, apply_migrations=False)
    try:
        async with first.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        for _ in range(5):  # several rounds, so the race is really run
            await two_at_once(first, second)
    finally:
        await first.close()
        await second.close()


async def test_forget_deletes_drafts_and_unlinks_sent_applications(deps: Deps) -> None:
    pot_id, (sent,) = await pot_with_bids(deps, 100_000, [5_000])
    async with deps.uow() as uow:
        user = User(telegram_id=77_000_001, chat_id=77_000_001, first_name="Ada")
        uow.session.add(user)
        await uow.session.flush()
        assert user.id is not None
        draft = await uow.funding.add_application(
            FundingApplication(pot_id=pot_id, applicant_id=user.id, project_name="Half done")
        )
        application = await uow.funding.application(sent)
        assert application is not None
        application.applicant_id = user.id
        application.contact = "ada@example.invalid"
        await uow.commit()
        exported = await uow.personal_data.export(user)
        assert [a["project_name"] for a in exported["funding_applications"]] == [
            "Project 0",
            "Half done",
        ]
        await uow.personal_data.erase(user)
        await uow.commit()
        assert await uow.funding.application(draft.id or 0) is None
        kept = await uow.funding.application(sent)
        assert kept is not None
        assert (kept.applicant_id, kept.contact, kept.project_name) == (None, "", "Project 0")


async def test_the_report_lists_applications_and_decisions_for_the_area(deps: Deps) -> None:
    _pot, (one, two, _three) = await pot_with_bids(deps, 100_000, [3_000, 2_000, 1_000])
    assert await approve(deps, one, 2_500)
    async with deps.uow() as uow:
        assert await uow.funding.decline(two, "Outside the criteria", None, NOW)
        await uow.commit()
        chester = await uow.communities.lpu_by_slug("chester")
        warrington = await uow.communities.lpu_by_slug("warrington")
        assert chester is not None and warrington is not None
        london = ZoneInfo("Europe/London")
        report = await build_report(uow, ReportScope(lpu_id=chester.id), now=NOW, tz=london)
        elsewhere = await build_report(uow, ReportScope(lpu_id=warrington.id), now=NOW, tz=london)
        later = ReportScope(since=datetime(2027, 1, 1, tzinfo=UTC))
        next_year = await build_report(uow, later, now=NOW, tz=london)
    assert [(n.project, n.status, n.decided, n.reason) for n in report.funding] == [
        ("Project 0", "approved", "£25", ""),
        ("Project 1", "declined", "", "Outside the criteria"),
        ("Project 2", "submitted", "", ""),
    ]
    data = json.loads(render_json(report))
    funding = {f["label"]: f["value"] for f in data["figures"] if f["section"] == "funding"}
    assert funding == {
        "Applications": 3,
        "Approved": 1,
        "Declined": 1,
        "Waiting for a decision": 1,
        "Amount approved (pence)": 2_500,
    }
    assert "Outside the criteria" in render_md(report)
    assert "Funding applications and decisions" in render_html(report)
    assert elsewhere.funding == () and next_year.funding == ()
