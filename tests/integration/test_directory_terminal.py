"""``chinwag chat``: the directory in the terminal, by category and by a need."""

from __future__ import annotations

from pathlib import Path

from bot.bootstrap import App
from tests.integration.test_terminal import run_script


async def test_the_terminal_finds_directory_entries(app: App, tmp_path: Path) -> None:
    transcript = await run_script(
        app,
        [
            "/directory",
            "2",  # Youth clubs and young people
            "1",  # Tarvin Youth Club
            "/directory",
            "somewhere to go when I'm lonely",
            "1",
        ],
        tmp_path,
    )
    assert "[2] 🛹 Youth clubs and young people" in transcript
    assert "Tarvin Community Centre, Wednesdays 6.30 to 8.30pm" in transcript
    assert "What I found for “somewhere to go when I'm lonely”" in transcript
    assert "Hoole Library, Thursdays 2 to 4pm" in transcript
