"""Two updates of one applicant at once, on two workers: each answer is saved as
given, to its own question (never both to the same step, one of them lost)."""

from __future__ import annotations

import asyncio
import dataclasses

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.dispatch import handle
from handlers.inbound import TextMessage
from tests.integration.test_funding_chat import NOON, group_member, lpu_pot
from tests.support.resident import Resident

ROUNDS = 3  # several, so the race is really run


async def _two_workers(settings: Settings) -> tuple[App, App]:
    first = await build_app(settings, apply_migrations=False)
    second = await build_app(settings, apply_migrations=False)
    for worker in (first, second):
        worker.deps = dataclasses.replace(worker.deps, clock=lambda: NOON)
    return first, second


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
            await member.send("/funding")
            await member.press("Chester LPU fund")
            await member.press("Apply")
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
