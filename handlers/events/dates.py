"""A date and time typed by an organiser in a chat: "next Tuesday 6pm", "14/12 18:30".

``parse_when`` reads British usage (day before month, 12- or 24-hour clock) and
answers either ``Parsed`` (an aware local time in the organiser's zone) or
``Problem`` (a short reason code the handler turns into a question). It never raises
on any text.

What is understood (case-insensitive, in any order, extra spaces and commas fine):

* times: ``18:00``, ``6pm``, ``6 pm``, ``6:30pm``, ``6.30 p.m.``, ``noon``, ``midday``;
  ``12am`` is midnight and ``12pm`` is noon. A dotted ``18.30`` with no am/pm is a
  time, unless another time is given too or it cannot be one (``25.12``): then it is
  a day and month.
* days: ``today``/``tonight``, ``tomorrow``; a weekday (``tue``, ``tues``, ``Tuesday``)
  is the next such day, today if the time is still ahead; ``next Tuesday`` is the
  next Tuesday strictly after today; ``this Tuesday`` is the same as ``Tuesday``.
* dates, day first: ``14/12``, ``14/12/2026``, ``14-12-26``, ``14.12.2026``,
  ``14 Dec``, ``14th December 2026``, ``December 14``. A date without a year is the
  next such date that is today or later (``assumed_year`` is then set); a date that
  is today but whose time has passed is ``in-the-past``, not next year. A weekday
  given with a date must agree with it (otherwise ``invalid-date``).
* the filler words ``at``, ``on``, ``the``, ``of``. Any other word makes the text
  unreadable (``no-date-or-time``): it is safer to ask again than to guess.
* the same in Welsh, Polish, Ukrainian, Romanian and Arabic: weekday and month
  names, today and tomorrow, a few fillers ("o", "la", "у"), Arabic-Indic digits
  (``handlers.events.date_words``); "next" is English only.

A time alone is today if still ahead, else tomorrow (``assumed_date`` is set).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo

from handlers.events import date_words

__all__ = ["Parsed", "Problem", "Reason", "ambiguous_choices", "parse_when"]

Reason = Literal[
    "empty",  # nothing typed
    "no-date-or-time",  # nothing readable as a date and time (or words we do not know)
    "no-time",  # a date without a time
    "invalid-time",  # looks like a time but is not one: "25:00", "13pm"
    "invalid-date",  # 31/02, 14/13, or a weekday that does not match the date
    "in-the-past",
    "too-far",  # more than two years ahead
    "nonexistent",  # inside the spring-forward gap
    "ambiguous",  # inside the repeated autumn hour: ask which one
]

MAX_YEARS_AHEAD = 2


@dataclass(frozen=True)
class Parsed:
    """A readable, future date and time.

    ``local`` is aware, in the organiser's zone; it exists and is unambiguous.
    ``assumed_year``: a day and month were given without a year.
    ``assumed_date``: only a time was given (today if still ahead, else tomorrow).
    """

    local: datetime
    assumed_year: bool = False
    assumed_date: bool = False

    @property
    def utc(self) -> datetime:
        return self.local.astimezone(UTC)


@dataclass(frozen=True)
class Problem:
    """Why the text could not be used. ``wall`` is the naive local date and time
    that was read, where there is one (always for ``nonexistent`` and
    ``ambiguous``: pass it to ``ambiguous_choices``)."""

    reason: Reason
    wall: datetime | None = field(default=None, compare=False)


_WEEKDAYS = {
    "monday": 0,
    "mon": 0,
    "tuesday": 1,
    "tue": 1,
    "tues": 1,
    "wednesday": 2,
    "wed": 2,
    "weds": 2,
    "thursday": 3,
    "thu": 3,
    "thur": 3,
    "thurs": 3,
    "friday": 4,
    "fri": 4,
    "saturday": 5,
    "sat": 5,
    "sunday": 6,
    "sun": 6,
}
_MONTH_NAMES = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
_MONTHS = {name: n for n, name in enumerate(_MONTH_NAMES, start=1)}
_MONTHS |= {name[:3]: n for name, n in list(_MONTHS.items())}
_MONTHS["sept"] = 9
_RELATIVE = {"today": 0, "tonight": 0, "tomorrow": 1, "tomorow": 1, "tmrw": 1, "tmr": 1}
_RELATIVE |= {w: n for w, n in date_words.RELATIVE.items() if w not in _RELATIVE}
_NOON = {"noon", "midday", "12noon"}
_FILLERS = {"at", "on", "the", "of", "@"} | date_words.FILLERS
_AM_PM = {"am", "pm"}


@cache
def _words() -> date_words.Vocabulary:
    """English first, then the other languages' names (``date_words``, built on first use)."""
    other = date_words.vocabulary()
    return date_words.Vocabulary(
        weekdays=_WEEKDAYS | {w: n for w, n in other.weekdays.items() if w not in _WEEKDAYS},
        months=_MONTHS | {w: n for w, n in other.months.items() if w not in _MONTHS},
        weekday_phrases=other.weekday_phrases,
    )


