"""Dates and times as residents read them: local time, in their language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from handlers.i18n import current_locale


def repeated_hour(local: datetime) -> bool:
    """Whether ``local`` falls in the hour the clocks go back (it happens twice)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def when(moment: datetime, tz: ZoneInfo) -> str:
    """E.g. "Tue 2 Dec, 18:00" in the resident's locale and time zone; in the hour the
    clocks go back, which happens twice, the zone's abbreviation says which ("01:30 BST")."""
    local = moment.astimezone(tz)
    shown = format_datetime(local, "EEE d MMM, HH:mm", locale=current_locale())
    if repeated_hour(local):
        shown += f" {local.tzname()}"
    return shown
