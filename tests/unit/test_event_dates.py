"""Dates and times typed by organisers (handlers.events.dates)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.events.dates import Parsed, Problem, ambiguous_choices, parse_when

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")

# Tuesday 24 March 2026, noon GMT: the clocks go forward on Sunday 29 March.
NOW = datetime(2026, 3, 24, 12, 0, tzinfo=LONDON)


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: ZoneInfo = LONDON
) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=tz)


def parsed(text: str, now: datetime = NOW, tz: ZoneInfo = LONDON) -> Parsed:
    result = parse_when(text, now, tz)
    assert isinstance(result, Parsed), f"{text!r} gave {result}"
    assert result.local.tzinfo is tz
    return result


def reason(text: str, now: datetime = NOW, tz: ZoneInfo = LONDON) -> str:
    result = parse_when(text, now, tz)
    assert isinstance(result, Problem), f"{text!r} gave {result}"
    return result.reason


# --- what organisers type -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # weekdays: "next" is strictly after today; a bare weekday may be today
        ("next Tuesday 6pm", at(2026, 3, 31, 18, 0)),
        ("tuesday 18:00", at(2026, 3, 24, 18, 0)),
        ("tuesday 11:00", at(2026, 3, 31, 11, 0)),  # today's 11:00 has gone
        ("next tuesday 11am", at(2026, 3, 31, 11, 0)),
        ("next wednesday 6pm", at(2026, 3, 25, 18, 0)),
        ("wednesday 6pm", at(2026, 3, 25, 18, 0)),
        ("this wednesday 6pm", at(2026, 3, 25, 18, 0)),
        ("monday 9am", at(2026, 3, 30, 9, 0)),
        ("tue 6.30pm", at(2026, 3, 24, 18, 30)),
        ("Tues 6:30 pm", at(2026, 3, 24, 18, 30)),
        ("thurs 19:15", at(2026, 3, 26, 19, 15)),
        ("Sat 10am", at(2026, 3, 28, 10, 0)),
        # relative days
        ("tomorrow 18:30", at(2026, 3, 25, 18, 30)),
        ("today 7pm", at(2026, 3, 24, 19, 0)),
        ("tonight 7.45pm", at(2026, 3, 24, 19, 45)),
        ("6pm tomorrow", at(2026, 3, 25, 18, 0)),
        # dates, day first
        ("14/12/2026 18:30", at(2026, 12, 14, 18, 30)),
        ("14-12-26 6pm", at(2026, 12, 14, 18, 0)),
        ("14.12.2026 18:30", at(2026, 12, 14, 18, 30)),
        ("14 December 2026 at 6:30 pm", at(2026, 12, 14, 18, 30)),
        ("Monday 14 December 2026 18:30", at(2026, 12, 14, 18, 30)),
        ("3/4/2026 10am", at(2026, 4, 3, 10, 0)),  # 3 April, not 4 March
        # noon, midday, 12am, 12pm
        ("tomorrow noon", at(2026, 3, 25, 12, 0)),
        ("tomorrow midday", at(2026, 3, 25, 12, 0)),
        ("tomorrow 12am", at(2026, 3, 25, 0, 0)),
        ("tomorrow 12pm", at(2026, 3, 25, 12, 0)),
        ("tomorrow 12:30am", at(2026, 3, 25, 0, 30)),
        ("tomorrow 12.15pm", at(2026, 3, 25, 12, 15)),
        ("tomorrow 00:00", at(2026, 3, 25, 0, 0)),
        ("tomorrow 23:59", at(2026, 3, 25, 23, 59)),
    ],
)
def test_reads_dates_and_times(text: str, expected: datetime) -> None:
    result = parsed(text)
    assert result.local == expected
    assert result.assumed_year is False
    assert result.assumed_date is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14/12 18:30", at(2026, 12, 14, 18, 30)),
        ("14 Dec 18:30", at(2026, 12, 14, 18, 30)),
        ("14th dec 6pm", at(2026, 12, 14, 18, 0)),
        ("December 14 6pm", at(2026, 12, 14, 18, 0)),
        ("the 14th of December at 18:00", at(2026, 12, 14, 18, 0)),
        ("1st December 10am", at(2026, 12, 1, 10, 0)),
        ("2nd Sept 10am", at(2026, 9, 2, 10, 0)),
        ("14.12 18.30", at(2026, 12, 14, 18, 30)),  # a second dotted pair is the time
        ("24/3 18:00", at(2026, 3, 24, 18, 0)),  # today, still ahead
        ("1/3 10am", at(2027, 3, 1, 10, 0)),  # 1 March has gone: next year
        ("29/2 18:00", at(2028, 2, 29, 18, 0)),  # the next 29 February
    ],
)
def test_a_date_without_a_year_is_the_next_such_date(text: str, expected: datetime) -> None:
    result = parsed(text)
    assert result.local == expected
    assert result.assumed_year is True
    assert result.assumed_date is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("18:00", at(2026, 3, 24, 18, 0)),  # still ahead: today
        ("9am", at(2026, 3, 25, 9, 0)),  # gone: tomorrow
        ("18.30", at(2026, 3, 24, 18, 30)),
        ("noon", at(2026, 3, 25, 12, 0)),  # exactly now is not ahead
        ("midday", at(2026, 3, 25, 12, 0)),
        ("12pm", at(2026, 3, 25, 12, 0)),
        ("12am", at(2026, 3, 25, 0, 0)),
        ("12:01", at(2026, 3, 24, 12, 1)),
        ("at 6 p.m.", at(2026, 3, 24, 18, 0)),
    ],
)
def test_a_time_alone_is_today_if_ahead_else_tomorrow(text: str, expected: datetime) -> None:
    result = parsed(text)
    assert result.local == expected
    assert result.assumed_date is True
    assert result.assumed_year is False


@pytest.mark.parametrize(
    "text",
    [
        "next Tuesday 6pm",
        "NEXT TUESDAY 6PM",
        "  next   tuesday    6 pm  ",
        "next tuesday, 6pm",
        "next Tuesday at 6 P.M.",
        "Next Tue 18:00",
        "6pm next tuesday",
        "next tuesday 6.00pm",
        "next tuesday 6:00 pm.",
    ],
)
def test_case_spaces_and_punctuation_do_not_matter(text: str) -> None:
    assert parsed(text).local == at(2026, 3, 31, 18, 0)


def test_utc_property() -> None:
    assert parsed("tomorrow 18:30").utc == datetime(2026, 3, 25, 18, 30, tzinfo=UTC)
    assert parsed("next tuesday 18:30").utc == datetime(2026, 3, 31, 17, 30, tzinfo=UTC)


def test_now_is_converted_to_the_zone() -> None:
    # 02:00 UTC on the 24th is still the evening of the 23rd in New York (EDT).
    now = datetime(2026, 3, 24, 2, 0, tzinfo=UTC)
    assert parsed("tomorrow 9am", now, NEW_YORK).local == at(2026, 3, 24, 9, 0, tz=NEW_YORK)
    assert parsed("today 11pm", now, NEW_YORK).local == at(2026, 3, 23, 23, 0, tz=NEW_YORK)
    assert parsed("tomorrow 9am", now, NEW_YORK).utc == datetime(2026, 3, 24, 13, 0, tzinfo=UTC)


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError, match="aware"):
        parse_when("tomorrow 6pm", datetime(2026, 3, 24, 12, 0), LONDON)


# --- problems ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (" , ", "empty"),
        ("hello", "no-date-or-time"),
        ("next week 6pm", "no-date-or-time"),
        ("tuesday 6pm please", "no-date-or-time"),
        ("tuesday 6pm 7pm", "no-date-or-time"),
        ("today tomorrow 6pm", "no-date-or-time"),
        ("tuesday wednesday 6pm", "no-date-or-time"),
        ("14/12 15/12 6pm", "no-date-or-time"),
        ("at", "no-date-or-time"),
        ("tuesday", "no-time"),
        ("next tuesday", "no-time"),
        ("tomorrow", "no-time"),
        ("14/12", "no-time"),
        ("14 December 2026", "no-time"),
        ("25.12", "no-time"),  # cannot be a time, so it is a date
        ("25:00", "invalid-time"),
        ("tomorrow 18:60", "invalid-time"),
        ("tomorrow 13pm", "invalid-time"),
        ("tomorrow 0am", "invalid-time"),
        ("31/02 18:00", "invalid-date"),
        ("31/02/2027 18:00", "invalid-date"),
        ("29/02/2027 18:00", "invalid-date"),
        ("31/4 18:00", "invalid-date"),
        ("32/1 18:00", "invalid-date"),
        ("1/13 18:00", "invalid-date"),
        ("0/1 18:00", "invalid-date"),
        ("31 feb", "invalid-date"),
        ("tue 25/3 6pm", "invalid-date"),  # 25 March 2026 is a Wednesday
        ("monday tomorrow 6pm", "invalid-date"),
        ("today 9am", "in-the-past"),
        ("24/3 10:00", "in-the-past"),  # today's date, time gone: not next year
        ("1/1/2026 10:00", "in-the-past"),
        ("14/12/1999 18:00", "in-the-past"),
        ("1/1/2029 18:00", "too-far"),
        ("24/3/2028 13:00", "too-far"),  # two years and an hour
        ("31/12/9999 23:00", "too-far"),
    ],
)
def test_problems(text: str, expected: str) -> None:
    assert reason(text) == expected


def test_two_years_ahead_is_the_limit() -> None:
    assert parsed("24/3/2028 11:00").local == at(2028, 3, 24, 11, 0)
    assert reason("24/3/2028 13:00") == "too-far"


def test_problems_compare_by_reason() -> None:
    assert parse_when("today 9am", NOW, LONDON) == Problem("in-the-past")
    result = parse_when("today 9am", NOW, LONDON)
    assert isinstance(result, Problem)
    assert result.wall == datetime(2026, 3, 24, 9, 0)


# --- clock changes in Europe/London ------------------------------------------------------


@pytest.mark.parametrize("text", ["29/3 1:30", "29/3 01:00", "29/3 1:59am", "sunday 1:30am"])
def test_spring_forward_gap_is_nonexistent(text: str) -> None:
    result = parse_when(text, NOW, LONDON)
    assert result == Problem("nonexistent")
    assert isinstance(result, Problem)
    assert result.wall is not None
    assert result.wall.date() == datetime(2026, 3, 29).date()


def test_either_side_of_the_spring_gap() -> None:
    before = parsed("29/3 00:59")
    assert before.utc == datetime(2026, 3, 29, 0, 59, tzinfo=UTC)  # GMT
    after = parsed("29/3 2am")
    assert after.utc == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)  # BST
    assert after.local.utcoffset() == timedelta(hours=1)


def test_a_gap_time_already_past_is_in_the_past() -> None:
    now = datetime(2026, 3, 29, 10, 0, tzinfo=LONDON)
    assert reason("today 1:30am", now) == "in-the-past"
    assert parsed("1:30am", now).local == at(2026, 3, 30, 1, 30)  # tomorrow


def test_autumn_fold_is_ambiguous() -> None:
    now = datetime(2026, 10, 20, 12, 0, tzinfo=LONDON)
    result = parse_when("25/10 1:30", now, LONDON)
    assert result == Problem("ambiguous")
    assert isinstance(result, Problem)
    assert result.wall == datetime(2026, 10, 25, 1, 30)
    first, second = ambiguous_choices(result.wall, LONDON)
    assert first.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    assert second.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT
    assert first.utcoffset() == timedelta(hours=1)
    assert second.utcoffset() == timedelta(0)
    assert first.replace(tzinfo=None) == second.replace(tzinfo=None) == result.wall
    assert first.tzinfo is LONDON


def test_either_side_of_the_autumn_fold() -> None:
    now = datetime(2026, 10, 20, 12, 0, tzinfo=LONDON)
    assert parsed("25/10 0:59", now).utc == datetime(2026, 10, 24, 23, 59, tzinfo=UTC)
    assert parsed("25/10 2:00", now).utc == datetime(2026, 10, 25, 2, 0, tzinfo=UTC)
    assert parse_when("sunday 1am", now, LONDON) == Problem("ambiguous")


def test_fold_compared_as_instants() -> None:
    # 01:45 BST, during the first pass: 01:30 GMT is still ahead, so it is ambiguous.
    first_pass = datetime(2026, 10, 25, 0, 45, tzinfo=UTC).astimezone(LONDON)
    assert parse_when("1:30", first_pass, LONDON) == Problem("ambiguous")
    # 01:20 GMT, during the second pass: both 01:15s have gone, so it is tomorrow.
    second_pass = datetime(2026, 10, 25, 1, 20, tzinfo=UTC).astimezone(LONDON)
    assert second_pass.fold == 1
    assert parsed("1:15", second_pass).local == at(2026, 10, 26, 1, 15)
    assert reason("today 1:15", second_pass) == "in-the-past"


def test_ambiguous_choices_rejects_ordinary_and_aware_times() -> None:
    with pytest.raises(ValueError, match="not ambiguous"):
        ambiguous_choices(datetime(2026, 10, 25, 2, 30), LONDON)
    with pytest.raises(ValueError, match="not ambiguous"):
        ambiguous_choices(datetime(2026, 3, 29, 1, 30), LONDON)  # a gap, not a fold
    with pytest.raises(ValueError, match="naive"):
        ambiguous_choices(datetime(2026, 10, 25, 1, 30, tzinfo=LONDON), LONDON)


# --- never raises ------------------------------------------------------------------------

ZONES = [
    LONDON,
    NEW_YORK,
    ZoneInfo("Australia/Lord_Howe"),
    ZoneInfo("Pacific/Apia"),
    ZoneInfo("UTC"),
]
NOWS = [
    NOW,
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),  # just before the gap
    datetime(2026, 10, 25, 0, 45, tzinfo=UTC),  # inside the fold
    datetime(2026, 12, 31, 23, 59, tzinfo=LONDON),
    datetime(2028, 2, 29, 9, 0, tzinfo=LONDON),
]
TOKENS = [
    *[
        "next",
        "this",
        "today",
        "tonight",
        "tomorrow",
        "tmrw",
        "at",
        "on",
        "the",
        "of",
        "noon",
        "midday",
        "am",
        "pm",
        "p.m.",
        "a.m.",
    ],
    *["mon", "tue", "tues", "tuesday", "wed", "thurs", "fri", "saturday", "sun"],
    *[
        "jan",
        "dec",
        "december",
        "sept",
        "feb",
        "march",
        "1st",
        "2nd",
        "14th",
        "31st",
        "14",
        "29",
        "31",
        "0",
        "99",
        "2026",
        "2028",
        "9999",
        "0000",
    ],
    *[
        "6pm",
        "6",
        "6.30pm",
        "6:30",
        "12am",
        "12pm",
        "0am",
        "13pm",
        "18:00",
        "00:00",
        "23:59",
        "24:00",
        "18:60",
        "1:30",
        "2am",
    ],
    *[
        "14/12",
        "31/02",
        "29/2",
        "14/12/2026",
        "14-12-26",
        "14.12",
        "18.30",
        "25.12",
        "29/3",
        "25/10",
        "1/1/1",
        "31/12/9999",
    ],
    *[",", ";", ".", "!", "?", "@", "-", "/", ":", "hello", "6pm.", "١٢:٣٠", "６pm"],
]


def check(result: Parsed | Problem, now: datetime, tz: ZoneInfo) -> None:
    assert isinstance(result, Parsed | Problem)
    if isinstance(result, Problem):
        return
    local = result.local
    assert local.tzinfo is tz
    assert local.astimezone(UTC) > now.astimezone(UTC)
    assert local.astimezone(UTC) <= now.astimezone(UTC) + timedelta(days=2 * 366 + 1)
    # it exists and is not ambiguous: both folds read the same instant
    assert local.replace(fold=0).utcoffset() == local.replace(fold=1).utcoffset()
    assert local.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local.replace(tzinfo=None)


@settings(max_examples=300, deadline=None)
@given(text=st.text(), now=st.sampled_from(NOWS), tz=st.sampled_from(ZONES))
def test_never_raises_on_any_text(text: str, now: datetime, tz: ZoneInfo) -> None:
    check(parse_when(text, now, tz), now, tz)


@settings(max_examples=500, deadline=None)
@given(
    words=st.lists(st.sampled_from(TOKENS), max_size=6),
    spaces=st.sampled_from([" ", "  ", ", ", "\t"]),
    now=st.sampled_from(NOWS),
    tz=st.sampled_from(ZONES),
)
def test_never_raises_on_token_soup(
    words: list[str], spaces: str, now: datetime, tz: ZoneInfo
) -> None:
    text = spaces.join(words)
    check(parse_when(text, now, tz), now, tz)
    check(parse_when(text.upper(), now, tz), now, tz)
