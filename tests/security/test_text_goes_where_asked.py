"""Text goes to what the person was asked last, not to a flow they left open.

A resident half-way through the Community Conversation who sends /officer and then
their postcode had the postcode saved as their answer to "What is already
available?"; an organiser with a half-written event who sent /poll had the poll's
question saved as the event's title. Now a prompt waiting for text comes first,
and showing a step of the questionnaire or the draft again (or pressing one of its
buttons) hands the text back to it.
"""

from __future__ import annotations

from sqlmodel import select

from bot.bootstrap import App
from handlers.callbacks import StepAction, StepButton
from handlers.payloads import encode
from storage.models import EventDraft, Poll
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.security.world import ORGANISER, seed
from tests.support.resident import Resident


async def test_a_postcode_for_officer_is_not_saved_as_an_answer(app: App) -> None:
    r = Resident(app.deps, 7_940_000_001)
    await walk_to_exists(r)
    await r.send("/officer")
    await r.send("CH3 8EH")
    assert "Tarvin" in r.text and "Saved" not in r.text
    assert "exists" not in await answers_of(app.deps, 7_940_000_001)
    await r.send("/start")
    await r.press("Continue")  # the question is shown again: text is for it now
    await r.send("The village hall")
    assert (await answers_of(app.deps, 7_940_000_001))["exists"].text == "The village hall"


async def test_a_step_button_hands_the_text_back_to_the_questionnaire(app: App) -> None:
    r = Resident(app.deps, 7_940_000_002)
    await walk_to_exists(r)
    answers = await answers_of(app.deps, 7_940_000_002)
    conversation = answers["community"].conversation_id
    await r.send("/officer")
    await r.press_data(encode(StepButton(conversation, "exists", StepAction.BACK)))
    await r.send("Tarvin")  # the community question, asked again by Back
    assert "Tarvin: saved" in r.text


async def test_a_poll_question_is_not_saved_as_an_events_title(app: App) -> None:
    world = await seed(app.deps)
    org = Resident(app.deps, ORGANISER, "Olu")
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    assert "What is it called?" in org.text
    await org.send("/poll")
    await org.press("Speeding")
    await org.send("What should we tackle?\nParking\nLitter")
    async with app.deps.uow() as uow:
        polls = (
            await uow.session.exec(select(Poll).where(Poll.question == "What should we tackle?"))
        ).all()
        drafts = (
            await uow.session.exec(select(EventDraft).where(EventDraft.id != world.event_draft))
        ).all()
    assert len(polls) == 1
    assert all("What should we tackle?" not in d.data for d in drafts)
    await org.send("/organise")
    await org.press("Continue")  # the draft's question again: text is for it now
    await org.send("Tarvin police surgery")
    assert "When does it start?" in org.text
