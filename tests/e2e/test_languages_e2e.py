"""The whole resident journey in each of the six languages, on both transports.

A resident whose Telegram is set to the language gets it from the first message;
the Community Conversation (answered in that language), the officer finder, events
and the privacy flows all speak it. Buttons are pressed by what they do (their
payload), and every text is checked against the catalogue of that language.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from handlers.callbacks import (
    DataAction,
    DataRights,
    EventAction,
    EventButton,
    StartQuestionnaire,
    StepAction,
    StepButton,
)
from handlers.context import Deps
from handlers.i18n import _, use_locale
from handlers.markup import fmt, to_plain
from handlers.payloads import decode
from storage.models import Community, Event
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.markup import inline_buttons
from tests.unit.test_language_detection import samples

LANGUAGES = ("en", "cy", "pl", "uk", "ro", "ar")


@pytest.fixture
def mode() -> str:
    return "polling"  # webhook mode is the same core; the languages are what vary here


@pytest.fixture(params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def payload(wanted: Callable[[Any], bool]) -> Callable[[str], bool]:
    def match(data: str) -> bool:
        try:
            return bool(wanted(decode(data)))
        except Exception:
            return False

    return match


def step(action: StepAction, value: str | None = None) -> Callable[[str], bool]:
    return payload(
        lambda d: (
            isinstance(d, StepButton) and d.action is action and (value is None or d.value == value)
        )
    )


def first_line(html: str) -> str:
    return to_plain(html).strip().split("\n")[0]


async def test_the_whole_journey_in_each_language(
    bot_api: FakeBotApi, running_bot: RunningBot, language: str
) -> None:
    deps = running_bot.app.deps
    resident = deps.questionnaires["resident"]

    def t(message: str) -> str:
        with use_locale(language):
            return _(message)

    def q(step_id: str) -> str:
        with use_locale(language):
            found = resident.step(step_id)
            assert found is not None
            return first_line(resident.text_of(found))

    answers = samples(language)["long"]
    user = bot_api.user(5_900_000_000 + LANGUAGES.index(language), "Ola", language_code=language)

    # The first message is in the resident's language.
    await user.send("/start")
    home = await user.wait_for(
        lambda m: (
            t("👮 Find my officer") in [b["text"] for b in inline_buttons(m["reply_markup"])]
            if m.get("reply_markup")
            else False
        )
    )
    if language != "en":
        assert t("👮 Find my officer") != "👮 Find my officer"

    # The Community Conversation, answered in the language.
    await user.press_data(
        payload(lambda d: isinstance(d, StartQuestionnaire) and d.questionnaire == "resident"),
        home,
    )
    await user.wait_for(contains=q("welcome"))
    await user.press_data(step(StepAction.NEXT))
    await user.wait_for(contains=q("consent"))
    await user.press_data(step(StepAction.CONSENT, "yes"))
    await user.wait_for(contains=q("community"))
    await user.send("Tarvn")
    await user.wait_for(contains=q("exists"))
    await user.send(answers[0])
    await user.wait_for(contains=q("needs"))
    await user.send(answers[1])
    await user.wait_for(contains=q("issues"))
    await user.press_data(step(StepAction.TOGGLE))
    await user.wait_idle()
    await user.press_data(step(StepAction.DONE))
    await user.wait_for(contains=q("future"))
    await user.send(answers[2])
    await user.wait_for(contains=q("anything_else"))
    await user.press_data(step(StepAction.SKIP))
    await user.wait_for(contains=answers[0][:20])  # the review shows the answers as given
    await user.press_data(step(StepAction.SUBMIT))
    await user.wait_for(contains=first_line(resident_text(deps, language, "done")))
    assert not any("lg:yes" in json.dumps(m.get("reply_markup")) for m in user.messages)

    # The officer finder.
    await user.send("/officer")
    await user.wait_for(
        contains=first_line(
            t(
                "<b>Find your local policing team</b>\n\nSend your postcode (for example CH3 8EH), "
                "share your location, or type the name of your town or village."
            )
        )
    )
    await user.send("CH3 8EH")
    await user.wait_for(contains=t("your PCSO"))

    # Events near the community: open one and say you are going.
    async with deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        uow.session.add(
            Event(
                kind="surgery",
                title="Police surgery",
                community_id=tarvin.id,
                lpu_id=tarvin.lpu_id,
                starts_at=datetime.now(UTC) + timedelta(days=3),
                venue="Tarvin Library",
            )
        )
        await uow.commit()
    await user.send("/events")
    with use_locale(language):
        heading = first_line(
            fmt(
                _("<b>What is on near {community}</b>\n\nTap an event for details."),
                community="Tarvin",
            )
        )
    listing = await user.wait_for(contains=heading)
    await user.press_data(
        payload(lambda d: isinstance(d, EventButton) and d.action is EventAction.OPEN), listing
    )
    page = await user.wait_for(contains=t("Are you coming?"))
    await user.press_data(
        payload(lambda d: isinstance(d, EventButton) and d.action is EventAction.GOING), page
    )
    await user.wait_for(contains=t("✅ You said you are going."))

    # Privacy: see and delete what is held.
    await user.send("/mydata")
    document = await user.wait_for(lambda m: m.get("kind") == "document")
    caption = document["caption"].replace("\u200f", "")  # right-to-left marks (Arabic)
    assert caption == t("This is everything Chinwag holds about you.")
    await user.send("/forget")
    await user.wait_for(
        contains=first_line(
            t(
                "<b>Delete everything we hold about you?</b>\n\n"
                "This deletes your profile and your answers. Answers you sent anonymously "
                "stay in the reports, with nothing that links them to you. This cannot be undone."
            )
        )
    )
    await user.press_data(payload(lambda d: d == DataRights(DataAction.CONFIRM)))
    await user.wait_for(
        contains=first_line(
            t(
                "Done. We have deleted what we held about you. "
                "If you message again, we will start afresh."
            )
        )
    )


def resident_text(deps: Deps, language: str, what: str) -> str:
    resident = deps.questionnaires["resident"]
    with use_locale(language):
        return resident.title_text() if what == "title" else resident.done_text()


async def test_an_answer_in_ukrainian_is_met_with_an_offer_in_ukrainian(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    resident = running_bot.app.deps.questionnaires["resident"]
    user = bot_api.user(5_900_000_100, "Olena", language_code="en")
    await user.send("/start")
    await user.wait_for(contains="What would you like to do?")
    await user.press("Have your say")
    await user.wait_for(contains="Community Conversation")
    await user.press_data(step(StepAction.NEXT))
    await user.wait_for(contains="your privacy")
    await user.press_data(step(StepAction.CONSENT, "yes"))
    await user.send("Tarvn")
    await user.wait_for(contains="What is already available")
    await user.send(samples("uk")["long"][0])
    with use_locale("uk"):
        offer_text = fmt(
            _("It looks like you wrote in {language}. Would you like to continue in {language}?"),
            language="Українська",
        )
        needs = resident.step("needs")
        assert needs is not None
        needs_text = first_line(resident.text_of(needs))
    offer = await user.wait_for(contains=to_plain(offer_text))
    await user.press_data(lambda data: data == "lg:yes:uk", offer)
    await user.wait_for(contains=needs_text)
