"""Dashboard templates that extend the base page put nothing before ``{% extends %}``:
Jinja would print it above ``<!doctype html>``, outside the page's layout."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = Path(__file__).resolve().parents[2] / "bot" / "web" / "templates"
COMMENTS = re.compile(r"\{#.*?#\}", re.DOTALL)
CHILDREN = sorted(p for p in TEMPLATES.glob("*.html") if "{% extends" in p.read_text("utf-8"))


def test_there_are_pages_to_check() -> None:
    assert len(CHILDREN) >= 10


@pytest.mark.parametrize("template", CHILDREN, ids=lambda p: p.name)
def test_nothing_comes_before_extends(template: Path) -> None:
    text = template.read_text("utf-8")
    before = COMMENTS.sub("", text[: text.index("{% extends")])
    assert before.strip() == "", f"{template.name} starts with {before.strip()[:60]!r}"
    assert text.count("{% extends") == 1
