"""``chinwag directory import`` and ``list``: exit codes, row-numbered errors, idempotence."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main

CSV = (
    "name,category,community,lpu,description,keywords\n"
    "Upton Men's Shed,clubs,Upton,,Woodwork and company,tools\n"
    "Nameless,nope,,,,\n"
)


def test_import_prints_rejected_rows_and_twice_changes_nothing(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHINWAG_DATABASE_URL", db_url)
    path = tmp_path / "entries.csv"
    path.write_text(CSV, encoding="utf-8")
    assert main(["directory", "import", str(path)]) == 1
    out = capsys.readouterr().out
    assert "1 added, 0 updated, 1 rejected" in out and "row 3: category must be one of" in out
    assert main(["directory", "import", str(path)]) == 1
    assert "0 added, 0 updated, 1 rejected" in capsys.readouterr().out
    assert main(["directory", "list"]) == 0
    assert "clubs\tUpton Men's Shed" in capsys.readouterr().out


def test_a_bad_file_exits_2(
    db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHINWAG_DATABASE_URL", db_url)
    assert main(["directory", "import", str(tmp_path / "missing.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.csv"
    bad.write_text("title,kind\n", encoding="utf-8")
    assert main(["directory", "import", str(bad)]) == 2
