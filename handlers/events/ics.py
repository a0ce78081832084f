"""An iCalendar (RFC 5545) file for one event, to send as "add to calendar".

The file is built by hand (no dependency): CRLF line endings, content lines folded
at 75 octets without splitting a UTF-8 character, TEXT values escaped. Times are
written as local wall times with ``TZID=Europe/London`` and a matching VTIMEZONE
(GMT/BST, with yearly rules), so calendar apps show the time the organiser chose.

When the local form cannot say exactly the same instant, the UTC form
(``...Z``) is written instead, which every calendar app understands:

* a zone other than the UK and Irish ones (no VTIMEZONE is known for it);
* a date the yearly rules do not describe (before 1996, or a future change in the
  law that tzdata knows about and the rules here do not);
* the second 01:30 of an autumn fold day (RFC 5545 reads a repeated wall time as
  the first one).

Text is cleaned before escaping: control characters other than newlines and tabs
are dropped (RFC 5545 does not allow them), CR LF and CR become a newline, and
lone surrogates become U+FFFD. ``clean_text`` is exactly what a reader gets back.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["PRODID", "calendar_file", "clean_text", "escape_text", "fold_line"]

PRODID = "-//Chinwag//Community events//EN"
MAX_OCTETS = 75
MAX_REMINDER_MINUTES = 4 * 7 * 24 * 60  # four weeks

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# A URI: a scheme, then printable ASCII other than space and "<>\\^`{|}.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[!#-;=?-\[\]_a-z~]+")

# Zones whose clocks follow the UK/EU rule since 1996: summer time from 01:00 UTC on
# the last Sunday of March to 01:00 UTC on the last Sunday of October.
_SUMMER_NAME = {
    "Europe/London": "BST",
    "Europe/Belfast": "BST",
    "Europe/Guernsey": "BST",
    "Europe/Isle_of_Man": "BST",
    "Europe/Jersey": "BST",
    "GB": "BST",
    "Europe/Dublin": "IST",
    "Eire": "IST",
}
_RULES_SINCE = 1996


def clean_text(value: str) -> str:
    """``value`` as it will read back from the file (see the module docstring)."""
    value = _SURROGATE.sub("\ufffd", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", value)


def escape_text(value: str) -> str:
    """A cleaned TEXT value with backslash, semicolon, comma and newline escaped."""
    value = clean_text(value)
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\n", "\\n")


def fold_line(line: str) -> list[str]:
    """``line`` as physical lines of at most 75 octets each (UTF-8), continuation
    lines starting with a space; a character is never split."""
    parts: list[str] = []
    current: list[str] = []
    size = 0
    limit = MAX_OCTETS
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [" "], 1, MAX_OCTETS
        current.append(char)
        size += width
    parts.append("".join(current))
    return parts


def _last_sunday(year: int, month: int) -> date:
    last = date(year, month + 1, 1) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() - 6) % 7)


def _rule_offset(moment: datetime) -> timedelta:
    """The UTC offset the VTIMEZONE below gives for ``moment``."""
    utc = moment.astimezone(UTC).replace(tzinfo=None)
    start = datetime.combine(_last_sunday(utc.year, 3), datetime.min.time()) + timedelta(hours=1)
    end = datetime.combine(_last_sunday(utc.year, 10), datetime.min.time()) + timedelta(hours=1)
    return timedelta(hours=1) if start <= utc < end else timedelta(0)


def _vtimezone(tz_name: str) -> list[str]:
    return [
        "BEGIN:VTIMEZONE",
        f"TZID:{tz_name}",
        "BEGIN:DAYLIGHT",
        "TZOFFSETFROM:+0000",
        "TZOFFSETTO:+0100",
        f"TZNAME:{_SUMMER_NAME[tz_name]}",
        "DTSTART:19960331T010000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "TZOFFSETFROM:+0100",
        "TZOFFSETTO:+0000",
        "TZNAME:GMT",
        "DTSTART:19961027T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _date_time(name: str, moment: datetime, tz: ZoneInfo | None) -> tuple[str, bool]:
    """A DTSTART/DTEND line, and whether it uses the VTIMEZONE."""
    if tz is not None and moment.year > _RULES_SINCE:
        local = moment.astimezone(tz)
        wall = local.replace(tzinfo=None, microsecond=0)
        first = wall.replace(tzinfo=tz, fold=0)  # how a reader reads the wall time
        same = first.astimezone(UTC) == moment.astimezone(UTC).replace(microsecond=0)
        if same and local.utcoffset() == _rule_offset(local):
            return f"{name};TZID={tz.key}:{wall:%Y%m%dT%H%M%S}", True
    return f"{name}:{_utc_stamp(moment)}", False


def _aware(name: str, moment: datetime) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def calendar_file(
    *,
    uid: str,
    title: str,
    start: datetime,
    end: datetime | None,
    description: str = "",
    location: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    url: str = "",
    reminder_minutes: int | None = 60,
    now: datetime,
    tz_name: str = "Europe/London",
    cancelled: bool = False,
    sequence: int = 0,
) -> bytes:
    """One event as an ``.ics`` file (UTF-8 bytes).

    ``end`` defaults to an hour after ``start``. DESCRIPTION, LOCATION, GEO and URL
    are written only when given. The VALARM (``reminder_minutes`` before the start)
    is left out of a cancelled event. Raise ``sequence`` each time the same
    ``uid`` is sent again (a change, or the cancellation) so calendar apps replace
    the copy they have. Times are written to the second. ValueError on bad input.
    """
    for name, moment in (("start", start), ("now", now)):
        _aware(name, moment)
    if end is None:  # an hour of real time (aware arithmetic would add wall-clock time)
        end = start.astimezone(UTC) + timedelta(hours=1)
    _aware("end", end)
    if end <= start:
        raise ValueError("end must be after start")
    if not clean_text(uid).strip():
        raise ValueError("uid must not be empty")
    if (latitude is None) != (longitude is None):
        raise ValueError("give both latitude and longitude, or neither")
    if latitude is not None and longitude is not None:
        if not (math.isfinite(latitude) and -90 <= latitude <= 90):
            raise ValueError("latitude must be between -90 and 90")
        if not (math.isfinite(longitude) and -180 <= longitude <= 180):
            raise ValueError("longitude must be between -180 and 180")
    if url and not _URL.fullmatch(url):
        raise ValueError("url must be an absolute URI in printable ASCII, without spaces")
    if reminder_minutes is not None and (
        isinstance(reminder_minutes, bool)
        or not isinstance(reminder_minutes, int)
        or not 0 <= reminder_minutes <= MAX_REMINDER_MINUTES
    ):
        raise ValueError(f"reminder_minutes must be 0..{MAX_REMINDER_MINUTES} or None")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValueError("sequence must be a non-negative int")

    zone: ZoneInfo | None = None
    if tz_name in _SUMMER_NAME:
        zone = ZoneInfo(tz_name)
    elif tz_name not in ("UTC", "Etc/UTC"):
        try:
            ZoneInfo(tz_name)
        except Exception as exc:  # unknown or malformed names
            raise ValueError(f"unknown time zone: {tz_name!r}") from exc

    dtstart, start_local = _date_time("DTSTART", start, zone)
    dtend, end_local = _date_time("DTEND", end, zone)

    event = [
        "BEGIN:VEVENT",
        f"UID:{escape_text(uid)}",
        f"DTSTAMP:{_utc_stamp(now)}",
        dtstart,
        dtend,
        f"SEQUENCE:{sequence}",
        f"SUMMARY:{escape_text(title)}",
    ]
    if description:
        event.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        event.append(f"LOCATION:{escape_text(location)}")
    if latitude is not None and longitude is not None:
        event.append(f"GEO:{latitude:.6f};{longitude:.6f}")
    if url:
        event.append(f"URL:{url}")
    event.append(f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}")
    if reminder_minutes is not None and not cancelled:
        event += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"TRIGGER:-PT{reminder_minutes}M",
            f"DESCRIPTION:{escape_text(clean_text(title).strip() or 'Reminder')}",
            "END:VALARM",
        ]
    event.append("END:VEVENT")

    lines = ["BEGIN:VCALENDAR", f"PRODID:{PRODID}", "VERSION:2.0", "CALSCALE:GREGORIAN"]
    lines.append("METHOD:PUBLISH")
    if zone is not None and (start_local or end_local):
        lines += _vtimezone(tz_name)
    lines += [*event, "END:VCALENDAR"]
    return "".join(part + "\r\n" for line in lines for part in fold_line(line)).encode("utf-8")
