"""Dates and times as residents read them: local time, in their language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.i18n import current_locale


def when(moment: datetime, tz: ZoneInfo) -> str:
    """E.g. "Tue 2 Dec, 18:00" in English, in the resident's locale and time zone."""
    return format_datetime(moment.astimezone(tz), "EEE d MMM, HH:mm", locale=current_locale())
