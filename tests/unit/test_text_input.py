"""Cleaning residents' free text before it is stored."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from handlers.text_input import clean
from storage.text import is_clean


@pytest.mark.parametrize(
    "text",
    [
        "Line one\nLine two\n\nLine four",
        "col1\tcol2\tcol3",
        "Speeding 🚗💨 on the high street 👍🏽",
        "الشارع مزدحم جدا في الليل",  # Arabic
        "Zażółć gęślą jaźń — Łódź, Gdańsk",  # Polish
        "Привет, 你好, שלום, नमस्ते",
        "Fish & chips <b>not markup</b> &amp;",
        "family 👨‍👩‍👧 emoji with zero-width joiners",
    ],
)
def test_keeps_what_residents_write(text: str) -> None:
    assert clean(text) == text


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("bad\x00byte", "badbyte"),
        ("\x1b[31mred\x1b[0m", "[31mred[0m"),
        ("del\x7fete", "delete"),
        ("c1\x85\x9bcontrols", "c1controls"),
        ("bell\x07 and backspace\x08", "bell and backspace"),
        ("windows\r\nline ends", "windows\nline ends"),
        ("lone\ud800 surrogate\udfff", "lone surrogate"),  # JSON may carry one
    ],
)
def test_strips_control_characters(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  padded  ", "padded"),
        ("\n\n\tindented answer\n\n", "indented answer"),
        ("\x00  \x1b hello \x7f\n", "hello"),
        ("   ", ""),
        ("", ""),
        ("\x00\x01\x02", ""),
        ("inner   spaces\n\nkept", "inner   spaces\n\nkept"),
    ],
)
def test_trims_the_ends_only(raw: str, cleaned: str) -> None:
    assert clean(raw) == cleaned


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=200))
def test_result_has_no_control_characters(text: str) -> None:
    result = clean(text)
    bad = [ch for ch in result if unicodedata.category(ch) == "Cc" and ch not in "\n\t"]
    assert bad == []
    assert result == result.strip()
    assert clean(result) == result  # idempotent


@settings(max_examples=200, deadline=None, database=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cs")), max_size=200))
def test_text_without_control_characters_is_only_trimmed(text: str) -> None:
    assert clean(text) == text.strip()


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(max_size=200))
def test_any_text_comes_out_as_every_database_can_hold_it(text: str) -> None:
    # PostgreSQL refuses a NUL, and a lone surrogate cannot be encoded at all.
    result = clean(text)
    assert "\x00" not in result
    assert result.encode("utf-8").decode("utf-8") == result
    assert is_clean(result) and clean(result) == result
