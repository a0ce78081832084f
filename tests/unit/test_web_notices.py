"""The notice a dashboard form leaves for the page it redirects to."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from bot.web.notices import notice_lines


def test_lines_are_for_their_own_page_only() -> None:
    kept = json.dumps({"path": "/events/7", "lines": ["Cancelled.", "4 told."]})
    assert notice_lines(kept, "/events/7") == ["Cancelled.", "4 told."]
    assert notice_lines(kept, "/events/70") is None
    assert notice_lines(kept, "/funding/7") is None


def test_a_notice_that_cannot_be_read_is_dropped_not_shown() -> None:
    assert notice_lines("{not json", "/events/7") == []
    assert notice_lines(json.dumps(["/events/7"]), "/events/7") == []
    assert notice_lines(json.dumps({"path": "/events/7", "lines": "x"}), "/events/7") == []
    mixed = json.dumps({"path": "/events/7", "lines": ["ok", 3, None]})
    assert notice_lines(mixed, "/events/7") == ["ok"]


@given(st.text())
def test_any_stored_text_gives_lines_or_none(kept: str) -> None:
    found = notice_lines(kept, "/events/1")
    assert found is None or all(isinstance(line, str) for line in found)
