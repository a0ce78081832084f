"""Six languages: the first message in the resident's Telegram language, /language, and
the offer to switch when an answer is written in another supported language."""

from __future__ import annotations

import pytest
from sqlmodel import select

from handlers.context import Deps
from handlers.i18n import _, translate_in, use_locale
from handlers.language.buttons import LanguageAction, LanguageButton
from handlers.markup import FSI, PDI, fmt, to_plain
from handlers.outbound import Text
from handlers.payloads import decode
from storage.models import Answer, User
from tests.integration.test_resident_conversation import walk_to_exists
from tests.support.resident import Resident
from tests.support.walk import walk_to_exists_in_any_language

LANGUAGES = ("en", "cy", "pl", "uk", "ro", "ar")
UKRAINIAN = (
    "У нас є бібліотека і хороший парк, але ввечері для підлітків зовсім нічого немає, "
    "тому вони збираються біля магазинів."
)
POLISH = "Mamy bibliotekę i ładny park, ale wieczorami nie ma nic dla młodzieży w naszej wsi."


async def stored_user(deps: Deps, telegram_id: int) -> User:
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        return user


@pytest.mark.parametrize("language", LANGUAGES)
async def test_the_first_message_is_in_the_telegram_language(deps: Deps, language: str) -> None:
    r = Resident(deps, telegram_id=6_100_000_001, language=language)
    await r.send("/start")
    with use_locale(language):
        find = _("👮 Find my officer")
    assert find in [b.label for b in r.buttons()]
    if language != "en":
        assert find != "👮 Find my officer", f"{language}: not translated"
    assert (await stored_user(deps, 6_100_000_001)).language == language


async def test_an_unsupported_telegram_language_gets_english(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_002, language="de")
    await r.send("/start")
    assert "👮 Find my officer" in [b.label for b in r.buttons()]
    assert (await stored_user(deps, 6_100_000_002)).language == "en"


async def test_language_is_chosen_with_slash_language_and_remembered(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_003, language="en")
    await r.send("/language")
    assert [b.label for b in r.buttons()][:6] == [
        "✅ English",
        "Cymraeg",
        "Polski",
        "Українська",
        "Română",
        "العربية",
    ] or {b.label.removeprefix("✅ ") for b in r.buttons()} >= {"Polski", "Cymraeg"}
    await r.press("Polski")
    assert (await stored_user(deps, 6_100_000_003)).language == "pl"
    await r.send("/start")
    assert translate_in("pl", "👮 Find my officer") in [b.label for b in r.buttons()]


async def test_the_main_menu_has_a_language_button(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_004)
    await r.send("/start")
    await r.press("🌐 Language")
    assert "Choose your language" in r.text


async def test_an_answer_in_ukrainian_brings_an_offer_in_ukrainian(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_005)
    await walk_to_exists(r)
    await r.send(UKRAINIAN)
    offer = r.replies[-1]
    assert isinstance(offer, Text)
    with use_locale("uk"):
        wanted = fmt(
            _("It looks like you wrote in {language}. Would you like to continue in {language}?"),
            language="Українська",
        )
    assert offer.text == wanted
    payloads = [decode(b.payload) for row in offer.buttons for b in row]
    assert payloads == [
        LanguageButton(LanguageAction.SWITCH, "uk"),
        LanguageButton(LanguageAction.KEEP, "uk"),
    ]
    async with deps.uow() as uow:
        answer = (await uow.session.exec(select(Answer).where(Answer.question == "exists"))).one()
    assert answer.language == "uk" and answer.language_confidence is not None
    assert answer.language_confidence >= 0.9
    assert answer.text == UKRAINIAN  # saved as given
    assert (await stored_user(deps, 6_100_000_005)).language == "en"  # never silently


async def test_saying_yes_switches_and_shows_the_question_again(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_006)
    await walk_to_exists(r)
    await r.send(UKRAINIAN)
    await r.press_data(r.replies[-1].buttons[0][0].payload)  # type: ignore[union-attr]
    assert (await stored_user(deps, 6_100_000_006)).language == "uk"
    assert len(r.replies) == 2  # done, and the current question in Ukrainian


async def test_saying_no_is_remembered_for_that_language(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_007)
    await walk_to_exists(r)
    await r.send(UKRAINIAN)
    await r.press_data(r.replies[-1].buttons[1][0].payload)  # type: ignore[union-attr]
    user = await stored_user(deps, 6_100_000_007)
    assert user.language == "en" and user.declined_languages == "uk"
    await r.send("/back")
    await r.send(UKRAINIAN + " Ще раз.")
    assert not any(
        isinstance(reply, Text) and any("lg:" in b.payload for row in reply.buttons for b in row)
        for reply in r.replies
    )
    await r.send("/back")
    await r.send(POLISH)  # another language is still offered
    last = r.replies[-1]
    assert isinstance(last, Text) and decode(last.buttons[0][0].payload) == LanguageButton(
        LanguageAction.SWITCH, "pl"
    )


async def test_a_short_answer_is_not_guessed(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_008)
    await walk_to_exists(r)
    await r.send("Biblioteka")
    assert not any(
        isinstance(reply, Text) and any("lg:" in b.payload for row in reply.buttons for b in row)
        for reply in r.replies
    )
    async with deps.uow() as uow:
        answer = (await uow.session.exec(select(Answer).where(Answer.question == "exists"))).one()
    assert answer.language is None and answer.language_confidence is None


async def test_an_answer_in_the_current_language_brings_no_offer(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_009, language="pl")
    await walk_to_exists_in_any_language(r)
    exists = deps.questionnaires["resident"].step("exists")
    assert exists is not None
    with use_locale("pl"):
        question = deps.questionnaires["resident"].text_of(exists)
    assert to_plain(question).split("\n")[0] in r.text
    await r.send(POLISH)
    assert not any(
        isinstance(reply, Text) and any("lg:" in b.payload for row in reply.buttons for b in row)
        for reply in r.replies
    )


def test_numbers_and_names_are_isolated_in_arabic() -> None:
    with use_locale("ar"):
        text = fmt("{count} {postcode}", count=1500, postcode="CH3 8EH")
    assert text == f"{FSI}1,500{PDI} {FSI}CH3 8EH{PDI}"
    with use_locale("pl"):
        assert fmt("{count}", count=1500) == "1\xa0500"
    with use_locale("en"):
        assert fmt("{count} {name}", count=1500, name="<Ann>") == "1,500 &lt;Ann&gt;"


def test_every_line_of_an_arabic_reply_reads_right_to_left() -> None:
    from handlers.language.bidi import RLM, for_language

    replies = for_language([Text(text="👮 <b>PC Charlie</b> – ضابطكم\n\nCH3 8EH")], "ar")
    assert isinstance(replies[0], Text)
    assert replies[0].text == f"{RLM}👮 <b>PC Charlie</b> – ضابطكم\n\n{RLM}CH3 8EH"
    assert for_language([Text(text="Hello")], "pl") == [Text(text="Hello")]


async def test_an_arabic_resident_gets_marked_lines(deps: Deps) -> None:
    r = Resident(deps, telegram_id=6_100_000_010, language="ar")
    await r.send("/help")
    text = next(reply.text for reply in r.replies if isinstance(reply, Text))
    assert all(line.startswith("\u200f") for line in text.split("\n") if line)
