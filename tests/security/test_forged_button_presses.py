"""Forged, tampered, replayed and other people's button payloads change nothing.

A payload is callback data the client sends back: anyone can send any string. The
bot re-checks every one against what is stored (whose conversation, which step,
which option, which event, whose application), so a button pressed twice, a
button from another person's chat, an id moved by one, an option that does not
exist, a check-in link with a made-up token or a payload no codec wrote are
refused with a reply Telegram would show, and no row changes.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.bootstrap import App
from handlers.callbacks import (
    EventAction,
    EventButton,
    StepAction,
    StepButton,
)
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.outbound import Notice
from handlers.payloads import decode, encode
from storage.models import Conversation, FundingApplication
from tests.integration.test_resident_conversation import walk_to_exists
from tests.property.support import check_reply
from tests.security.world import World, changed, fingerprint, seed, shown
from tests.support.resident import Resident

ALICE, BOB = 7_910_000_001, 7_910_000_002


@pytest.fixture
async def world(app: App) -> World:
    return await seed(app.deps)


async def unchanged_after(app: App, person: Resident, data: str) -> str:
    """Press ``data`` as ``person``; assert that nothing changed; the text shown."""
    before = await fingerprint(app.deps)
    replies = await person.press_data(data)
    assert replies, "a refused press is answered"
    for reply in replies:
        check_reply(reply)
    assert changed(before, await fingerprint(app.deps)) == {}
    return shown(replies)


async def conversation_of(app: App, telegram_id: int) -> Conversation:
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        conv = await uow.conversations.active_for(user.id or 0)
        assert conv is not None
        return conv


async def test_a_button_pressed_again_after_moving_on_is_refused(app: App) -> None:
    alice = Resident(app.deps, ALICE)
    await alice.send("/start")
    await alice.press("Have your say")
    await alice.press("Start")
    agree = alice.find("I agree").payload
    await alice.press_data(agree)
    assert "Which community" in alice.text
    assert "earlier message" in await unchanged_after(app, alice, agree)


async def test_another_persons_buttons_do_nothing_to_either(app: App) -> None:
    alice, bob = Resident(app.deps, ALICE), Resident(app.deps, BOB)
    await walk_to_exists(alice)
    conv = await conversation_of(app, ALICE)
    alices = [b.payload for b in alice.buttons() if isinstance(decode(b.payload), StepButton)]
    alices.append(encode(StepButton(conv.id or 0, "exists", StepAction.SKIP)))
    await bob.send("/start")
    for data in alices:  # Bob has no conversation
        assert "conversation has ended" in await unchanged_after(app, bob, data)
    await walk_to_exists(bob)
    for data in alices:  # Bob has his own, at the same step
        assert "earlier message" in await unchanged_after(app, bob, data)


@pytest.mark.parametrize(
    ("step", "action", "value"),
    [
        ("community", StepAction.COMMUNITY, "999999"),  # no such community
        ("community", StepAction.COMMUNITY, "-1"),
        ("community", StepAction.COMMUNITY, "2147483648"),  # no id column holds it
        ("community", StepAction.LPU, "99999999999"),
        ("community", StepAction.LPU, "0"),
        ("community", StepAction.CHOOSE, "asb"),  # an action the step does not have
        ("community", StepAction.SUBMIT, "-"),
        ("community", StepAction.EDIT, "welcome"),
    ],
)
async def test_tampered_values_on_the_current_step_are_refused(
    app: App, step: str, action: StepAction, value: str
) -> None:
    alice = Resident(app.deps, ALICE)
    await alice.send("/start")
    await alice.press("Have your say")
    await alice.press("Start")
    await alice.press("I agree")
    conv = await conversation_of(app, ALICE)
    assert conv.step == step
    data = encode(StepButton(conv.id or 0, step, action, value))
    text = await unchanged_after(app, alice, data)
    assert "not in the list" in text or "does not work here" in text


async def test_ids_moved_by_one_and_steps_renamed_are_refused(app: App) -> None:
    alice, bob = Resident(app.deps, ALICE), Resident(app.deps, BOB)
    await walk_to_exists(bob)
    await walk_to_exists(alice)
    mine = await conversation_of(app, ALICE)
    for conversation, step in [
        (mine.id or 0, "needs"),  # a later step
        (mine.id or 0, "review"),
        ((mine.id or 0) - 1, "exists"),  # Bob's conversation
        ((mine.id or 0) + 1, "exists"),
    ]:
        data = encode(StepButton(conversation, step, StepAction.SKIP))
        assert "earlier message" in await unchanged_after(app, alice, data)


async def test_forged_event_and_check_in_payloads_are_refused(app: App, world: World) -> None:
    alice = Resident(app.deps, ALICE)
    await alice.send("/start")
    for data in [
        encode(EventButton(EventAction.GOING, 999_999)),
        encode(EventButton(EventAction.ICS, 999_999)),
        encode(EventButton(EventAction.GOING, -world.event)),
    ]:
        await unchanged_after(app, alice, data)
    before = await fingerprint(app.deps)
    for payload in (
        f"ev-{world.event}-WrongTok",
        f"ev-{world.event + 1}-AbCdEfGh",
        "ev--1-x",
        "ev-2147483648-AbCdEfGh",  # beyond events.id
    ):
        for reply in await alice.send(f"/start {payload}"):
            check_reply(reply)
    assert changed(before, await fingerprint(app.deps)) == {}


async def test_answering_another_applicants_question_is_refused(app: App, world: World) -> None:
    async with app.deps.uow() as uow:
        application = await uow.session.get(FundingApplication, world.application)
        assert application is not None
        application.status, application.question = "question", "Where do the signs go?"
        uow.session.add(application)
        await uow.commit()
    alice = Resident(app.deps, ALICE)
    await alice.send("/start")
    data = encode(FundingButton(FundingAction.ANSWER, world.application))
    await unchanged_after(app, alice, data)
    for reply in await alice.send("By the school"):  # not taken as the answer
        check_reply(reply)
    async with app.deps.uow() as uow:
        stored = (
            await uow.session.exec(
                select(FundingApplication).where(FundingApplication.id == world.application)
            )
        ).one()
    assert stored.answer == "" and stored.status == "question"


@pytest.mark.parametrize(
    "data",
    [
        "zz:home",  # no such prefix
        "m:home:extra",  # one field too many
        "s:1:welcome:n",  # one too few
        "e:going:99999999999999999999",  # a number over 64 bits
        "e:going:2147483648",  # over the id columns: PostgreSQL refused the statement
        "dy:e:99999999999:0",
        "fd:pot:2147483648:0",
        "x" * 65,  # over Telegram's 64 bytes
        "og:menu:0\n",
        "",
    ],
)
async def test_payloads_no_codec_wrote_are_refused(app: App, data: str) -> None:
    alice = Resident(app.deps, ALICE)
    await alice.send("/start")
    text = await unchanged_after(app, alice, data)
    assert "does not work any more" in text
    assert any(isinstance(r, Notice) for r in alice.replies)
