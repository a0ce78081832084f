"""Dates, repeats and mistyped dates, in the words organisers read."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

from handlers.events.dates import Problem
from handlers.i18n import _, current_locale
from handlers.markup import escape, fmt
from handlers.timefmt import repeated_hour


def long_when(moment: datetime, tz: ZoneInfo) -> str:
    """E.g. "Tuesday 2 December 2026 at 18:00" (with "BST"/"GMT" in the repeated hour)."""
    local = moment.astimezone(tz)
    day = format_date(local.date(), "EEEE d MMMM y", locale=current_locale())
    clock = f"{local:%H:%M}"
    if repeated_hour(local):
        clock += f" {local.tzname()}"
    return _("{day} at {time}").format(day=day, time=clock)


def _weekday_name(moment: datetime) -> str:
    return format_date(moment.date(), "EEEE", locale=current_locale())


def nth(day: int) -> int:
    """Which of its weekday in the month ``day`` is: 1 to 4, or -1 for a fifth (the last)."""
    n = (day - 1) // 7 + 1
    return -1 if n == 5 else n


def repeat_label(repeat: str, local: datetime) -> str:
    """How an event repeats, as plain text (escape it for HTML)."""
    weekday = _weekday_name(local)
    if repeat == "weekly":
        return _("Every week on {weekday}").format(weekday=weekday)
    if repeat == "monthly":
        templates = {
            1: _("Every month on the first {weekday}"),
            2: _("Every month on the second {weekday}"),
            3: _("Every month on the third {weekday}"),
            4: _("Every month on the fourth {weekday}"),
            -1: _("Every month on the last {weekday}"),
        }
        return templates[nth(local.day)].format(weekday=weekday)
    return _("Just once")


def repeat_line(repeat: str, local: datetime, note: str) -> str:
    """E.g. "🔁 Every week on Tuesday (8 dates ...)", for HTML; ``note`` is HTML already."""
    return "🔁 " + escape(repeat_label(repeat, local)) + " " + note


def problem_text(problem: Problem, tz: ZoneInfo) -> str:
    """What went wrong with a typed date and time, in plain words."""
    wall = problem.wall
    on_day = format_date(wall.date(), "EEEE d MMMM y", locale=current_locale()) if wall else ""
    at = f"{wall:%H:%M}" if wall else ""
    if problem.reason == "nonexistent":
        return fmt(
            _(
                "The clocks go forward that night, so {time} does not happen on {day}. "
                "Please choose another time."
            ),
            time=at,
            day=on_day,
        )
    if problem.reason == "ambiguous":
        return fmt(
            _("The clocks go back that night, so {time} happens twice on {day}. Which one?"),
            time=at,
            day=on_day,
        )
    texts = {
        "empty": _("Please type a date and time, for example “next Tuesday 6pm”."),
        "no-date-or-time": _(
            "Sorry, I could not read that as a date and time. "
            "Try “next Tuesday 6pm” or “14/12 18:30”."
        ),
        "no-time": _("What time does it start? Add a time, e.g. “14/12 18:30” or “Tuesday 6pm”."),
        "invalid-time": _("That time is not on the clock. Use a time such as “18:30” or “6:30pm”."),
        "invalid-date": _(
            "That date does not exist, or the day of the week does not match it. "
            "Please check it and type it again."
        ),
        "in-the-past": _("That time has already passed. Please give a date and time to come."),
        "too-far": _("That is more than two years away. Please give a date within two years."),
    }
    return texts.get(problem.reason, texts["no-date-or-time"])
