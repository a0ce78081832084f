"""Calendar files (handlers.events.ics), read back with the icalendar package."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.events.ics import PRODID, calendar_file, clean_text, escape_text, fold_line

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 6, 1, 9, 30, 15, tzinfo=UTC)
SUMMER = datetime(2026, 7, 14, 18, 0, tzinfo=LONDON)  # 17:00 UTC
WINTER = datetime(2026, 12, 14, 18, 30, tzinfo=LONDON)  # 18:30 UTC

TITLE = "Coffee, cake; chat ☕🎉 — Zażółć gęślą jaźń, مرحبا بكم; 👨‍👩‍👧 done"
DESCRIPTION = (
    "Come along, meet the team; ask anything.\n"
    "Ścieżka: back door\\side gate, تعال معنا 🚓\n\n" + "Long line: " + ("żółw 🐢, " * 40)
)


def make(**kw: Any) -> bytes:
    args: dict[str, Any] = {
        "uid": "event-12@chinwag",
        "title": "Coffee with your PCSO",
        "start": SUMMER,
        "end": None,
        "now": NOW,
    }
    return calendar_file(**(args | kw))


def parse(data: bytes) -> tuple[icalendar.Calendar, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    events = cal.walk("VEVENT")
    assert len(events) == 1
    event = events[0]
    assert isinstance(event, icalendar.Event)
    return cal, event


V = TypeVar("V")


def value(component: icalendar.Component, name: str, kind: type[V]) -> V:
    """component[name] as the one property type it is (icalendar types it as any of them)."""
    found = component[name]
    assert isinstance(found, kind)
    return found


def raw_lines(data: bytes) -> list[str]:
    """Unfolded content lines."""
    text = data.decode("utf-8")
    return text.replace("\r\n ", "").split("\r\n")[:-1]


# --- the whole file -------------------------------------------------------------------------


def test_every_property() -> None:
    data = make(
        title=TITLE,
        start=SUMMER,
        end=SUMMER + timedelta(hours=2),
        description=DESCRIPTION,
        location="Community Hall, 1 High St; Łódź",
        latitude=51.501364,
        longitude=-0.14189,
        url="https://t.me/chinwag_bot?start=ev-12-a1B2c3D4",
        reminder_minutes=90,
        sequence=3,
    )
    cal, ev = parse(data)
    assert str(cal["PRODID"]) == PRODID
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["METHOD"]) == "PUBLISH"
    assert str(cal["CALSCALE"]) == "GREGORIAN"

    assert str(ev["UID"]) == "event-12@chinwag"
    assert ev.decoded("DTSTAMP") == NOW
    assert ev.decoded("DTSTAMP").utcoffset() == timedelta(0)
    assert ev["DTSTART"].params["TZID"] == "Europe/London"
    assert ev["DTEND"].params["TZID"] == "Europe/London"
    assert ev.decoded("DTSTART").astimezone(UTC) == datetime(2026, 7, 14, 17, 0, tzinfo=UTC)
    assert ev.decoded("DTEND").astimezone(UTC) == datetime(2026, 7, 14, 19, 0, tzinfo=UTC)
    assert str(ev["SUMMARY"]) == TITLE
    assert str(ev["DESCRIPTION"]) == DESCRIPTION
    assert str(ev["LOCATION"]) == "Community Hall, 1 High St; Łódź"
    geo = value(ev, "GEO", icalendar.vGeo)
    assert (geo.latitude, geo.longitude) == (51.501364, -0.14189)
    assert str(ev["URL"]) == "https://t.me/chinwag_bot?start=ev-12-a1B2c3D4"
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert int(value(ev, "SEQUENCE", icalendar.vInt)) == 3

    (alarm,) = ev.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-90)
    assert str(alarm["DESCRIPTION"]) == TITLE

    lines = raw_lines(data)
    assert lines[:5] == [
        "BEGIN:VCALENDAR",
        f"PRODID:{PRODID}",
        "VERSION:2.0",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ]
    assert lines[-1] == "END:VCALENDAR"
    assert "DTSTART;TZID=Europe/London:20260714T180000" in lines
    assert "DTEND;TZID=Europe/London:20260714T200000" in lines
    assert "DTSTAMP:20260601T093015Z" in lines
    assert "GEO:51.501364;-0.141890" in lines
    assert "TRIGGER:-PT90M" in lines
    assert lines.count("BEGIN:VEVENT") == 1


def test_crlf_and_folding_at_75_octets() -> None:
    data = make(title=TITLE * 3, description=DESCRIPTION, location="🏠" * 100)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"\r" not in data.replace(b"\r\n", b"")
    physical = data.split(b"\r\n")[:-1]
    assert max(len(line) for line in physical) == 75
    for line in physical:
        assert len(line) <= 75
        line.decode("utf-8")  # a multi-byte character is never split between lines
    description = [i for i, line in enumerate(physical) if line.startswith(b"DESCRIPTION:")]
    assert physical[description[0] + 1].startswith(b" ")  # 300+ characters: folded
    _, ev = parse(data)
    assert str(ev["DESCRIPTION"]) == DESCRIPTION
    assert str(ev["LOCATION"]) == "🏠" * 100


def test_a_300_character_description() -> None:
    description = ("a, b; c\\d\n" * 30)[:300]
    assert len(description) == 300
    data = make(description=description)
    _, ev = parse(data)
    assert str(ev["DESCRIPTION"]) == description
    assert sum(line.startswith(b" ") for line in data.split(b"\r\n")) >= 4


@pytest.mark.parametrize(
    ("start", "raw", "utc"),
    [
        (SUMMER, "20260714T180000", datetime(2026, 7, 14, 17, 0, tzinfo=UTC)),
        (WINTER, "20261214T183000", datetime(2026, 12, 14, 18, 30, tzinfo=UTC)),
        # the same instants given in other zones are written in London time
        (SUMMER.astimezone(UTC), "20260714T180000", datetime(2026, 7, 14, 17, 0, tzinfo=UTC)),
        (
            WINTER.astimezone(ZoneInfo("Asia/Tokyo")),
            "20261214T183000",
            datetime(2026, 12, 14, 18, 30, tzinfo=UTC),
        ),
        # either side of both clock changes
        (
            datetime(2026, 3, 29, 0, 59, tzinfo=LONDON),
            "20260329T005900",
            datetime(2026, 3, 29, 0, 59, tzinfo=UTC),
        ),
        (
            datetime(2026, 3, 29, 2, 0, tzinfo=LONDON),
            "20260329T020000",
            datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
        ),
        (
            datetime(2026, 10, 25, 1, 30, tzinfo=LONDON),  # the first 01:30 (BST)
            "20261025T013000",
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
        ),
    ],
)
def test_dtstart_is_london_wall_time_and_the_same_instant(
    start: datetime, raw: str, utc: datetime
) -> None:
    data = make(start=start)
    assert f"DTSTART;TZID=Europe/London:{raw}" in raw_lines(data)
    _, ev = parse(data)
    assert ev.decoded("DTSTART").astimezone(UTC) == utc
    assert ev.decoded("DTEND").astimezone(UTC) == utc + timedelta(hours=1)
    # and the same instant through the file's own VTIMEZONE, not the reader's tzdata
    _, own = parse(data.replace(b"Europe/London", b"X-Chinwag-Test"))
    assert own.decoded("DTSTART").astimezone(UTC) == utc


def test_the_second_0130_of_the_fold_is_written_in_utc() -> None:
    second = datetime(2026, 10, 25, 1, 30, fold=1, tzinfo=LONDON)
    assert second.astimezone(UTC) == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    data = make(start=second)
    lines = raw_lines(data)
    assert "DTSTART:20261025T013000Z" in lines
    assert "DTEND;TZID=Europe/London:20261025T023000" in lines
    _, ev = parse(data)
    # (== between zones is always False for a time in the fold with fold=1: PEP 495)
    assert ev.decoded("DTSTART").astimezone(UTC) == second.astimezone(UTC)
    assert ev.decoded("DTEND").astimezone(UTC) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


def test_vtimezone_for_europe_london() -> None:
    cal, _ = parse(make())
    (vtz,) = cal.walk("VTIMEZONE")
    assert str(vtz["TZID"]) == "Europe/London"
    (daylight,) = vtz.walk("DAYLIGHT")
    (standard,) = vtz.walk("STANDARD")
    assert str(daylight["TZNAME"]) == "BST"
    assert str(standard["TZNAME"]) == "GMT"
    assert daylight.decoded("TZOFFSETFROM") == timedelta(0)
    assert daylight.decoded("TZOFFSETTO") == timedelta(hours=1)
    assert standard.decoded("TZOFFSETFROM") == timedelta(hours=1)
    assert standard.decoded("TZOFFSETTO") == timedelta(0)
    assert value(daylight, "RRULE", icalendar.vRecur)["BYMONTH"] == [3]
    assert value(daylight, "RRULE", icalendar.vRecur)["BYDAY"] == ["-1SU"]
    assert value(standard, "RRULE", icalendar.vRecur)["BYMONTH"] == [10]
    assert value(standard, "RRULE", icalendar.vRecur)["BYDAY"] == ["-1SU"]


def test_vtimezone_rules_agree_with_tzdata() -> None:
    renamed = make().replace(b"Europe/London", b"X-Chinwag-Test")
    cal = icalendar.Calendar.from_ical(renamed)
    vtz = cal.walk("VTIMEZONE")[0]
    assert isinstance(vtz, icalendar.Timezone)
    own = vtz.to_tz()
    for year in range(1997, 2038):
        # mid-winter, mid-summer, and every half hour across both changes (01:00 UTC)
        moments = [datetime(year, 1, 15, tzinfo=UTC), datetime(year, 7, 15, tzinfo=UTC)]
        for month in (3, 10):
            last_sunday = max(
                datetime(year, month, day, 1, 0, tzinfo=UTC)
                for day in range(25, 32)
                if datetime(year, month, day).weekday() == 6
            )
            moments += [last_sunday + timedelta(minutes=30 * k) for k in range(-4, 5)]
        for moment in moments:
            expected = moment.astimezone(LONDON).utcoffset()
            assert moment.astimezone(own).utcoffset() == expected, moment


def test_end_defaults_to_an_hour() -> None:
    _, ev = parse(make(start=WINTER, end=None))
    assert ev.decoded("DTEND") - ev.decoded("DTSTART") == timedelta(hours=1)


def test_optional_properties_are_left_out() -> None:
    data = make(reminder_minutes=None)
    _, ev = parse(data)
    for name in ("DESCRIPTION", "LOCATION", "GEO", "URL"):
        assert name not in ev
    assert ev.walk("VALARM") == []
    assert str(ev["STATUS"]) == "CONFIRMED"
    assert int(value(ev, "SEQUENCE", icalendar.vInt)) == 0


def test_default_reminder_is_an_hour() -> None:
    _, ev = parse(make())
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-60)
    assert str(alarm["DESCRIPTION"]) == "Coffee with your PCSO"


def test_zero_minute_reminder_and_untitled_event() -> None:
    _, ev = parse(make(reminder_minutes=0, title=""))
    assert str(ev["SUMMARY"]) == ""
    (alarm,) = ev.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(0)
    assert str(alarm["DESCRIPTION"]) == "Reminder"


def test_cancelled() -> None:
    data = make(cancelled=True, sequence=2)
    _, ev = parse(data)
    assert str(ev["STATUS"]) == "CANCELLED"
    assert int(value(ev, "SEQUENCE", icalendar.vInt)) == 2
    assert ev.walk("VALARM") == []  # no reminder for an event that is off
    assert str(ev["UID"]) == "event-12@chinwag"


def test_escaping() -> None:
    assert escape_text("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"
    assert escape_text("one\r\ntwo\rthree") == "one\\ntwo\\nthree"
    data = make(title="back\\slash; semi, comma\nnew line")
    assert "SUMMARY:back\\\\slash\\; semi\\, comma\\nnew line" in raw_lines(data)
    _, ev = parse(data)
    assert str(ev["SUMMARY"]) == "back\\slash; semi, comma\nnew line"


def test_control_characters_are_dropped() -> None:
    assert clean_text("a\x00b\x07c\td\x1be\x7ff\r\ng") == "abc\tdef\ng"
    assert clean_text("x\ud800y") == "x\ufffdy"
    _, ev = parse(make(description="bell\x07 and\r\nbreak"))
    assert str(ev["DESCRIPTION"]) == "bell and\nbreak"


def test_fold_line() -> None:
    assert fold_line("short") == ["short"]
    line = "X:" + "é" * 100  # two octets each
    parts = fold_line(line)
    assert "".join(p.removeprefix(" ") if i else p for i, p in enumerate(parts)) == line
    assert [len(p.encode()) for p in parts] == [74, 75, 55]  # 75 would split an "é"
    assert all(p.startswith(" ") for p in parts[1:])
    assert fold_line("A" * 75) == ["A" * 75]
    assert fold_line("A" * 76) == ["A" * 75, " A"]


@pytest.mark.parametrize(
    ("zone", "dtstart", "has_vtimezone"),
    [
        ("Europe/London", "DTSTART;TZID=Europe/London:20261214T183000", True),
        ("Europe/Dublin", "DTSTART;TZID=Europe/Dublin:20261214T183000", True),
        ("Europe/Paris", "DTSTART:20261214T183000Z", False),
        ("UTC", "DTSTART:20261214T183000Z", False),
    ],
)
def test_other_zones(zone: str, dtstart: str, has_vtimezone: bool) -> None:
    data = make(start=WINTER, tz_name=zone)
    assert dtstart in raw_lines(data)
    cal, ev = parse(data)
    assert bool(cal.walk("VTIMEZONE")) is has_vtimezone
    assert ev.decoded("DTSTART").astimezone(UTC) == WINTER.astimezone(UTC)


def test_dublin_summer_is_ist() -> None:
    cal, ev = parse(make(tz_name="Europe/Dublin"))
    assert "DTSTART;TZID=Europe/Dublin:20260714T180000" in raw_lines(make(tz_name="Europe/Dublin"))
    assert str(cal.walk("VTIMEZONE")[0].walk("DAYLIGHT")[0]["TZNAME"]) == "IST"
    assert ev.decoded("DTSTART").astimezone(UTC) == SUMMER.astimezone(UTC)


def test_dates_before_the_rules_are_written_in_utc() -> None:
    old = datetime(1990, 7, 1, 18, 0, tzinfo=LONDON)
    data = make(start=old)
    assert "DTSTART:19900701T170000Z" in raw_lines(data)
    cal, ev = parse(data)
    assert cal.walk("VTIMEZONE") == []
    assert ev.decoded("DTSTART") == old


@pytest.mark.parametrize(
    "kw",
    [
        {"start": datetime(2026, 7, 14, 18, 0)},
        {"end": datetime(2026, 7, 14, 19, 0)},
        {"now": datetime(2026, 6, 1)},
        {"end": SUMMER},
        {"end": SUMMER - timedelta(minutes=1)},
        {"uid": ""},
        {"uid": " \x00 "},
        {"latitude": 51.5},
        {"longitude": -0.1},
        {"latitude": 91.0, "longitude": 0.0},
        {"latitude": 0.0, "longitude": -180.5},
        {"latitude": float("nan"), "longitude": 0.0},
        {"url": "https://example.org/a b"},
        {"url": "https://example.org/\r\nX-EVIL:1"},
        {"url": "no scheme"},
        {"url": "https://example.org/ż"},
        {"reminder_minutes": -5},
        {"reminder_minutes": 10**9},
        {"reminder_minutes": True},
        {"sequence": -1},
        {"tz_name": "Nowhere/Special"},
    ],
)
def test_bad_input(kw: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        make(**kw)


# --- any text reads back --------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=200)


@settings(max_examples=300, deadline=None)
@given(title=ANY_TEXT, description=ANY_TEXT, location=ANY_TEXT)
def test_any_text_reads_back(title: str, description: str, location: str) -> None:
    data = make(title=title, description=description, location=location)
    for line in data.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")
    _, ev = parse(data)
    assert str(ev["SUMMARY"]) == clean_text(title)
    assert str(ev.get("DESCRIPTION", "")) == clean_text(description)
    assert str(ev.get("LOCATION", "")) == clean_text(location)


# Everything RFC 5545 can carry: no control characters other than tab and newline.
ORDINARY_TEXT = st.text(
    st.characters(exclude_categories=("Cs", "Cc")) | st.sampled_from(["\n", "\t"]), max_size=200
)


@settings(max_examples=200, deadline=None)
@given(text=ORDINARY_TEXT)
def test_ordinary_text_reads_back_unchanged(text: str) -> None:
    _, ev = parse(make(title=text, description=text, location=text))
    assert str(ev["SUMMARY"]) == text
    assert str(ev.get("DESCRIPTION", "")) == text
    assert str(ev.get("LOCATION", "")) == text
