"""Recurring events, kept as a local wall time in an IANA zone.

A ``Rule`` says "every Tuesday at 18:00, Europe/London" (``weekly``, optionally
every ``interval_weeks`` weeks) or "the first Tuesday of the month at 18:00"
(``monthly``, ``nth`` 1..4, or -1 for the last). Occurrences stay at the same wall
time across clock changes, so in London a Tuesday 18:00 meeting is 17:00 UTC in
summer and 18:00 UTC in winter.

Two wall-clock edge cases, on the days the clocks change:

* spring forward: a wall time inside the gap (01:30 on the last Sunday of March in
  London) does not exist; that occurrence is moved to the first valid instant after
  the gap (02:00 BST, i.e. 01:00 UTC);
* fall back: a wall time inside the repeated hour (01:30 on the last Sunday of
  October) happens twice; the first one is used (``fold=0``, 01:30 BST).

A weekly rule's first occurrence is the first ``weekday`` on or after
``starts_on``; with ``interval_weeks`` > 1 the weeks are counted from it. A monthly
rule's occurrences are the matching days on or after ``starts_on``. Both stop
after ``until`` (inclusive) when it is given.

``encode_rule``/``decode_rule`` store a rule in one short, stable text column::

    weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1
    monthly;wd=4;nth=-1;t=19:30;tz=Europe/London;from=2026-01-01;until=2026-12-31
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from types import MappingProxyType
from typing import Literal
from zoneinfo import ZoneInfo

__all__ = [
    "Kind",
    "Rule",
    "decode_rule",
    "encode_rule",
    "named_zone",
    "occurrences",
    "wall_time_instant",
]

Kind = Literal["weekly", "monthly"]
MAX_INTERVAL_WEEKS = 52


def named_zone(name: str) -> ZoneInfo:
    """The zone called ``name``, or ValueError (never KeyError or OSError)."""
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", name):
        raise ValueError(f"not a time zone name: {name!r}")
    try:
        return ZoneInfo(name)
    except Exception as exc:  # ZoneInfoNotFoundError is a KeyError; bad files raise others
        raise ValueError(f"unknown time zone: {name!r}") from exc


@dataclass(frozen=True, kw_only=True)
class Rule:
    """A recurrence. Invalid combinations raise ValueError when constructed."""

    kind: Kind
    weekday: int  # 0 = Monday .. 6 = Sunday
    time: time  # naive local wall time, whole minutes
    tz: str  # IANA zone name, e.g. "Europe/London"
    starts_on: date
    nth: int | None = None  # monthly only: 1..4, or -1 for the last
    until: date | None = None  # inclusive
    interval_weeks: int = 1  # weekly only

    def __post_init__(self) -> None:
        if self.kind not in ("weekly", "monthly"):
            raise ValueError(f"kind must be 'weekly' or 'monthly', not {self.kind!r}")
        if isinstance(self.weekday, bool) or not isinstance(self.weekday, int):
            raise ValueError("weekday must be an int")
        if not 0 <= self.weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}")
        if not isinstance(self.time, time) or self.time.tzinfo is not None:
            raise ValueError("time must be a naive datetime.time")
        if self.time.second or self.time.microsecond:
            raise ValueError("time must be a whole minute")
        if isinstance(self.starts_on, datetime) or not isinstance(self.starts_on, date):
            raise ValueError("starts_on must be a date")
        if self.until is not None:
            if isinstance(self.until, datetime) or not isinstance(self.until, date):
                raise ValueError("until must be a date or None")
            if self.until < self.starts_on:
                raise ValueError("until is before starts_on")
        named_zone(self.tz)
        if isinstance(self.interval_weeks, bool) or not isinstance(self.interval_weeks, int):
            raise ValueError("interval_weeks must be an int")
        if self.kind == "weekly":
            if self.nth is not None:
                raise ValueError("nth is for monthly rules only")
            if not 1 <= self.interval_weeks <= MAX_INTERVAL_WEEKS:
                raise ValueError(f"interval_weeks must be 1..{MAX_INTERVAL_WEEKS}")
        else:
            if isinstance(self.nth, bool) or self.nth not in (1, 2, 3, 4, -1):
                raise ValueError("nth must be 1, 2, 3, 4 or -1 (last) for a monthly rule")
            if self.interval_weeks != 1:
                raise ValueError("interval_weeks is for weekly rules only")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    def matches(self, day: date) -> bool:
        """Whether ``day`` is one of this rule's (original) occurrence dates."""
        if day < self.starts_on or (self.until is not None and day > self.until):
            return False
        if day.weekday() != self.weekday:
            return False
        if self.kind == "weekly":
            return (day - _first_weekly(self)).days % (7 * self.interval_weeks) == 0
        assert self.nth is not None
        return _nth_weekday(day.year, day.month, self.weekday, self.nth) == day


def _first_weekly(rule: Rule) -> date:
    return rule.starts_on + timedelta(days=(rule.weekday - rule.starts_on.weekday()) % 7)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date:
    if nth == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))


