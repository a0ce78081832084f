"""A resident's Community Conversation over real HTTP, on both transports."""

from __future__ import annotations

import asyncio
import time

from bot.settings import Settings
from handlers.context import Deps
from storage.repositories.send_slots import GLOBAL
from tests.e2e.conftest import RunningBot, start_bot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.fake_user import FakeUser
from tests.integration.test_resident_conversation import answers_of


async def walk_to_exists(user: FakeUser) -> None:
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("Have your say")
    await user.wait_for(contains="Community Conversation")
    await user.press("Start")
    await user.wait_for(contains="your privacy")
    await user.press("✅ I agree")
    await user.wait_for(contains="Which community do you live in?")
    await user.send("Tarvn")
    await user.wait_for(contains="What is already available")


async def test_a_resident_completes_the_whole_conversation(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    assert [c["command"] for c in bot_api.commands][:2] == ["start", "help"]
    user = bot_api.user(5_100_000_001, "Alex")
    await walk_to_exists(user)
    assert any("Tarvin: saved" in m.get("text", "") for m in user.messages)
    await user.send("A village hall and a <b>football</b> club")
    await user.wait_for(contains="What is missing")
    await user.send("Something for teenagers")
    issues = await user.wait_for(contains="issues in your community now")
    await user.press("Speeding")
    await user.wait_for(lambda m: m["message_id"] == issues["message_id"] and bool(m.get("edited")))
    assert "☑️ Speeding" in user.buttons(issues["message_id"])
    await user.press("Done")
    await user.wait_for(contains="Where do you want your community to be")
    await user.send("Safe and friendly")
    await user.wait_for(contains="anything else")
    await user.press("Skip")
    review = await user.wait_for(contains="Please check your answers")
    assert "A village hall and a <b>football</b> club" in review["text"]  # shown, not parsed
    await user.press("Send my answers")
    await user.wait_for(contains="Your answers have been sent")

    answers = await answers_of(running_bot.app.deps, 5_100_000_001)
    assert answers["community"].text == "Tarvin"
    assert answers["exists"].text == "A village hall and a <b>football</b> club"
    assert answers["issues"].choice_list() == ["speeding"]
    assert set(answers) == {"community", "exists", "needs", "issues", "future"}


async def test_replies_count_against_the_shared_send_rate(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    before = time.time()
    user = bot_api.user(5_100_000_009, "Cai")
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    tally = running_bot.transport.reply_tally
    for _ in range(500):  # the message arrives just before the transport counts it
        if tally.pending or tally.writes:
            break
        await asyncio.sleep(0.01)
    await tally.flush()
    async with running_bot.app.deps.uow() as uow:
        next_free = await uow.send_slots.next_at(GLOBAL)
    # The welcome went out at once, and moved the slot bulk messages wait for.
    interval = 1.0 / running_bot.app.settings.send_rate
    assert next_free is not None and next_free >= before + interval
    assert tally.writes >= 1


async def test_a_stopped_bot_resumes_the_conversation_after_a_restart(
    bot_api: FakeBotApi, bot_settings: Settings, running_bot: RunningBot, mode: str
) -> None:
    user = bot_api.user(5_100_000_002, "Bea")
    await walk_to_exists(user)
    await user.send("The library")
    await user.wait_for(contains="What is missing")
    await running_bot.stop()

    again = await start_bot(bot_settings, mode)
    try:
        await user.send("/start")
        await user.wait_for(contains="You have not finished")
        await user.press("Continue where you left off")
        await user.wait_for(contains="What is missing")
        await user.send("A bus shelter")
        await user.wait_for(contains="issues in your community now")
        answers = await answers_of(again.app.deps, 5_100_000_002)
        assert answers["exists"].text == "The library"
        assert answers["needs"].text == "A bus shelter"
    finally:
        await again.stop()


async def test_two_residents_interleave_without_seeing_each_others_state(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    ann, bob = bot_api.user(5_100_000_003, "Ann"), bot_api.user(5_100_000_004, "Bob")
    await walk_to_exists(ann)
    await bob.send("/start")
    await bob.wait_for(contains="What would you like to do?")
    await ann.send("Ann's answer")
    await bob.press("Have your say")
    await ann.wait_for(contains="What is missing")
    await bob.wait_for(contains="Community Conversation")
    assert not any("Ann" in m.get("text", "") for m in bob.messages)
    deps: Deps = running_bot.app.deps
    assert (await answers_of(deps, 5_100_000_003))["exists"].text == "Ann's answer"


async def test_a_redelivered_update_is_processed_once(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    user = bot_api.user(5_100_000_005)
    await walk_to_exists(user)
    update_id = await user.send("Only once")
    await user.wait_for(contains="What is missing")
    bot_api.redeliver(update_id)
    await user.wait_idle()
    answers = await answers_of(running_bot.app.deps, 5_100_000_005)
    assert answers["exists"].text == "Only once" and "needs" not in answers
    assert sum("What is missing" in m.get("text", "") for m in user.messages) == 1
