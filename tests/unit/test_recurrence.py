"""Recurring events (handlers.events.recurrence)."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.events.recurrence import (
    Rule,
    decode_rule,
    encode_rule,
    occurrences,
    wall_time_instant,
)

LONDON = ZoneInfo("Europe/London")
TUE, FRI, SUN = 1, 4, 6


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def weekly(weekday: int = TUE, at: time = time(18, 0), **kw: Any) -> Rule:
    kw.setdefault("starts_on", date(2026, 1, 6))
    return Rule(kind="weekly", weekday=weekday, time=at, tz="Europe/London", **kw)


def monthly(weekday: int, nth: int, at: time = time(18, 0), **kw: Any) -> Rule:
    kw.setdefault("starts_on", date(2026, 1, 1))
    return Rule(kind="monthly", weekday=weekday, nth=nth, time=at, tz="Europe/London", **kw)


# --- weekly, across both clock changes ---------------------------------------------------


def test_weekly_tuesday_1800_across_spring_forward() -> None:
    got = occurrences(weekly(), utc(2026, 3, 15), 4)
    assert got == [
        utc(2026, 3, 17, 18, 0),  # GMT
        utc(2026, 3, 24, 18, 0),
        utc(2026, 3, 31, 17, 0),  # BST from Sunday 29 March
        utc(2026, 4, 7, 17, 0),
    ]


def test_weekly_tuesday_1800_across_fall_back() -> None:
    got = occurrences(weekly(), utc(2026, 10, 12), 4)
    assert got == [
        utc(2026, 10, 13, 17, 0),  # BST
        utc(2026, 10, 20, 17, 0),
        utc(2026, 10, 27, 18, 0),  # GMT from Sunday 25 October
        utc(2026, 11, 3, 18, 0),
    ]


def test_weekly_stays_at_1800_local_all_year() -> None:
    got = occurrences(weekly(), utc(2026, 1, 1), 52)
    assert len(got) == 52
    assert all(x.tzinfo is UTC for x in got)
    local = [x.astimezone(LONDON) for x in got]
    assert {x.time() for x in local} == {time(18, 0)}
    assert {x.weekday() for x in local} == {TUE}
    assert local[0].date() == date(2026, 1, 6)
    assert local[-1].date() == date(2026, 12, 29)
    assert all(
        b - a in (timedelta(days=7), timedelta(days=7, hours=1), timedelta(days=6, hours=23))
        for a, b in itertools.pairwise(got)
    )
    summer = [x for x in got if x.hour == 17]
    assert summer[0].date() == date(2026, 3, 31)
    assert summer[-1].date() == date(2026, 10, 20)
    assert len(summer) == 30


def test_results_are_strictly_after() -> None:
    rule = weekly()
    assert occurrences(rule, utc(2026, 3, 24, 18, 0), 1) == [utc(2026, 3, 31, 17, 0)]
    assert occurrences(rule, utc(2026, 3, 24, 17, 59, 59), 1) == [utc(2026, 3, 24, 18, 0)]


def test_after_may_be_in_any_zone() -> None:
    # 13:30 in New York (EDT) on Tuesday 31 March is 18:30 BST: that evening's has begun.
    after = datetime(2026, 3, 31, 13, 30, tzinfo=ZoneInfo("America/New_York"))
    assert occurrences(weekly(), after, 1) == [utc(2026, 4, 7, 17, 0)]
    after = datetime(2026, 3, 31, 11, 59, tzinfo=ZoneInfo("America/New_York"))
    assert occurrences(weekly(), after, 1) == [utc(2026, 3, 31, 17, 0)]


def test_fortnightly_counts_from_the_first_occurrence() -> None:
    # starts on a Thursday: the first Tuesday is 13 January, then every other week
    rule = weekly(starts_on=date(2026, 1, 8), interval_weeks=2)
    got = [x.date() for x in occurrences(rule, utc(2026, 1, 1), 4)]
    assert got == [date(2026, 1, 13), date(2026, 1, 27), date(2026, 2, 10), date(2026, 2, 24)]
    # from the middle of the series the phase is kept
    got = [x.date() for x in occurrences(rule, utc(2026, 2, 11), 2)]
    assert got == [date(2026, 2, 24), date(2026, 3, 10)]


def test_starts_on_and_until_bound_the_series() -> None:
    rule = weekly(starts_on=date(2026, 3, 10), until=date(2026, 3, 31))
    got = occurrences(rule, utc(2020, 1, 1), 10)
    assert [x.date() for x in got] == [
        date(2026, 3, 10),
        date(2026, 3, 17),
        date(2026, 3, 24),
        date(2026, 3, 31),  # until is inclusive
    ]
    assert occurrences(rule, utc(2026, 4, 1), 10) == []


def test_count_zero_and_bad_arguments() -> None:
    assert occurrences(weekly(), utc(2026, 1, 1), 0) == []
    with pytest.raises(ValueError, match="count"):
        occurrences(weekly(), utc(2026, 1, 1), -1)
    with pytest.raises(ValueError, match="aware"):
        occurrences(weekly(), datetime(2026, 1, 1), 1)
    with pytest.raises(ValueError, match="aware"):
        occurrences(weekly(), utc(2026, 1, 1), 1, moved={date(2026, 1, 6): datetime(2026, 1, 7)})


# --- monthly ---------------------------------------------------------------------------


def test_first_tuesday_1800_across_a_year() -> None:
    got = occurrences(monthly(TUE, 1), utc(2026, 1, 1), 12)
    assert got == [
        utc(2026, 1, 6, 18, 0),
        utc(2026, 2, 3, 18, 0),
        utc(2026, 3, 3, 18, 0),
        utc(2026, 4, 7, 17, 0),  # BST
        utc(2026, 5, 5, 17, 0),
        utc(2026, 6, 2, 17, 0),
        utc(2026, 7, 7, 17, 0),
        utc(2026, 8, 4, 17, 0),
        utc(2026, 9, 1, 17, 0),
        utc(2026, 10, 6, 17, 0),
        utc(2026, 11, 3, 18, 0),  # GMT again
        utc(2026, 12, 1, 18, 0),
    ]


def test_last_friday() -> None:
    got = occurrences(monthly(FRI, -1, time(19, 30)), utc(2026, 1, 1), 14)
    assert [x.astimezone(LONDON).date() for x in got] == [
        date(2026, 1, 30),
        date(2026, 2, 27),
        date(2026, 3, 27),
        date(2026, 4, 24),
        date(2026, 5, 29),
        date(2026, 6, 26),
        date(2026, 7, 31),
        date(2026, 8, 28),
        date(2026, 9, 25),
        date(2026, 10, 30),
        date(2026, 11, 27),
        date(2026, 12, 25),
        date(2027, 1, 29),
        date(2027, 2, 26),
    ]
    assert {x.astimezone(LONDON).time() for x in got} == {time(19, 30)}
    assert got[2] == utc(2026, 3, 27, 19, 30)  # the Friday before the clocks go forward
    assert got[3] == utc(2026, 4, 24, 18, 30)


def test_last_friday_of_a_leap_february() -> None:
    got = occurrences(monthly(FRI, -1), utc(2028, 2, 1), 1)
    assert got == [utc(2028, 2, 25, 18, 0)]
    # when the month ends on the weekday itself (Friday 31 July 2026)
    assert occurrences(monthly(FRI, -1), utc(2026, 7, 25), 1) == [utc(2026, 7, 31, 17, 0)]


@pytest.mark.parametrize(
    ("nth", "expected"),
    [
        (1, date(2026, 9, 1)),
        (2, date(2026, 9, 8)),
        (3, date(2026, 9, 15)),
        (4, date(2026, 9, 22)),
        (-1, date(2026, 9, 29)),
    ],
)
def test_nth_weekday(nth: int, expected: date) -> None:
    (got,) = occurrences(monthly(TUE, nth), utc(2026, 8, 31), 1)
    assert got.astimezone(LONDON).date() == expected


def test_monthly_starts_on_mid_month() -> None:
    rule = monthly(TUE, 1, starts_on=date(2026, 1, 7))  # after the first Tuesday of January
    (got,) = occurrences(rule, utc(2025, 1, 1), 1)
    assert got == utc(2026, 2, 3, 18, 0)


# --- clock-change days themselves ----------------------------------------------------------


def test_a_wall_time_in_the_spring_gap_moves_to_the_end_of_the_gap() -> None:
    # Every Sunday at 01:30: on 29 March 2026 01:30 does not exist in London.
    rule = weekly(SUN, time(1, 30))
    got = occurrences(rule, utc(2026, 3, 21), 3)
    assert got == [
        utc(2026, 3, 22, 1, 30),  # GMT
        utc(2026, 3, 29, 1, 0),  # 02:00 BST, the first instant after the gap
        utc(2026, 4, 5, 0, 30),  # 01:30 BST
    ]
    assert got[1].astimezone(LONDON).time() == time(2, 0)


def test_a_wall_time_in_the_autumn_fold_is_the_first_one() -> None:
    rule = weekly(SUN, time(1, 30))
    got = occurrences(rule, utc(2026, 10, 17), 3)
    assert got == [
        utc(2026, 10, 18, 0, 30),  # 01:30 BST
        utc(2026, 10, 25, 0, 30),  # the first 01:30: still BST
        utc(2026, 11, 1, 1, 30),  # 01:30 GMT
    ]


def test_last_sunday_at_0130_hits_both_changes() -> None:
    got = occurrences(monthly(SUN, -1, time(1, 30)), utc(2026, 3, 1), 8)
    assert got[0] == utc(2026, 3, 29, 1, 0)  # gap
    assert got[7] == utc(2026, 10, 25, 0, 30)  # fold


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected"),
    [
        ("Europe/London", date(2026, 3, 29), time(1, 0), utc(2026, 3, 29, 1, 0)),
        ("Europe/London", date(2026, 3, 29), time(1, 59), utc(2026, 3, 29, 1, 0)),
        ("Europe/London", date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0)),
        ("Europe/London", date(2026, 3, 29), time(0, 59), utc(2026, 3, 29, 0, 59)),
        ("Europe/London", date(2026, 10, 25), time(1, 0), utc(2026, 10, 25, 0, 0)),
        ("Europe/London", date(2026, 10, 25), time(2, 0), utc(2026, 10, 25, 2, 0)),
        # New York: 02:00 EST becomes 03:00 EDT on 8 March 2026
        ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 0)),
        # Lord Howe Island moves its clocks by half an hour (02:00 -> 02:30)
        ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 30)),
    ],
)
def test_wall_time_instant(zone: str, day: date, at: time, expected: datetime) -> None:
    assert wall_time_instant(day, at, ZoneInfo(zone)) == expected


# --- cancelled and moved -----------------------------------------------------------------


def test_cancelled_dates_are_skipped() -> None:
    got = occurrences(weekly(), utc(2026, 3, 15), 3, cancelled={date(2026, 3, 24)})
    assert got == [utc(2026, 3, 17, 18, 0), utc(2026, 3, 31, 17, 0), utc(2026, 4, 7, 17, 0)]


def test_a_moved_occurrence_takes_its_place_in_time_order() -> None:
    # 24 March moved to Thursday 2 April 19:00 BST, after the 31 March meeting
    moved = {date(2026, 3, 24): datetime(2026, 4, 2, 19, 0, tzinfo=LONDON)}
    got = occurrences(weekly(), utc(2026, 3, 15), 4, moved=moved)
    assert got == [
        utc(2026, 3, 17, 18, 0),
        utc(2026, 3, 31, 17, 0),
        utc(2026, 4, 2, 18, 0),
        utc(2026, 4, 7, 17, 0),
    ]
    assert all(x.tzinfo is UTC for x in got)


def test_a_moved_occurrence_far_ahead_is_not_counted_early() -> None:
    moved = {date(2026, 3, 17): utc(2026, 6, 1, 12, 0)}
    got = occurrences(weekly(), utc(2026, 3, 15), 2, moved=moved)
    assert got == [utc(2026, 3, 24, 18, 0), utc(2026, 3, 31, 17, 0)]


def test_a_moved_occurrence_earlier_in_time() -> None:
    # 31 March brought forward to Monday 23 March, 18:00 GMT
    moved = {date(2026, 3, 31): utc(2026, 3, 23, 18, 0)}
    got = occurrences(weekly(), utc(2026, 3, 18), 3, moved=moved)
    assert got == [utc(2026, 3, 23, 18, 0), utc(2026, 3, 24, 18, 0), utc(2026, 4, 7, 17, 0)]
    # once its new time has passed it is gone, though its original date is still ahead
    got = occurrences(weekly(), utc(2026, 3, 25), 2, moved=moved)
    assert got == [utc(2026, 4, 7, 17, 0), utc(2026, 4, 14, 17, 0)]


def test_moves_and_cancellations_that_are_not_occurrences_are_ignored() -> None:
    wednesday = date(2026, 3, 25)
    got = occurrences(
        weekly(),
        utc(2026, 3, 15),
        2,
        cancelled={wednesday},
        moved={wednesday: utc(2026, 3, 16, 9, 0)},
    )
    assert got == [utc(2026, 3, 17, 18, 0), utc(2026, 3, 24, 18, 0)]


def test_cancelled_wins_over_moved() -> None:
    day = date(2026, 3, 24)
    got = occurrences(
        weekly(), utc(2026, 3, 18), 2, cancelled={day}, moved={day: utc(2026, 3, 26, 18, 0)}
    )
    assert got == [utc(2026, 3, 31, 17, 0), utc(2026, 4, 7, 17, 0)]


def test_monthly_cancelled_and_moved() -> None:
    rule = monthly(FRI, -1)
    got = occurrences(
        rule,
        utc(2026, 9, 1),
        3,
        cancelled={date(2026, 10, 30)},
        moved={date(2026, 12, 25): datetime(2026, 12, 18, 18, 0, tzinfo=LONDON)},
    )
    assert got == [utc(2026, 9, 25, 17, 0), utc(2026, 11, 27, 18, 0), utc(2026, 12, 18, 18, 0)]


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {"kind": "daily"},
        {"weekday": 7},
        {"weekday": -1},
        {"weekday": True},
        {"time": time(18, 0, 30)},
        {"time": time(18, 0, tzinfo=UTC)},
        {"tz": "Europe/Nowhere"},
        {"tz": ""},
        {"tz": "../etc/passwd"},
        {"tz": "Europe/London;x"},
        {"until": date(2025, 12, 31)},
        {"interval_weeks": 0},
        {"interval_weeks": 53},
        {"nth": 1},
        {"starts_on": datetime(2026, 1, 6, 12, 0)},
    ],
)
def test_bad_weekly_rules(kw: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "kind": "weekly",
        "weekday": TUE,
        "time": time(18, 0),
        "tz": "Europe/London",
        "starts_on": date(2026, 1, 6),
    }
    with pytest.raises(ValueError):
        Rule(**(args | kw))


@pytest.mark.parametrize(
    "kw", [{"nth": None}, {"nth": 0}, {"nth": 5}, {"nth": -2}, {"interval_weeks": 2}]
)
def test_bad_monthly_rules(kw: dict[str, Any]) -> None:
    args: dict[str, Any] = {
        "kind": "monthly",
        "weekday": TUE,
        "nth": 1,
        "time": time(18, 0),
        "tz": "Europe/London",
        "starts_on": date(2026, 1, 6),
    }
    with pytest.raises(ValueError):
        Rule(**(args | kw))


def test_matches() -> None:
    rule = weekly(interval_weeks=2, until=date(2026, 2, 3))
    assert rule.matches(date(2026, 1, 6))
    assert not rule.matches(date(2026, 1, 13))
    assert rule.matches(date(2026, 1, 20))
    assert not rule.matches(date(2026, 2, 17))  # after until
    assert not rule.matches(date(2025, 12, 23))  # before starts_on
    assert monthly(FRI, -1).matches(date(2026, 7, 31))
    assert not monthly(FRI, -1).matches(date(2026, 7, 24))


# --- storage ---------------------------------------------------------------------------------


def test_encode_weekly() -> None:
    assert (
        encode_rule(weekly())
        == "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1"
    )
    rule = weekly(FRI, time(9, 5), until=date(2026, 12, 31), interval_weeks=2)
    assert (
        encode_rule(rule)
        == "weekly;wd=4;t=09:05;tz=Europe/London;from=2026-01-06;until=2026-12-31;every=2"
    )


def test_encode_monthly() -> None:
    assert (
        encode_rule(monthly(FRI, -1, time(19, 30)))
        == "monthly;wd=4;nth=-1;t=19:30;tz=Europe/London;from=2026-01-01;until="
    )


@pytest.mark.parametrize(
    "rule",
    [
        weekly(),
        weekly(SUN, time(0, 0), until=date(2027, 1, 1), interval_weeks=52),
        monthly(TUE, 1),
        monthly(FRI, -1, time(23, 59), until=date(2026, 1, 30)),
        Rule(
            kind="weekly",
            weekday=0,
            time=time(7),
            tz="America/Argentina/Buenos_Aires",
            starts_on=date(2026, 1, 1),
        ),
        Rule(kind="weekly", weekday=0, time=time(7), tz="Etc/GMT+5", starts_on=date(2026, 1, 1)),
    ],
)
def test_round_trip(rule: Rule) -> None:
    assert decode_rule(encode_rule(rule)) == rule


@pytest.mark.parametrize(
    "text",
    [
        "",
        "weekly",
        "daily;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=",  # no every
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1;",
        "weekly;wd=1;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        "weekly;wd=7;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=24:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=6pm;tz=Europe/London;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=18:00;tz=Mars/Olympus;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=18:00;tz=../../etc/passwd;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-02-30;until=;every=1",
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=2025-01-01;every=1",
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=0",
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=60",
        "weekly;wd=1;nth=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        "monthly;wd=1;nth=5;t=18:00;tz=Europe/London;from=2026-01-06;until=",
        "monthly;wd=1;nth=;t=18:00;tz=Europe/London;from=2026-01-06;until=",
        "monthly;wd=1;nth=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        " weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
        "weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1\n",
        "weekly;wd=١;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1",
    ],
)
def test_decode_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        decode_rule(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_decode_only_raises_value_error(text: str) -> None:
    try:
        rule = decode_rule(text)
    except ValueError:
        return
    assert encode_rule(rule) == text


rules = st.builds(
    Rule,
    kind=st.just("weekly"),
    weekday=st.integers(0, 6),
    time=st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    tz=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe"]),
    starts_on=st.dates(date(2024, 1, 1), date(2030, 1, 1)),
    interval_weeks=st.integers(1, 52),
) | st.builds(
    Rule,
    kind=st.just("monthly"),
    weekday=st.integers(0, 6),
    nth=st.sampled_from([1, 2, 3, 4, -1]),
    time=st.builds(time, st.integers(0, 23), st.integers(0, 59)),
    tz=st.sampled_from(["Europe/London", "America/New_York", "Australia/Lord_Howe"]),
    starts_on=st.dates(date(2024, 1, 1), date(2030, 1, 1)),
)


@settings(max_examples=200, deadline=None)
@given(rule=rules)
def test_encoding_round_trips(rule: Rule) -> None:
    assert decode_rule(encode_rule(rule)) == rule


@settings(max_examples=200, deadline=None)
@given(
    rule=rules,
    after=st.datetimes(datetime(2024, 1, 1), datetime(2031, 1, 1), timezones=st.just(UTC)),
    count=st.integers(1, 8),
)
def test_occurrences_properties(rule: Rule, after: datetime, count: int) -> None:
    got = occurrences(rule, after, count)
    assert len(got) == count
    assert all(x.tzinfo is UTC and x > after for x in got)
    assert got == sorted(set(got))
    zone = rule.zone
    for x in got:
        local = x.astimezone(zone)
        assert rule.matches(local.date())
        assert local.date() >= rule.starts_on
        wall = datetime.combine(local.date(), rule.time)
        exists = (
            wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == wall
        )
        if exists:
            assert local.time() == rule.time
            assert local.fold == 0
        else:  # in a gap: the first instant after it
            assert local.time() > rule.time
            assert (x - timedelta(seconds=1)).astimezone(zone).replace(tzinfo=None) < wall
    # the first result is the first one: nothing in between was skipped
    earlier = occurrences(rule, after - timedelta(weeks=6 * rule.interval_weeks), 200)
    assert [x for x in earlier if x > after][:count] == got
