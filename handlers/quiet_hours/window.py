"""A resident's quiet hours: read and write a window, and find when it ends.

A window is two local wall-clock times, ``"HH:MM-HH:MM"``; it may cross midnight
(``"21:00-08:00"``), and ``""`` means quiet hours are off. The start is inside the
window and the end is not. Nothing here reads the database or the clock: it is pure,
so the clock changes can be tested exactly.

Across the clock changes the window follows the wall clock. An end that happens twice
(the hour the clocks go back) ends the window the first time the clock shows it; an
end that does not happen at all (the hour the clocks go forward) ends it when the
clocks jump past it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT = "21:00-08:00"
OFF = ""

# One time: "8:00", "08:00" or "08.00"; two of them joined by a dash or "to".
_TIME = r"([01]?[0-9]|2[0-3])[:.]([0-5][0-9])"
_SPACE = "[ \t\u00a0]*"  # not line breaks: a window is one line
_WINDOW = re.compile(
    rf"{_SPACE}{_TIME}{_SPACE}(?:-|–|—|to){_SPACE}{_TIME}{_SPACE}", re.ASCII | re.IGNORECASE
)
_LONGEST = 40  # anything longer is not a window, whatever it says


@dataclass(frozen=True, slots=True)
class Window:
    """Quiet from ``start`` (inclusive) to ``end`` (exclusive), local wall-clock time."""

    start: time
    end: time

    def __post_init__(self) -> None:
        if self.start == self.end:
            raise ValueError("a quiet window needs two different times")

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def crosses_midnight(self) -> bool:
        return self.start > self.end

    def contains(self, wall: time) -> bool:
        if self.crosses_midnight:
            return wall >= self.start or wall < self.end
        return self.start <= wall < self.end


def parse(text: object) -> Window | None:
    """The window ``text`` describes, or ``None`` if it is not one (never raises).

    Accepts ``"22:30-06:30"``, ``"22:30 - 6:30"``, ``"22.30–06.30"`` and ``"22:30 to
    06:30"``; refuses anything else, a time not on the clock, and equal times.
    """
    if not isinstance(text, str) or len(text) > _LONGEST:
        return None
    found = _WINDOW.fullmatch(text)
    if found is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if (h1, m1) == (h2, m2):
        return None
    return Window(time(h1, m1), time(h2, m2))


def stored(window: Window | None) -> str:
    """How ``window`` is kept in ``users.quiet_hours`` (``""`` when off)."""
    return "" if window is None else str(window)


def window_of(value: str) -> Window | None:
    """A stored setting's window: ``None`` when off; anything unreadable counts as the
    default, so a damaged value never lets messages through at night."""
    if value.strip() == OFF:
        return None
    return parse(value) or parse(DEFAULT)


def quiet_until(moment: datetime, tz: ZoneInfo, window: Window | None) -> datetime | None:
    """When the quiet window around ``moment`` ends (UTC), or ``None`` when ``moment``
    is outside it (or quiet hours are off)."""
    if window is None or not window.contains(_wall(moment, tz).time()):
        return None
    return _end(moment, tz, window)


def _wall(moment: datetime, tz: ZoneInfo) -> datetime:
    """What the clock in ``tz`` reads at ``moment`` (naive)."""
    return moment.astimezone(tz).replace(tzinfo=None, fold=0)


def _end(moment: datetime, tz: ZoneInfo, window: Window) -> datetime:
    """The first instant after ``moment`` (inside the window) that is outside it."""
    local = _wall(moment, tz)
    day = local.date()
    if window.crosses_midnight and local.time() >= window.start:
        day += timedelta(days=1)
    end = _reading(day, window.end, tz, after=moment)
    change = _clock_change(moment, end, tz)
    if change is None:
        return end
    if not window.contains(_wall(change, tz).time()):
        return change  # the clocks jumped out of the window (or over its end)
    return _end(change, tz, window)  # still inside after the jump: look again from there


def _reading(day: date, clock: time, tz: ZoneInfo, *, after: datetime) -> datetime:
    """The first instant after ``after`` at which the clock in ``tz`` reads ``clock`` on
    ``day``; if it never does (the clocks jump over it), an instant after the jump."""
    wanted = datetime.combine(day, clock)
    readings = sorted({wanted.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)})
    exact = [r for r in readings if r > after and _wall(r, tz) == wanted]
    return exact[0] if exact else readings[-1]


def _clock_change(start: datetime, end: datetime, tz: ZoneInfo) -> datetime | None:
    """The first instant in (``start``, ``end``] at which the clocks change, if any
    (to the second: clock changes fall on whole seconds)."""
    before = start.astimezone(tz).utcoffset()
    if end.astimezone(tz).utcoffset() == before:
        return None
    low, high = int(start.timestamp()), int(end.timestamp())
    if high <= low:
        return None
    while high - low > 1:  # the offset at ``low`` is ``before``; at ``high`` it is not
        middle = (low + high) // 2
        if datetime.fromtimestamp(middle, UTC).astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    return datetime.fromtimestamp(high, UTC)