def wall_time_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of the wall time ``at`` on ``day`` in ``tz``.

    Inside a spring-forward gap: the first valid instant after the gap. Inside the
    repeated autumn hour: the first of the two (fold=0)."""
    wall = datetime.combine(day, at)
    first = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    if first.astimezone(tz).replace(tzinfo=None) == wall:
        return first
    # A gap: fold=0 reads the wall time with the offset before the change, fold=1
    # with the offset after; the change itself lies between the two readings.
    after = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    lo, hi = min(first, after), max(first, after)
    new_offset = hi.astimezone(tz).utcoffset()
    while hi - lo > timedelta(seconds=1):
        mid = lo + (hi - lo) / 2
        mid = mid.replace(microsecond=0)
        if mid.astimezone(tz).utcoffset() == new_offset:
            hi = mid
        else:
            lo = mid
    return hi


def _weekly_days(rule: Rule, from_day: date) -> Iterator[date]:
    step = timedelta(weeks=rule.interval_weeks)
    day = _first_weekly(rule)
    if from_day > day:  # jump to the first occurrence on or after from_day
        periods = -(-(from_day - day).days // step.days)
        day += step * periods
    while True:
        yield day
        day += step


def _monthly_days(rule: Rule, from_day: date) -> Iterator[date]:
    assert rule.nth is not None
    start = max(from_day, rule.starts_on)
    year, month = start.year, start.month
    while True:
        day = _nth_weekday(year, month, rule.weekday, rule.nth)
        if day >= start:
            yield day
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _days(rule: Rule, from_day: date) -> Iterator[date]:
    """Original occurrence dates on or after ``from_day``, within the rule's bounds."""
    days = _weekly_days(rule, from_day) if rule.kind == "weekly" else _monthly_days(rule, from_day)
    try:
        for day in days:
            if rule.until is not None and day > rule.until:
                return
            yield day
    except (OverflowError, ValueError):  # the end of the calendar (year 9999)
        return


_NO_MOVES: Mapping[date, datetime] = MappingProxyType({})


def occurrences(
    rule: Rule,
    after: datetime,
    count: int,
    *,
    cancelled: AbstractSet[date] = frozenset(),
    moved: Mapping[date, datetime] = _NO_MOVES,
) -> list[datetime]:
    """The next ``count`` occurrences strictly after ``after``, as UTC datetimes,
    in time order.

    ``cancelled`` holds original occurrence dates to skip. ``moved`` maps an
    original occurrence date to its new (aware) instant, which takes that
    occurrence's place in time order. Dates that are not occurrences of the rule
    are ignored in both; a date both cancelled and moved is cancelled.
    """
    if after.tzinfo is None or after.utcoffset() is None:
        raise ValueError("after must be timezone-aware")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError("count must be a non-negative int")
    for new in moved.values():
        if new.tzinfo is None or new.utcoffset() is None:
            raise ValueError("moved occurrences must be timezone-aware")
    if count == 0:
        return []
    after_utc = after.astimezone(UTC)
    tz = rule.zone

    found = [
        new.astimezone(UTC)
        for day, new in moved.items()
        if day not in cancelled and rule.matches(day) and new.astimezone(UTC) > after_utc
    ]
    regular = 0
    # Start a day early: "after" in UTC may be the previous local day in tz.
    start = max(rule.starts_on, after_utc.astimezone(tz).date() - timedelta(days=1))
    for day in _days(rule, start):
        if regular == count:
            break
        if day in cancelled or day in moved:
            continue
        instant = wall_time_instant(day, rule.time, tz)
        if instant > after_utc:
            found.append(instant)
            regular += 1
    return sorted(found)[:count]


# --- storage --------------------------------------------------------------------------

_WEEKLY_KEYS = ("wd", "t", "tz", "from", "until", "every")
_MONTHLY_KEYS = ("wd", "nth", "t", "tz", "from", "until")
_VALUE = {
    "wd": re.compile(r"[0-6]"),
    "nth": re.compile(r"-1|[1-4]"),
    "t": re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]"),
    "tz": re.compile(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*"),
    "from": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}"),
    "until": re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})?"),
    "every": re.compile(r"[1-9][0-9]?"),
}
MAX_ENCODED = 200


def encode_rule(rule: Rule) -> str:
    """The rule as one short line, e.g.
    ``weekly;wd=1;t=18:00;tz=Europe/London;from=2026-01-06;until=;every=1``."""
    until = "" if rule.until is None else rule.until.isoformat()
    common = f"t={rule.time:%H:%M};tz={rule.tz};from={rule.starts_on.isoformat()};until={until}"
    if rule.kind == "weekly":
        return f"weekly;wd={rule.weekday};{common};every={rule.interval_weeks}"
    return f"monthly;wd={rule.weekday};nth={rule.nth};{common}"


def decode_rule(s: str) -> Rule:
    """The rule ``encode_rule`` wrote; ValueError for anything else (the fields must
    be exactly those ``encode_rule`` writes, in the same order)."""
    if not isinstance(s, str) or len(s) > MAX_ENCODED:
        raise ValueError("not an encoded rule")
    kind, _, rest = s.partition(";")
    if kind not in ("weekly", "monthly"):
        raise ValueError(f"unknown rule kind in {s!r}")
    expected = _WEEKLY_KEYS if kind == "weekly" else _MONTHLY_KEYS
    parts = rest.split(";")
    if len(parts) != len(expected):
        raise ValueError(f"expected the fields {', '.join(expected)} in {s!r}")
    fields: dict[str, str] = {}
    for part, expected_key in zip(parts, expected, strict=True):
        key, eq, value = part.partition("=")
        if not eq or key != expected_key:
            raise ValueError(f"expected {expected_key}=... in {s!r}, not {part!r}")
        if not _VALUE[key].fullmatch(value):
            raise ValueError(f"bad value for {key}: {value!r}")
        fields[key] = value
    try:
        hour, minute = fields["t"].split(":")
        return Rule(
            kind="weekly" if kind == "weekly" else "monthly",
            weekday=int(fields["wd"]),
            time=time(int(hour), int(minute)),
            tz=fields["tz"],
            starts_on=date.fromisoformat(fields["from"]),
            until=date.fromisoformat(fields["until"]) if fields["until"] else None,
            nth=int(fields["nth"]) if "nth" in fields else None,
            interval_weeks=int(fields.get("every", "1")),
        )
    except ValueError as exc:
        raise ValueError(f"invalid rule {s!r}: {exc}") from exc
