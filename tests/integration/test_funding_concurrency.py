"""Two updates of one applicant at once, on two workers: each answer is saved as
given, to its own question (never both to the same step, one of them lost)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.exc import IntegrityError

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.dispatch import handle
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.inbound import TextMessage
from handlers.outbound import Edit, Notice, Text
from handlers.payloads import encode
from storage.demo.loader import load_demo
from storage.models import FundingApplication, User
from tests.integration.test_funding_chat import (
    NOON,
    ORGANISER,
    group_member,
    lpu_pot,
    start_applying,
)
from tests.support.resident import Resident

ROUNDS = 3  # several, so the race is really run


async def _two_workers(settings: Settings) -> tuple[App, App]:
    first = await build_app(settings, apply_migrations=False)
    second = await build_app(settings, apply_migrations=False)
    for worker in (first, second):
        worker.deps = dataclasses.replace(worker.deps, clock=lambda: NOON)
    return first, second


@pytest.fixture
async def postgres_workers(postgres_url: str) -> AsyncIterator[tuple[App, App]]:
    """Two workers on one migrated PostgreSQL with the demo data, where two workers'
    transactions really overlap (SQLite lets one writer at a time)."""
    await (await build_app(Settings(database_url=postgres_url))).close()  # migrated
    first, second = await _two_workers(Settings(database_url=postgres_url))
    try:
        async with first.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        yield first, second
    finally:
        await first.close()
        await second.close()


async def _answers_of_latest_draft(app: App, applicant: Resident) -> tuple[str, str, str]:
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(applicant.sender.telegram_id)
        assert user is not None and user.id is not None
        draft = await uow.funding.draft_of(user.id)
        assert draft is not None
        return draft.project_name, draft.problem, draft.step


async def test_two_answers_at_once_on_two_workers_fill_two_steps(settings: Settings) -> None:
    first, second = await _two_workers(settings)
    try:
        await lpu_pot(first)
        member = await group_member(first)
        for n in range(ROUNDS):
            await start_applying(member)
            assert "Step 1 of 7" in member.text
            a = TextMessage(sender=member.sender, update_id=880_000_000 + 2 * n, text=f"A{n}")
            b = TextMessage(sender=member.sender, update_id=880_000_001 + 2 * n, text=f"B{n}")
            await asyncio.gather(handle(first.deps, a), handle(second.deps, b))
            name, problem, step = await _answers_of_latest_draft(first, member)
            assert {name, problem} == {f"A{n}", f"B{n}"}, (name, problem)
            assert step == "beneficiaries"
            await member.send("/cancel")
            async with first.deps.uow() as uow:  # out of the way of the next round
                user = await uow.users.by_telegram_id(member.sender.telegram_id)
                assert user is not None and user.id is not None
                draft = await uow.funding.draft_of(user.id)
                assert draft is not None
                draft.status = "withdrawn"
                uow.session.add(draft)
                await uow.commit()
    finally:
        await first.close()
        await second.close()


async def test_apply_pressed_twice_makes_one_draft(settings: Settings) -> None:
    """A second press of "Apply" (or a replayed button) carries on with the draft for
    that pot instead of starting another one."""
    first, second = await _two_workers(settings)
    try:
        await lpu_pot(first)
        member = await group_member(first)
        await member.send("/funding")
        await member.press("Chester LPU fund")
        apply_button = member.find("Apply").payload
        await member.press_data(apply_button)
        await member.send("Speed signs")
        await member.press_data(apply_button)
        assert "Step 2 of 7" in member.text
        async with first.deps.uow() as uow:
            user = await uow.users.by_telegram_id(member.sender.telegram_id)
            assert user is not None and user.id is not None
            mine = await uow.funding.of_applicant(user.id)
        assert [(a.status, a.project_name) for a in mine] == [("draft", "Speed signs")]
    finally:
        await first.close()
        await second.close()


async def _draft_pot(app: App) -> tuple[Resident, int]:
    """An organiser's pot, written in the chat and waiting for "Open" or "Discard"."""
    await lpu_pot(app)  # grants the roles
    organiser = Resident(app.deps, ORGANISER, "Olu")
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    await organiser.press("Open a pot")
    for answer in ("Hoole fund", "1,000", "Safer parks", "Residents' groups", "31/03/2027"):
        await organiser.send(answer)
    assert "Open the pot" in [b.label.split(" ", 1)[1] for b in organiser.buttons()]
    async with app.deps.uow() as uow:
        draft = next(p for p in await uow.funding.pots() if p.status == "draft")
    assert draft.id is not None
    return organiser, draft.id