_AMPM_TIME = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?(am|pm)")
_CLOCK = re.compile(r"([0-9]{1,2})(?:[:.]([0-9]{2}))?")  # followed by a separate am/pm
_COLON_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_NUMERIC_DATE = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})(?:\2([0-9]{4}|[0-9]{2}))?")
_DAY = re.compile(r"([0-9]{1,2})(?:st|nd|rd|th)?")
_YEAR = re.compile(r"[0-9]{4}")
_DOTS_AM_PM = re.compile(r"(?<![a-z])([ap])\.\s?m(?![a-z])\.?")
_PUNCTUATION = re.compile(r"[,;!?()\"،؛؟]+")

_Time = tuple[int, int] | None  # None: looked like a time but is not one
_Date = tuple[int, int, int | None]  # day, month, year (None: not given)


@dataclass
class _Reading:
    times: list[_Time] = field(default_factory=list)
    dotted: list[tuple[int, int]] = field(default_factory=list)
    dates: list[_Date] = field(default_factory=list)
    relative: list[int] = field(default_factory=list)
    weekdays: list[tuple[int, bool]] = field(default_factory=list)  # (weekday, "next")
    unknown: bool = False


def _tokens(text: str) -> list[str]:
    text = _DOTS_AM_PM.sub(r"\1m", text.casefold().translate(date_words.DIGITS))
    text = _PUNCTUATION.sub(" ", text)
    return [tok for raw in text.split() if (tok := raw.strip(".'"))]


def _ampm(hour: int, minute: int, suffix: str) -> _Time:
    if not 1 <= hour <= 12 or minute > 59:
        return None
    return (hour % 12 + (12 if suffix == "pm" else 0), minute)


def _clock(hour: int, minute: int) -> _Time:
    return (hour, minute) if hour <= 23 and minute <= 59 else None


def _year_at(toks: list[str], i: int) -> int | None:
    if i < len(toks) and _YEAR.fullmatch(toks[i]):
        return int(toks[i])
    return None


def _read(toks: list[str]) -> _Reading:
    words = _words()
    weekdays, months = words.weekdays, words.months
    r = _Reading()
    i = 0
    while i < len(toks):
        tok = toks[i]
        nxt = toks[i + 1] if i + 1 < len(toks) else ""
        step = 1
        if tok in _NOON:
            r.times.append((12, 0))
        elif tok in _RELATIVE:
            r.relative.append(_RELATIVE[tok])
        elif (tok, nxt) in words.weekday_phrases:  # Welsh "dydd Mawrth"
            r.weekdays.append((words.weekday_phrases[(tok, nxt)], False))
            step = 2
        elif tok in date_words.DAY_PREFIXES and nxt in weekdays:  # "يوم الثلاثاء"
            r.weekdays.append((weekdays[nxt], False))
            step = 2
        elif tok in ("next", "this") and nxt in weekdays:
            r.weekdays.append((weekdays[nxt], tok == "next"))
            step = 2
        elif tok in weekdays:
            r.weekdays.append((weekdays[tok], False))
        elif m := _AMPM_TIME.fullmatch(tok):
            r.times.append(_ampm(int(m[1]), int(m[2] or 0), m[3]))
        elif (m := _CLOCK.fullmatch(tok)) and nxt in _AM_PM:
            r.times.append(_ampm(int(m[1]), int(m[2] or 0), nxt))
            step = 2
        elif m := _COLON_TIME.fullmatch(tok):
            r.times.append(_clock(int(m[1]), int(m[2])))
        elif m := _NUMERIC_DATE.fullmatch(tok):
            day, sep, month, year = int(m[1]), m[2], m[3], m[4]
            if sep == "." and year is None and len(month) == 2:
                r.dotted.append((day, int(month)))  # 18.30 or 25.12: decided later
            else:
                full_year = None if year is None else int(year) + (2000 if len(year) == 2 else 0)
                r.dates.append((day, int(month), full_year))
        elif (m := _DAY.fullmatch(tok)) and nxt in months:
            year = _year_at(toks, i + 2)
            r.dates.append((int(m[1]), months[nxt], year))
            step = 2 if year is None else 3
        elif (
            tok in months
            and (m := _DAY.fullmatch(nxt))
            and (toks[i + 2] if i + 2 < len(toks) else "") not in _AM_PM
        ):
            year = _year_at(toks, i + 2)
            r.dates.append((int(m[1]), months[tok], year))
            step = 2 if year is None else 3
        else:
            r.unknown = True
        i += step
    # A dotted pair is a time if it can be one and no other time was given.
    for n, (a, b) in enumerate(r.dotted):
        is_last = n == len(r.dotted) - 1
        if is_last and not r.times and _clock(a, b) is not None:
            r.times.append((a, b))
        else:
            r.dates.append((a, b, None))
    return r


