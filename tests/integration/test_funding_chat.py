"""Funding in the chat: an action group applies for an LPU pot, an organiser asks,
the applicant answers, the organiser approves, the applicant is told and the
balance drops; drafts are saved and resumed; declines carry a reason; forged
buttons are refused."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, date, datetime

import pytest

from bot.bootstrap import App
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.staff_command import grant_role
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.outbound import Notice
from handlers.payloads import encode
from storage.models import ActionGroup, ActionGroupMember, FundingPot
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0, progress_interval=0.0)
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
APPLICANT = 6_300_000_001
ORGANISER = 6_300_000_002
OTHER_LPU_ORGANISER = 6_300_000_003


@pytest.fixture
def chat_app(app: App) -> App:
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOON)
    return app


async def lpu_pot(app: App, amount: int = 1_000_000) -> int:
    async with app.deps.uow() as uow:
        lpu = await uow.communities.lpu_by_slug("chester")
        assert lpu is not None
        pot = await uow.funding.open_pot(
            FundingPot(
                lpu_id=lpu.id,
                title="Chester LPU fund",
                purpose="Safer streets",
                amount_pence=amount,
                opens_on=date(2026, 11, 1),
                closes_on=date(2027, 3, 31),
            )
        )
        await grant_role(uow, telegram_id=ORGANISER, role="organiser", lpu="chester")
        await grant_role(uow, telegram_id=OTHER_LPU_ORGANISER, role="organiser", lpu="warrington")
        await uow.commit()
        assert pot.id is not None
        return pot.id


async def group_member(app: App) -> Resident:
    member = Resident(app.deps, APPLICANT, "Dana")
    await member.send("/start")
    async with app.deps.uow() as uow:
        lpu = await uow.communities.lpu_by_slug("chester")
        user = await uow.users.by_telegram_id(APPLICANT)
        assert lpu is not None and lpu.id is not None and user is not None and user.id
        group = ActionGroup(lpu_id=lpu.id, title="Speeding on the A51")
        uow.session.add(group)
        await uow.session.flush()
        assert group.id is not None
        uow.session.add(ActionGroupMember(group_id=group.id, user_id=user.id))
        await uow.commit()
    return member


ANSWERS = [
    "Speed signs for Tarvin",
    "Cars speed through the village",
    "About 2,000 residents and the school",
    "Two signs at £1,500 each, fitted",
    "£3,000",
    "Parish council",
    "dana@example.invalid",
]


async def start_applying(member: Resident) -> None:
    """From /funding to the first question of an application to the Chester pot."""
    await member.send("/funding")
    await member.press("Chester LPU fund")
    await member.press("Apply")


async def fill_in(member: Resident, answers: list[str]) -> None:
    for answer in answers:
        await member.send(answer)


def notices(person: Resident) -> list[str]:
    return [r.text for r in person.replies if isinstance(r, Notice)]


async def balance(app: App, pot_id: int) -> int:
    async with app.deps.uow() as uow:
        pot = await uow.funding.pot(pot_id)
        assert pot is not None
        return pot.balance_pence


async def delivered(app: App, chat_id: int) -> list[str]:
    port = RecordingPort()
    await Dispatcher(app, port, "test", lambda: NOON, FAST).run_due()
    return [c.text for c in port.to(chat_id)]


async def test_an_action_group_applies_is_asked_answers_and_is_approved(chat_app: App) -> None:
    app = chat_app
    pot_id = await lpu_pot(app)
    member = await group_member(app)
    await member.send("/funding")
    await member.press("Chester LPU fund")
    assert "£10,000 left of £10,000" in member.text and "Safer streets" in member.text
    await member.press("Apply")
    assert "Step 1 of 7" in member.text
    await fill_in(member, ANSWERS)
    assert "Speed signs for Tarvin" in member.text and "£3,000" in member.text
    await member.press("Send it")
    assert "Sent" in member.text

    organiser = Resident(app.deps, ORGANISER, "Olu")
    await organiser.send("/organise")
    await organiser.press("Funding applications")
    await organiser.press("Speed signs for Tarvin")
    assert "Cars speed through the village" in organiser.text
    await organiser.press("Ask a question")
    await organiser.send("Has the council agreed where the signs go?")
    assert "Asked" in organiser.text
    [question] = await delivered(app, APPLICANT)
    assert "Has the council agreed where the signs go?" in question

    async with app.deps.uow() as uow:
        [application] = await uow.funding.for_review([pot_id])
        assert application.id is not None and application.action_group_id is not None
        app_id = application.id
    await member.press_data(encode(FundingButton(FundingAction.ANSWER, app_id)))
    await member.send("Yes, by the school gates")
    assert "gone to the organisers" in member.text
    [answer] = await delivered(app, ORGANISER)
    assert "Yes, by the school gates" in answer

    await organiser.press_data(encode(FundingButton(FundingAction.OPEN, app_id)))
    assert "Yes, by the school gates" in organiser.text
    await organiser.press("Approve £3,000")
    assert "£7,000 is left" in organiser.text
    [told] = await delivered(app, APPLICANT)
    assert "approved" in told and "£3,000" in told
    assert await balance(app, pot_id) == 700_000
    await member.send("/funding")
    assert "Speed signs for Tarvin: approved" in member.text


async def test_a_draft_is_saved_and_resumed(chat_app: App) -> None:
    await lpu_pot(chat_app)
    member = await group_member(chat_app)
    await start_applying(member)
    await fill_in(member, ANSWERS[:3])
    await member.send("/cancel")
    assert "Saved" in member.text
    await member.send("/funding")
    await member.press("Carry on: Speed signs for Tarvin")
    assert "Step 4 of 7" in member.text
    await member.send(ANSWERS[3])
    await member.press("Save and finish later")
    await member.send("Something else entirely")  # not taken as an answer
    await member.send("/funding")
    await member.press("Carry on")
    assert "Step 5 of 7" in member.text
    await member.send("£20,000")
    assert "up to £10,000" in member.text
    await fill_in(member, ANSWERS[4:])
    assert "Send it" in [b.label.split(" ", 1)[1] for b in member.buttons()]


async def test_declined_with_a_reason(chat_app: App) -> None:
    await lpu_pot(chat_app)
    member = await group_member(chat_app)
    await start_applying(member)
    await fill_in(member, ANSWERS)
    await member.press("Send it")
    organiser = Resident(chat_app.deps, ORGANISER, "Olu")
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    await organiser.press("Speed signs for Tarvin")
    await organiser.press("Decline")
    await organiser.send("Highways pay for signs")
    assert "Declined" in organiser.text
    [told] = await delivered(chat_app, APPLICANT)
    assert "not approved" in told and "Highways pay for signs" in told
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    assert "No applications are waiting" in organiser.text


async def test_forged_buttons_are_refused(chat_app: App, caplog: pytest.LogCaptureFixture) -> None:
    pot_id = await lpu_pot(chat_app)
    member = await group_member(chat_app)
    await start_applying(member)
    await fill_in(member, ANSWERS)
    await member.press("Send it")
    async with chat_app.deps.uow() as uow:
        [application] = await uow.funding.for_review([pot_id])
        app_id = application.id or 0
    forged = encode(FundingButton(FundingAction.APPROVE, app_id, application.version))
    caplog.set_level(logging.WARNING, logger="chinwag.security")
    await member.press_data(forged)  # a resident
    assert "You cannot do that." in notices(member)
    elsewhere = Resident(chat_app.deps, OTHER_LPU_ORGANISER, "Wyn")
    await elsewhere.press_data(forged)  # an organiser of another LPU
    assert "You cannot do that." in notices(elsewhere)
    stranger = Resident(chat_app.deps, 6_300_000_009, "Sid")
    await stranger.press_data(encode(FundingButton(FundingAction.SUBMIT, app_id)))
    assert "That application is not ready to send." in notices(stranger)
    await stranger.press_data(encode(FundingButton(FundingAction.ANSWER, app_id)))
    assert "There is no question to answer." in notices(stranger)
    assert await balance(chat_app, pot_id) == 1_000_000
    assert caplog.text.count("staff action refused") == 2


async def test_another_amount_never_above_the_balance_and_told_in_polish(chat_app: App) -> None:
    pot_id = await lpu_pot(chat_app, amount=400_000)
    member = await group_member(chat_app)
    async with chat_app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(APPLICANT)
        assert user is not None
        user.language = "pl"
        uow.session.add(user)
        await uow.commit()
    await member.send("/funding")
    await member.press("Chester LPU fund")
    await member.press("✍️")
    await fill_in(member, ANSWERS)
    await member.press("📨")
    organiser = Resident(chat_app.deps, ORGANISER, "Olu")
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    await organiser.press("Speed signs for Tarvin")
    await organiser.press("Approve another amount")
    await organiser.send("£5,000")
    assert "Only £4,000 is left in this pot." in organiser.text
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    await organiser.press("Speed signs for Tarvin")
    await organiser.press("Approve another amount")
    await organiser.send("2,500")
    assert "£1,500 is left" in organiser.text
    assert await balance(chat_app, pot_id) == 150_000
    [told] = await delivered(chat_app, APPLICANT)
    assert "Dobra wiadomość" in told and "2\xa0500\xa0GBP" in told


async def test_an_organiser_opens_a_pot_in_the_chat(chat_app: App) -> None:
    await lpu_pot(chat_app)  # grants the roles
    organiser = Resident(chat_app.deps, ORGANISER, "Olu")
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    await organiser.press("Open a pot")
    assert "Step 1 of 5" in organiser.text
    for answer in ("Hoole fund", "lots", "1,000", "Safer parks", "Residents' groups", "1/1/2020"):
        await organiser.send(answer)
    assert "such as 250" in organiser.transcript[-5] and "from today on" in organiser.text
    await organiser.send("31/03/2027")
    assert "Hoole fund" in organiser.text and "£1,000" in organiser.text
    async with chat_app.deps.uow() as uow:
        draft = next(p for p in await uow.funding.pots() if p.status == "draft")
        pot_id = draft.id or 0
    elsewhere = Resident(chat_app.deps, OTHER_LPU_ORGANISER, "Wyn")
    await elsewhere.press_data(encode(FundingButton(FundingAction.OPEN_POT, pot_id)))
    assert "You cannot do that." in notices(elsewhere)
    await organiser.press("Open the pot")
    assert "is open" in organiser.text
    assert await balance(chat_app, pot_id) == 100_000
    member = await group_member(chat_app)
    await member.send("/funding")
    assert "Hoole fund" in [b.label.split(" ", 1)[1] for b in member.buttons()]


async def test_a_draft_button_shows_the_project_name_as_written(chat_app: App) -> None:
    """Button labels are plain text: "Tea & talk", not "Tea &amp; talk"."""
    await lpu_pot(chat_app)
    member = await group_member(chat_app)
    await start_applying(member)
    await member.send("Tea & talk <for everyone>")
    await member.send("/cancel")
    await member.send("/funding")
    labels = [b.label for b in member.buttons()]
    assert "▶️ Carry on: Tea & talk <for everyone>" in labels
