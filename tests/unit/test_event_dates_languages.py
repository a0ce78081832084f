"""Dates typed in Welsh, Polish, Ukrainian, Romanian and Arabic, as staff type them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from handlers.events import date_words
from handlers.events.dates import Parsed, Problem, parse_when

LONDON = ZoneInfo("Europe/London")
SUNDAY = datetime(2026, 11, 22, 10, 0, tzinfo=UTC)
TUESDAY_6PM = datetime(2026, 11, 24, 18, 0, tzinfo=LONDON)
WEDNESDAY_6PM = datetime(2026, 11, 25, 18, 0, tzinfo=LONDON)
TOMORROW_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
DECEMBER_14 = datetime(2026, 12, 14, 18, 30, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dydd Mawrth 18:00", TUESDAY_6PM),
        ("dydd mercher am 18:00", None),  # "am" is English a.m. here, so not read as Welsh
        ("yfory 9:00", TOMORROW_9AM),
        ("14 Rhagfyr 18:30", DECEMBER_14),
        ("wtorek 18:00", TUESDAY_6PM),
        ("we wtorek o 18:00", TUESDAY_6PM),
        ("w środę 18:00", WEDNESDAY_6PM),
        ("w srode 18:00", WEDNESDAY_6PM),
        ("jutro 9:00", TOMORROW_9AM),
        ("14 grudnia 18:30", DECEMBER_14),
        ("вівторок 18:00", TUESDAY_6PM),
        ("у середу о 18:00", WEDNESDAY_6PM),
        ("завтра 9:00", TOMORROW_9AM),
        ("14 грудня 18:30", DECEMBER_14),
        ("marți 18:00", TUESDAY_6PM),
        ("marti la ora 18:00", TUESDAY_6PM),
        ("mâine 9:00", TOMORROW_9AM),
        ("maine 9:00", TOMORROW_9AM),
        ("14 decembrie 18:30", DECEMBER_14),
        ("الثلاثاء 18:00", TUESDAY_6PM),
        ("يوم الثلاثاء ١٨:٠٠", TUESDAY_6PM),
        ("غدا 9:00", TOMORROW_9AM),
    ],
)
def test_words_in_each_language(text: str, expected: datetime | None) -> None:
    result = parse_when(text, SUNDAY, LONDON)
    if expected is None:
        assert isinstance(result, Problem)
        return
    assert isinstance(result, Parsed), (text, result)
    assert result.local == expected


def test_welsh_mawrth_alone_is_march_and_with_dydd_is_tuesday() -> None:
    march = parse_when("14 Mawrth 18:00", SUNDAY, LONDON)
    assert isinstance(march, Parsed) and (march.local.month, march.local.day) == (3, 14)
    words = date_words.vocabulary()
    assert "mawrth" not in words.weekdays and words.months["mawrth"] == 3


def test_no_word_means_two_things() -> None:
    words = date_words.vocabulary()
    assert not set(words.weekdays) & set(words.months)
    assert not set(words.weekdays) & date_words.FILLERS


def test_english_still_wins() -> None:
    result = parse_when("6 am", SUNDAY, LONDON)
    assert isinstance(result, Parsed) and result.local.hour == 6