def _add_years(moment: datetime, years: int) -> datetime:
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year + years, day=28)


def _instants(wall: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return wall.replace(tzinfo=tz, fold=0), wall.replace(tzinfo=tz, fold=1)


def _exists(wall: datetime, tz: ZoneInfo) -> bool:
    aware = wall.replace(tzinfo=tz)
    return aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def _is_ambiguous(wall: datetime, tz: ZoneInfo) -> bool:
    first, second = _instants(wall, tz)
    return _exists(wall, tz) and first.utcoffset() != second.utcoffset()


def ambiguous_choices(local_naive: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Both instants a wall time in the repeated autumn hour can mean, earlier first,
    as aware datetimes in ``tz`` (e.g. 01:30 BST and 01:30 GMT). Raises ValueError
    if ``local_naive`` is aware or is not ambiguous in ``tz``."""
    if local_naive.tzinfo is not None:
        raise ValueError("local_naive must be a naive wall time")
    if not _is_ambiguous(local_naive, tz):
        raise ValueError(f"{local_naive.isoformat()} is not ambiguous in {tz.key}")
    first, second = _instants(local_naive, tz)
    return (first, second) if first.astimezone(UTC) < second.astimezone(UTC) else (second, first)


def _explicit_day(
    day: int, month: int, year: int | None, today: date
) -> tuple[date, bool] | Problem:
    if year is not None:
        try:
            return date(year, month, day), False
        except ValueError:
            return Problem("invalid-date")
    for candidate_year in range(today.year, min(today.year + 9, 10_000)):
        try:
            candidate = date(candidate_year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate, True
    return Problem("invalid-date")


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> Parsed | Problem:
    """Read ``text`` as a future date and time in ``tz``. ``now`` must be aware
    (ValueError otherwise); any text gives a ``Parsed`` or a ``Problem``."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    toks = _tokens(text)
    if not toks:
        return Problem("empty")
    words = [tok for tok in toks if tok not in _FILLERS]
    try:
        return _resolve(_read(words), now.astimezone(tz), tz)
    except (OverflowError, ValueError):  # only at the ends of the calendar (year 1, 9999)
        return Problem("too-far")


def _resolve(r: _Reading, now: datetime, tz: ZoneInfo) -> Parsed | Problem:
    if r.unknown or len(r.times) > 1 or len(r.dates) + len(r.relative) > 1 or len(r.weekdays) > 1:
        return Problem("no-date-or-time")
    has_day = bool(r.dates or r.relative or r.weekdays)
    if not has_day and not r.times:
        return Problem("no-date-or-time")
    today = now.date()
    assumed_year = False
    day: date | None = None
    if r.dates:
        found = _explicit_day(*r.dates[0], today)
        if isinstance(found, Problem):
            return found
        day, assumed_year = found
    elif r.relative:
        day = today + timedelta(days=r.relative[0])
    if day is not None and r.weekdays and day.weekday() != r.weekdays[0][0]:
        return Problem("invalid-date")
    if not r.times:
        return Problem("no-time")
    clock = r.times[0]
    if clock is None:
        return Problem("invalid-time")
    at = time(*clock)

    now_utc = now.astimezone(UTC)

    def ahead(on: date) -> bool:  # compared in UTC: same-zone comparisons ignore fold
        return any(x.astimezone(UTC) > now_utc for x in _instants(datetime.combine(on, at), tz))

    if day is None and r.weekdays:
        weekday, strictly_next = r.weekdays[0]
        delta = (weekday - today.weekday()) % 7
        if delta == 0 and (strictly_next or not ahead(today)):
            delta = 7
        day = today + timedelta(days=delta)
    elif day is None:
        day = today if ahead(today) else today + timedelta(days=1)

    limit = _add_years(now, MAX_YEARS_AHEAD)
    if day < today:
        return Problem("in-the-past", datetime.combine(day, at))
    if day > limit.date():
        return Problem("too-far", datetime.combine(day, at))
    wall = datetime.combine(day, at)
    if not ahead(day):
        return Problem("in-the-past", wall)
    if not _exists(wall, tz):
        return Problem("nonexistent", wall)
    if _is_ambiguous(wall, tz):
        return Problem("ambiguous", wall)
    local = wall.replace(tzinfo=tz)
    if local.astimezone(UTC) > limit.astimezone(UTC):
        return Problem("too-far", wall)
    return Parsed(local, assumed_year=assumed_year, assumed_date=not has_day)
