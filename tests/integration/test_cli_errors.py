"""Misconfiguration is one line naming the setting, exit code 2, no traceback."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.support.cli import run_chinwag

GOOD_TOKEN = "123456789:AAEfakeTOKENforTESTSabcdefghijklmnopq"


def chinwag(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_chinwag(args, env, cwd, timeout=60)


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "CHINWAG_TELEGRAM_TOKEN"),
        ({"CHINWAG_TELEGRAM_TOKEN": "not-a-token"}, "CHINWAG_TELEGRAM_TOKEN"),
        (
            {"CHINWAG_TELEGRAM_TOKEN": GOOD_TOKEN, "CHINWAG_TRANSPORT": "carrier-pigeon"},
            "CHINWAG_TRANSPORT",
        ),
        (
            {
                "CHINWAG_TELEGRAM_TOKEN": GOOD_TOKEN,
                "CHINWAG_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none",
            },
            "CHINWAG_DATABASE_URL",
        ),
        (
            {
                "CHINWAG_TELEGRAM_TOKEN": GOOD_TOKEN,
                "CHINWAG_DATABASE_URL": "sqlite:////no/such/dir/x.db",
            },
            "CHINWAG_DATABASE_URL",
        ),
        (
            {"CHINWAG_TELEGRAM_TOKEN": GOOD_TOKEN, "CHINWAG_TIMEZONE": "Mars/Olympus"},
            "CHINWAG_TIMEZONE",
        ),
        (
            {"CHINWAG_TELEGRAM_TOKEN": GOOD_TOKEN, "CHINWAG_TELEGRAM_API_URL": "ftp://x"},
            "CHINWAG_TELEGRAM_API_URL",
        ),
    ],
)
def test_bad_settings_are_one_line_and_exit_2(
    env: dict[str, str], setting: str, tmp_path: Path
) -> None:
    env.setdefault("CHINWAG_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    result = chinwag(["run"], env, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("chinwag: error: ") and setting in lines[0]
    assert "Traceback" not in result.stderr


def test_settings_can_come_from_a_toml_file(tmp_path: Path) -> None:
    (tmp_path / "chinwag.toml").write_text('transport = "smoke-signals"\n')
    result = chinwag(["run"], {"CHINWAG_TELEGRAM_TOKEN": GOOD_TOKEN}, tmp_path)
    assert result.returncode == 2 and "CHINWAG_TRANSPORT" in result.stderr


def test_db_upgrade_and_demo_load(blank_db_url: str, tmp_path: Path) -> None:
    env = {"CHINWAG_DATABASE_URL": blank_db_url}
    upgraded = chinwag(["db", "upgrade"], env, tmp_path)
    assert upgraded.returncode == 0 and "(head)" in upgraded.stdout
    for _ in range(2):  # loading twice changes nothing
        loaded = chinwag(["demo", "load"], env, tmp_path)
        assert loaded.returncode == 0 and "122 communities" in loaded.stdout
    current = chinwag(["db", "current"], env, tmp_path)
    assert "up to date" in current.stdout
