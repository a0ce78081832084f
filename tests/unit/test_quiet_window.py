"""Quiet hours (handlers.quiet_hours.window): reading a window, and when it ends,
across midnight and both clock changes in London."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from handlers.quiet_hours.window import DEFAULT, Window, parse, quiet_until, stored, window_of

LONDON = ZoneInfo("Europe/London")
# 2026: the clocks go forward at 01:00 UTC on Sunday 29 March, back at 01:00 UTC on
# Sunday 25 October.
SPRING = datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
AUTUMN = datetime(2026, 10, 25, 1, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def window(text: str) -> Window:
    found = parse(text)
    assert found is not None, text
    return found


def wall(moment: datetime) -> time:
    return moment.astimezone(LONDON).time()


# -- reading and writing ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("21:00-08:00", "21:00-08:00"),
        ("22:30-06:30", "22:30-06:30"),
        (" 22:30 - 6:30 ", "22:30-06:30"),
        ("22.30–06.30", "22:30-06:30"),
        ("22:30 — 06:30", "22:30-06:30"),
        ("22:30 to 06:30", "22:30-06:30"),
        ("9:00-17:30", "09:00-17:30"),
        ("00:00-23:59", "00:00-23:59"),
    ],
)
def test_a_window_is_read_in_the_ways_people_type_it(text: str, expected: str) -> None:
    assert stored(parse(text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "off",
        "22:30",
        "22:30-",
        "24:00-08:00",
        "21:60-08:00",
        "21:00-08:00-09:00",
        "21-08",
        "2100-0800",
        "21:00-21:00",  # no window at all, or all day: neither is meant
        "٢١:٠٠-٠٨:٠٠",  # digits, but not ASCII ones
        "21:00\n-08:00",
        "21:00-08:00 and more",
        "21:00-08:00" + " " * 40,
    ],
)
def test_anything_else_is_not_a_window(text: str) -> None:
    assert parse(text) is None


def test_junk_of_any_type_is_not_a_window() -> None:
    assert parse(None) is None
    assert parse(2100) is None
    assert parse(b"21:00-08:00") is None


def test_the_stored_setting() -> None:
    assert window_of("") is None and window_of("  ") is None  # off
    assert window_of("22:00-07:00") == window("22:00-07:00")
    assert window_of("rubbish") == window(DEFAULT)  # a damaged value stays quiet at night
    assert stored(None) == ""


def test_a_window_needs_two_different_times() -> None:
    with pytest.raises(ValueError):
        Window(time(8, 0), time(8, 0))


@given(st.text(max_size=60))
@example("21:00-08:00")
@example("23:59–00:00")
def test_parsing_never_raises_and_what_it_reads_it_writes_back(text: str) -> None:
    found = parse(text)
    if found is not None:
        assert parse(str(found)) == found
        assert found.start != found.end


minutes = st.integers(min_value=0, max_value=24 * 60 - 1)
windows = st.tuples(minutes, minutes).filter(lambda pair: pair[0] != pair[1])


def as_window(pair: tuple[int, int]) -> Window:
    start, end = pair
    return Window(time(start // 60, start % 60), time(end // 60, end % 60))


@given(windows, st.sampled_from(["{}-{}", "{} - {}", "{}–{}", "{} to {}"]))
def test_every_window_is_read_back_from_how_it_is_written(
    pair: tuple[int, int], template: str
) -> None:
    w = as_window(pair)
    assert parse(str(w)) == w
    assert parse(template.format(f"{w.start:%H:%M}", f"{w.end:%H:%M}")) == w


# -- when the window ends ---------------------------------------------------------------


def test_outside_the_window_nothing_waits() -> None:
    night = window(DEFAULT)
    assert quiet_until(utc(2026, 1, 14, 12, 0), LONDON, night) is None
    assert quiet_until(utc(2026, 1, 14, 20, 59), LONDON, night) is None
    assert quiet_until(utc(2026, 1, 14, 8, 0), LONDON, night) is None  # the end is outside
    assert quiet_until(utc(2026, 1, 14, 22, 30), LONDON, None) is None  # off


def test_a_window_across_midnight_ends_the_next_morning() -> None:
    night = window(DEFAULT)
    # Winter: London is on UTC.
    assert quiet_until(utc(2026, 1, 14, 21, 0), LONDON, night) == utc(2026, 1, 15, 8, 0)
    assert quiet_until(utc(2026, 1, 14, 22, 30), LONDON, night) == utc(2026, 1, 15, 8, 0)
    assert quiet_until(utc(2026, 1, 15, 2, 0), LONDON, night) == utc(2026, 1, 15, 8, 0)
    # Summer: 22:30 BST is 21:30 UTC, and 08:00 BST is 07:00 UTC.
    assert quiet_until(utc(2026, 7, 1, 21, 30), LONDON, night) == utc(2026, 7, 2, 7, 0)
    assert quiet_until(utc(2026, 12, 31, 23, 0), LONDON, night) == utc(2027, 1, 1, 8, 0)


def test_a_window_within_one_day() -> None:
    afternoon = window("13:00-15:00")
    assert quiet_until(utc(2026, 1, 14, 14, 0), LONDON, afternoon) == utc(2026, 1, 14, 15, 0)
    assert quiet_until(utc(2026, 1, 14, 15, 0), LONDON, afternoon) is None
    assert quiet_until(utc(2026, 1, 14, 23, 0), LONDON, afternoon) is None


def test_the_night_the_clocks_go_forward() -> None:
    night = window(DEFAULT)
    # 22:30 GMT on Saturday 28 March: the night is an hour shorter; 08:00 BST is 07:00 UTC.
    until = quiet_until(utc(2026, 3, 28, 22, 30), LONDON, night)
    assert until == utc(2026, 3, 29, 7, 0)
    assert until is not None and until - utc(2026, 3, 28, 22, 30) == timedelta(hours=8, minutes=30)
    # After the jump (03:00 BST) it is still the same night.
    assert quiet_until(utc(2026, 3, 29, 2, 0), LONDON, night) == utc(2026, 3, 29, 7, 0)


def test_the_night_the_clocks_go_back() -> None:
    night = window(DEFAULT)
    # 22:30 BST on Saturday 24 October (21:30 UTC): the night is an hour longer.
    until = quiet_until(utc(2026, 10, 24, 21, 30), LONDON, night)
    assert until == utc(2026, 10, 25, 8, 0)
    assert until is not None and until - utc(2026, 10, 24, 21, 30) == timedelta(
        hours=10, minutes=30
    )
    # In the repeated hour, both times round, it is still the night.
    assert quiet_until(utc(2026, 10, 25, 0, 30), LONDON, night) == utc(2026, 10, 25, 8, 0)
    assert quiet_until(utc(2026, 10, 25, 1, 30), LONDON, night) == utc(2026, 10, 25, 8, 0)


def test_an_end_in_the_hour_that_does_not_happen_is_when_the_clocks_jump() -> None:
    # 01:30 does not happen on 29 March: at 01:00 GMT the clocks read 02:00 BST.
    short = window("21:00-01:30")
    assert quiet_until(utc(2026, 3, 28, 23, 0), LONDON, short) == SPRING
    assert quiet_until(utc(2026, 3, 29, 0, 59), LONDON, short) == SPRING
    assert quiet_until(SPRING, LONDON, short) is None  # 02:00 BST: over
    # A start in the missing hour: the window begins when the clocks jump.
    early = window("01:30-06:00")
    assert quiet_until(utc(2026, 3, 29, 0, 59), LONDON, early) is None  # 00:59 GMT
    assert quiet_until(SPRING, LONDON, early) == utc(2026, 3, 29, 5, 0)  # 06:00 BST


def test_an_end_in_the_hour_that_happens_twice_is_its_first_time() -> None:
    short = window("21:00-01:30")
    # 23:00 BST: the window ends at the first 01:30 (BST), 00:30 UTC.
    assert quiet_until(utc(2026, 10, 24, 22, 0), LONDON, short) == utc(2026, 10, 25, 0, 30)
    assert quiet_until(utc(2026, 10, 25, 0, 45), LONDON, short) is None  # 01:45 BST
    # Then the clocks read 01:00 again (GMT): inside again, until the second 01:30.
    assert quiet_until(utc(2026, 10, 25, 1, 15), LONDON, short) == utc(2026, 10, 25, 1, 30)


# Moments anywhere, and moments close to either clock change.
anywhere = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
near_a_change = st.builds(
    lambda change, seconds: change + timedelta(seconds=seconds),
    st.sampled_from([SPRING, AUTUMN, datetime(2027, 3, 28, 1, tzinfo=UTC)]),
    st.integers(min_value=-36 * 3600, max_value=36 * 3600),
)


@given(st.one_of(anywhere, near_a_change), windows, st.lists(st.floats(0, 1), max_size=6))
@example(utc(2026, 3, 28, 23, 0), (21 * 60, 90), [0.5])
@example(utc(2026, 10, 24, 22, 0), (21 * 60, 90), [0.99])
def test_the_window_ends_once_and_is_quiet_until_then(
    moment: datetime, pair: tuple[int, int], fractions: list[float]
) -> None:
    w = as_window(pair)
    until = quiet_until(moment, LONDON, w)
    if until is None:
        assert not w.contains(wall(moment))
        return
    assert w.contains(wall(moment))
    assert moment < until
    assert w.contains(wall(until - timedelta(seconds=1)))
    for fraction in fractions:  # quiet all the way
        inside = moment + (until - moment) * fraction
        assert w.contains(wall(min(inside, until - timedelta(seconds=1))))
    outside = (pair[0] - pair[1]) % (24 * 60)  # minutes from its end to its next start
    if outside > 60:  # (a gap shorter than the missing hour may fall into it entirely)
        assert not w.contains(wall(until))
        assert until <= moment + timedelta(hours=25)
