"""The resident Community Conversation, through the core only (no framework)."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.callbacks import StepAction, StepButton
from handlers.context import Deps
from handlers.payloads import encode
from storage.models import Answer, Community, Conversation, User
from tests.support.resident import Resident


async def answers_of(deps: Deps, telegram_id: int) -> dict[str, Answer]:
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None and user.id is not None
        conv = (
            await uow.session.exec(
                select(Conversation)
                .where(Conversation.user_id == user.id)
                .order_by(Conversation.id.desc())  # type: ignore[union-attr]
            )
        ).first()
        assert conv is not None and conv.id is not None
        return {a.question: a for a in await uow.conversations.answers(conv.id)}


async def walk_to_exists(r: Resident) -> None:
    await r.send("/start")
    await r.press("Have your say")
    assert "Community Conversation" in r.text
    await r.press("Start")
    assert "your privacy" in r.text.lower()
    await r.press("I agree")
    assert "Which community" in r.text
    await r.send("Tarvn")
    assert "Tarvin: saved" in r.text
    assert "What is already available" in r.text


async def test_a_resident_completes_the_whole_conversation(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("A village hall, a football club and Neighbourhood Watch.")
    assert "What is missing" in r.text
    await r.send("Something for teenagers in the evenings.")
    assert "issues in your community now" in r.text
    await r.press("Speeding")
    await r.press("Litter")
    assert "☑️ Speeding" in [b.label for b in r.buttons()]
    await r.send("Cars parked on the pavement by the school")
    assert "Where do you want your community to be" in r.text
    await r.send("Friendly, safe and with more for young people.")
    assert "anything else" in r.text.lower()
    await r.press("Skip")
    assert "Please check your answers" in r.text
    assert "Speeding; Litter and fly-tipping; Cars parked" in r.text
    await r.press("Send my answers")
    assert "Thank you" in r.text

    answers = await answers_of(deps, r.sender.telegram_id)
    assert answers["community"].text == "Tarvin"
    assert answers["exists"].text == "A village hall, a football club and Neighbourhood Watch."
    assert answers["issues"].choice_list() == ["speeding", "litter"]
    assert "anything_else" not in answers
    async with deps.uow() as uow:
        conv = await uow.conversations.get(answers["exists"].conversation_id)
        assert conv is not None and conv.status == "submitted" and conv.submitted_at is not None
        user = await uow.users.by_telegram_id(r.sender.telegram_id)
        assert user is not None and user.community_id == conv.community_id


async def test_answers_are_saved_the_moment_they_are_given(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("The library")
    answers = await answers_of(deps, r.sender.telegram_id)
    assert answers["exists"].text == "The library"
    assert answers["community"].text == "Tarvin"


async def test_after_a_restart_the_resident_continues_where_they_left_off(
    settings: Settings, deps: Deps
) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("The library")

    restarted = await build_app(settings, apply_migrations=False)  # a new process, same database
    try:
        again = Resident(restarted.deps, r.sender.telegram_id)
        await again.send("/start")
        assert "You have not finished" in again.text
        await again.press("Continue where you left off")
        assert "What is missing" in again.text
        await again.send("A bus shelter")
        answers = await answers_of(restarted.deps, r.sender.telegram_id)
        assert answers["exists"].text == "The library" and answers["needs"].text == "A bus shelter"
    finally:
        await restarted.close()


async def test_two_residents_interleave_without_seeing_each_others_state(deps: Deps) -> None:
    a = Resident(deps, 7_000_000_001, "Ann")
    b = Resident(deps, 7_000_000_002, "Bob")
    await walk_to_exists(a)
    await b.send("/start")
    await b.press("Have your say")
    await a.send("Ann's answer")
    await b.press("Start")
    await b.press("anonymous")
    await b.send("Hoole")
    await b.send("Bob's answer")
    assert "What is missing" in a.text and "What is missing" in b.text
    ann, bob = await answers_of(deps, 7_000_000_001), await answers_of(deps, 7_000_000_002)
    assert ann["exists"].text == "Ann's answer" and ann["community"].text == "Tarvin"
    assert bob["exists"].text == "Bob's answer" and bob["community"].text == "Hoole"


async def test_back_skip_and_change_from_the_review(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("/back")
    assert "Which community" in r.text
    await r.press("📍 Tarvin")  # the remembered community is offered first
    await r.send("/skip")
    assert "needs an answer" in r.text
    for answer in ("one", "two"):
        await r.send(answer)
    await r.press("Done")
    assert "at least one" in r.text.lower() or "Tap at least one" in str(r.replies)
    await r.send("Noise at night")
    await r.send("three")
    await r.send("/skip")
    assert "Please check your answers" in r.text
    await r.press("✏️ Already available")
    assert "Your answer now: one" in r.text
    await r.send("one, changed")
    assert "Please check your answers" in r.text and "one, changed" in r.text


async def test_a_too_long_answer_is_refused_with_a_clear_message(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("x" * 1001)
    assert "too long" in r.text and "1,000" in r.text and "1,001" in r.text
    assert "exists" not in await answers_of(deps, r.sender.telegram_id)


async def test_cancel_deletes_the_conversation_answers(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("The library")
    await r.send("/cancel")
    assert "Nothing you answered" in r.text
    assert await answers_of(deps, r.sender.telegram_id) == {}


async def test_declining_consent_stores_no_answer(deps: Deps) -> None:
    r = Resident(deps)
    await r.send("/start")
    await r.press("Have your say")
    await r.press("Start")
    await r.press("No thanks")
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(r.sender.telegram_id)
        assert user is not None and user.id is not None
        assert await uow.conversations.active_for(user.id) is None


async def test_user_input_is_escaped_in_every_reply(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    await r.send("<b>bold</b> & <script>alert(1)</script>")
    for answer in ("needs", "issues", "future"):
        await r.send(answer)
    await r.send("/skip")
    review = [t for t in r.transcript if "Please check" in t][-1]
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in review
    assert "<script>" not in review


async def test_stale_and_forged_buttons_are_refused(deps: Deps) -> None:
    r = Resident(deps)
    await walk_to_exists(r)
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(r.sender.telegram_id)
        assert user is not None and user.id is not None
        conv = await uow.conversations.active_for(user.id)
        assert conv is not None and conv.id is not None
    # A button of an earlier step: refused, the current step is shown again.
    await r.press_data(encode(StepButton(conv.id, "consent", StepAction.CONSENT, "anon")))
    assert "earlier message" in str(r.replies) and "What is already available" in r.text
    # Another resident's conversation id: refused as well.
    await r.press_data(encode(StepButton(conv.id + 999, "exists", StepAction.SKIP)))
    assert "earlier message" in str(r.replies)
    # Garbage callback data never raises.
    for junk in ("", "zz:1", "s:notanint:exists:s:-", "s:1:exists:?:-", "m:explode", "x" * 300):
        await r.press_data(junk)
    async with deps.uow() as uow:
        conv_now = await uow.conversations.get(conv.id)
        assert conv_now is not None and conv_now.step == "exists" and not conv_now.anonymous


async def test_a_redelivered_update_is_handled_once(deps: Deps) -> None:
    from handlers.dispatch import UpdateInFlight, handle
    from handlers.inbound import TextMessage

    r = Resident(deps)
    await walk_to_exists(r)
    event = TextMessage(sender=r.sender, update_id=424242, text="first")
    assert await handle(deps, event)
    with pytest.raises(UpdateInFlight):  # moments later: Telegram is asked to try again
        await handle(deps, event)
    answers = await answers_of(deps, r.sender.telegram_id)
    assert answers["exists"].text == "first" and "needs" not in answers


async def test_telegram_ids_beyond_32_bits_are_stored(deps: Deps) -> None:
    big = 9_007_199_254_740_000
    r = Resident(deps, big)
    await r.send("/start")
    async with deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == big))).one()
        assert user.chat_id == big


async def test_the_remembered_community_button_shows_its_name_as_written(deps: Deps) -> None:
    """Button labels are plain text: "📍 Tarvin & Kelsall", not "📍 Tarvin &amp; Kelsall"."""
    r = Resident(deps)
    await walk_to_exists(r)
    async with deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        tarvin.name = "Tarvin & Kelsall"
        uow.session.add(tarvin)
        await uow.commit()
    await r.send("/back")
    assert "📍 Tarvin & Kelsall" in [b.label for b in r.buttons()]
