"""Poll limits as Telegram counts them: UTF-16 code units, an emoji counting 2."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from handlers.events.polls import MAX_OPTION, MAX_QUESTION, PollError, validate
from handlers.i18n import use_locale
from handlers.markup import utf16_len


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with use_locale("en"):
        yield


def test_limits_are_telegrams() -> None:
    assert (MAX_QUESTION, MAX_OPTION) == (300, 100)


@pytest.mark.parametrize(
    "question",
    ["q" * 300, "🙂" * 150, "a" + "🙂" * 149 + "a", "👨‍👩‍👧" * 37 + "abcd"],
)
def test_a_question_of_300_units_is_accepted(question: str) -> None:
    assert utf16_len(question) == 300
    validate(question, ["a", "b"])


@pytest.mark.parametrize("question", ["q" * 301, "🙂" * 150 + "?", "?" + "🙂" * 150, "🙂" * 151])
def test_a_question_of_301_units_is_refused(question: str) -> None:
    assert utf16_len(question) > 300
    with pytest.raises(PollError, match="question"):
        validate(question, ["a", "b"])


def test_a_question_of_151_emoji_is_refused_though_it_is_151_characters() -> None:
    question = "🙂" * 151  # 151 code points, well under 300, but 302 units
    assert len(question) == 151
    with pytest.raises(PollError, match=r"question.*an emoji counts as 2"):  # says why
        validate(question, ["a", "b"])
    with pytest.raises(PollError, match=r"option.*an emoji counts as 2"):
        validate("Which?", ["🙂" * 51, "b"])


@pytest.mark.parametrize("option", ["o" * 100, "🙂" * 50, "🇬🇧" * 25, "1️⃣" * 33 + "x"])
def test_an_option_of_100_units_is_accepted(option: str) -> None:
    assert utf16_len(option) == 100
    validate("Which?", ["b", option])


@pytest.mark.parametrize("option", ["o" * 101, "🙂" * 50 + "!", "🙂" * 51, "🇬🇧" * 25 + "!"])
def test_an_option_of_101_units_or_more_is_refused(option: str) -> None:
    assert utf16_len(option) > 100
    with pytest.raises(PollError, match="option"):
        validate("Which?", [option, "b"])


def test_a_lone_surrogate_counts_one_unit_and_does_not_raise() -> None:
    # JSON can carry one ("\ud83d"); it is one UTF-16 unit, as Telegram counts it
    assert utf16_len("\ud83d") == 1 and utf16_len("a\ud83d🙂") == 4
    validate("\ud83d" * 300, ["a", "b"])
    with pytest.raises(PollError, match="question"):
        validate("\ud83d" * 301, ["a", "b"])
