"""Messages that look like an emergency are recognised in every language, on whole words."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.bootstrap import emergency_matcher
from bot.errors import ConfigError
from bot.settings import Settings
from handlers.safety.keywords import DEFAULT_KEYWORDS
from handlers.safety.matcher import (
    KeywordsFileError,
    default_matcher,
    load_keywords,
    matcher_for,
)

MATCHER = default_matcher()


@pytest.mark.parametrize(
    "text",
    [
        "Please help me, he is HITTING me",
        "There's a man with a KNIFE outside",
        "call 999!",
        "٩٩٩",  # Arabic-Indic digits
        "Helpwch fi",
        "Mae'r tŷ ar dân",
        "Ratunku! Pożar",
        "gwalt",  # typed without the Polish ł
        "Допоможіть, він б'є мене",
        "Ajutați-mă, mă bate",
        "ajutati-ma",
        "ساعدوني",
        "سكّين",  # with a vowel mark
        "My bike was stolen yesterday",
    ],
)
def test_emergencies_are_recognised(text: str) -> None:
    assert MATCHER.matches(text)


@pytest.mark.parametrize(
    "text",
    ["", "The fireworks were lovely", "Speeding on the A51", "tan y bore", "CH3 8EH", "1999"],
)
def test_ordinary_messages_are_not(text: str) -> None:
    assert not MATCHER.matches(text)


def test_every_language_has_a_list() -> None:
    assert set(DEFAULT_KEYWORDS) == {"en", "cy", "pl", "uk", "ro", "ar"}


def test_a_keywords_file_replaces_a_language(tmp_path: Path) -> None:
    path = tmp_path / "keywords.toml"
    path.write_text('en = ["flood"]\n', encoding="utf-8")
    keywords = load_keywords(path)
    matcher = matcher_for(keywords)
    assert matcher.matches("The river is in FLOOD")
    assert not matcher.matches("knife")  # English replaced
    assert matcher.matches("nóż")  # Polish kept


@pytest.mark.parametrize("content", ['en = "knife"', "en = [", "en = [1, 2]"])
def test_a_bad_keywords_file_is_refused(tmp_path: Path, content: str) -> None:
    path = tmp_path / "keywords.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(KeywordsFileError):
        load_keywords(path)


@given(st.text())
def test_the_matcher_never_raises(text: str) -> None:
    assert MATCHER.matches(text) in (True, False)


@given(st.lists(st.text(), max_size=5), st.text())
def test_any_keywords_never_raise(keywords: list[str], text: str) -> None:
    assert matcher_for({"xx": keywords}).matches(text) in (True, False)


def test_the_setting_names_a_bad_file_in_one_line(tmp_path: Path) -> None:
    settings = Settings(emergency_keywords_file=tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="CHINWAG_EMERGENCY_KEYWORDS_FILE"):
        emergency_matcher(settings)
