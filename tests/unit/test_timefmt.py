"""Times as residents read them (handlers.timefmt), across the clock changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handlers.i18n import use_locale
from handlers.timefmt import repeated_hour, when

LONDON = ZoneInfo("Europe/London")


def test_an_ordinary_time_is_shown_without_its_zone() -> None:
    with use_locale("en"):
        assert when(datetime(2026, 12, 1, 18, 0, tzinfo=UTC), LONDON) == "Tue 1 Dec, 18:00"
        assert when(datetime(2026, 7, 7, 17, 0, tzinfo=UTC), LONDON) == "Tue 7 Jul, 18:00"


def test_the_two_half_past_ones_of_the_autumn_night_are_told_apart() -> None:
    first = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 01:30 BST
    second = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, an hour later
    with use_locale("en"):
        assert when(first, LONDON) == "Sun 25 Oct, 01:30 BST"
        assert when(second, LONDON) == "Sun 25 Oct, 01:30 GMT"
        assert when(datetime(2026, 10, 25, 2, 30, tzinfo=UTC), LONDON) == "Sun 25 Oct, 02:30"


def test_the_spring_night_has_no_repeated_hour() -> None:
    with use_locale("en"):
        assert when(datetime(2026, 3, 29, 1, 30, tzinfo=UTC), LONDON) == "Sun 29 Mar, 02:30"


@pytest.mark.parametrize("locale", ["cy", "pl", "uk", "ro", "ar"])
def test_every_language_tells_the_repeated_hour_apart(locale: str) -> None:
    with use_locale(locale):
        first = when(datetime(2026, 10, 25, 0, 30, tzinfo=UTC), LONDON)
        second = when(datetime(2026, 10, 25, 1, 30, tzinfo=UTC), LONDON)
    assert first != second
    assert first.endswith("01:30 BST") and second.endswith("01:30 GMT")


def test_repeated_hour_is_only_the_hour_the_clocks_go_back() -> None:
    hours = [datetime(2026, 10, 24, 23, 0, tzinfo=UTC) + timedelta(hours=i) for i in range(5)]
    assert [repeated_hour(h.astimezone(LONDON)) for h in hours] == [False, True, True, False, False]