async def test_open_and_discard_pressed_at_once_settle_the_pot_once(
    postgres_workers: tuple[App, App],
) -> None:
    """On PostgreSQL, two workers: both presses are the organiser's, so the second
    waits on their row until the first has committed, then finds the pot settled."""
    first, second = postgres_workers
    organiser, pot_id = await _draft_pot(first)
    presses = [
        organiser.press_event(encode(FundingButton(action, pot_id)))
        for action in (FundingAction.OPEN_POT, FundingAction.DROP_POT)
    ]
    opened, dropped = await asyncio.gather(
        handle(first.deps, presses[0]), handle(second.deps, presses[1])
    )
    async with first.deps.uow() as uow:
        pot = await uow.funding.pot(pot_id)
    assert pot is not None
    told = [r.text for r in (*opened, *dropped) if isinstance(r, Edit)]
    # One press won and said so; the other was told, not obeyed as well.
    assert len(told) == 1, told
    if pot.status == "open":
        assert "is open" in told[0] and pot.balance_pence == pot.amount_pence
    else:
        assert pot.status == "discarded" and told == ["Discarded."]
    refusals = [r.text for r in (*opened, *dropped) if isinstance(r, Notice)]
    assert len(refusals) == 1


async def test_one_draft_per_applicant_and_pot(app: App) -> None:
    """The database holds one draft of an applicant's for a pot: starting it again
    finds it, a second one cannot be added, and once it is sent a new one can start."""
    pot_id = await lpu_pot(app)
    async with app.deps.uow() as uow:
        user = await uow.users.add(User(telegram_id=88_000_001, chat_id=88_000_001))
        assert user.id is not None
        first = await uow.funding.start_draft(
            FundingApplication(pot_id=pot_id, applicant_id=user.id)
        )
        again = await uow.funding.start_draft(
            FundingApplication(pot_id=pot_id, applicant_id=user.id)
        )
        assert first.id is not None and again.id == first.id
        await uow.commit()
    async with app.deps.uow() as uow:
        with pytest.raises(IntegrityError):
            await uow.funding.add_application(
                FundingApplication(pot_id=pot_id, applicant_id=user.id)
            )
    async with app.deps.uow() as uow:
        sent = await uow.funding.application(first.id)
        assert sent is not None
        sent.status = "submitted"
        uow.session.add(sent)
        await uow.session.flush()
        new = await uow.funding.start_draft(FundingApplication(pot_id=pot_id, applicant_id=user.id))
        assert new.id != first.id and new.status == "draft"
        await uow.commit()
        statuses = [a.status for a in await uow.funding.of_applicant(user.id)]
    assert statuses == ["submitted", "draft"]


async def _apply_pressed_at_once_on_two_workers(first: App, second: App) -> None:
    """Two presses of "Apply" for one pot at once, on two workers: one draft, and both
    presses are asked its first question (the second, held back by the person's row
    until the first commits, carries on with the draft it made)."""
    await lpu_pot(first)
    member = await group_member(first)
    await member.send("/funding")
    await member.press("Chester LPU fund")
    apply_button = member.find("Apply").payload
    presses = [member.press_event(apply_button) for _ in range(2)]
    replies = await asyncio.gather(handle(first.deps, presses[0]), handle(second.deps, presses[1]))
    for answered in replies:
        texts = [r.text for r in answered if isinstance(r, Text)]
        assert len(texts) == 1 and "Step 1 of 7" in texts[0], answered
    async with first.deps.uow() as uow:
        user = await uow.users.by_telegram_id(member.sender.telegram_id)
        assert user is not None and user.id is not None
        mine = await uow.funding.of_applicant(user.id)
        assert [a.status for a in mine] == ["draft"]
        assert user.awaiting == f"fd:apply:{mine[0].id}"
    # And the application goes on from there, as if "Apply" had been pressed once.
    await member.send("Speed signs")
    assert "Step 2 of 7" in member.text


async def test_apply_pressed_at_once_on_two_postgres_workers_makes_one_draft(
    postgres_workers: tuple[App, App],
) -> None:
    await _apply_pressed_at_once_on_two_workers(*postgres_workers)


async def test_two_drafts_started_at_once_on_postgres_are_one(
    postgres_workers: tuple[App, App],
) -> None:
    """Below the person's row lock, the database itself: two transactions starting a
    draft of one applicant's for one pot at once (as two updates would if anything
    ever skipped that lock). The second insert waits on the unique index for the
    first to commit, then carries on with the first's draft."""
    first, second = postgres_workers
    pot_id = await lpu_pot(first)
    async with first.deps.uow() as uow:
        user = await uow.users.add(User(telegram_id=88_000_002, chat_id=88_000_002))
        await uow.commit()
    assert user.id is not None
    applicant_id = user.id

    async def start_in(app: App) -> int | None:
        async with app.deps.uow() as uow:
            draft = await uow.funding.start_draft(
                FundingApplication(pot_id=pot_id, applicant_id=applicant_id)
            )
            await uow.commit()
            return draft.id

    async with first.deps.uow() as held:
        mine = await held.funding.start_draft(
            FundingApplication(pot_id=pot_id, applicant_id=applicant_id)
        )
        other = asyncio.create_task(start_in(second))
        await asyncio.sleep(0.5)
        assert not other.done()  # waiting on the index for this transaction
        await held.commit()
    assert await asyncio.wait_for(other, 10) == mine.id
    async with first.deps.uow() as uow:
        drafts = [a.status for a in await uow.funding.of_applicant(applicant_id)]
    assert drafts == ["draft"]
