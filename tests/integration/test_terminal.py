"""``chinwag chat``: the terminal transport over the same handlers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.bootstrap import App
from bot.transports.terminal import TerminalChat

RESIDENT_SCRIPT = [
    "1",  # Have your say
    "1",  # Start
    "2",  # I agree, keep me anonymous
    "1",  # Chester (area)
    "Tarvin",
    "The village hall and a youth club",
    "More buses in the evening",
    "2",  # Speeding
    "9",  # Done
    "A safe and friendly village",
    "/skip",
]


async def run_script(app: App, lines: list[str], tmp_path: Path) -> str:
    output: list[str] = []
    feed = iter(lines)

    async def read() -> str | None:
        return next(feed, None)

    chat = TerminalChat(app, write=output.append, name="Terry", language=None, downloads=tmp_path)
    await chat.run(read)
    return "\n".join(output)


async def test_the_terminal_walks_through_the_resident_conversation(
    app: App, tmp_path: Path
) -> None:
    transcript = await run_script(app, RESIDENT_SCRIPT, tmp_path)
    assert "[1] 🗣 Have your say" in transcript
    assert "Tarvin: saved." in transcript
    assert "You are answering anonymously." in transcript
    review = transcript[transcript.rindex("Please check your answers") :]
    send = next(line for line in review.splitlines() if "Send my answers" in line)
    number = send.strip().split("]")[0].lstrip("[")
    transcript = await run_script(app, ["/start", "1", number], tmp_path)
    assert "Thank you. Your answers have been sent." in transcript


async def test_a_wrong_number_is_explained(app: App, tmp_path: Path) -> None:
    transcript = await run_script(app, ["42"], tmp_path)
    assert "choose a number from 1 to" in transcript


def test_chinwag_chat_runs_as_a_command_on_an_empty_database(tmp_path: Path) -> None:
    """The Quick start: an empty SQLite file is migrated and gets the demo data."""
    env = {**os.environ, "CHINWAG_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"}
    script = "\n".join(["1", "1", "1", "/quit"]) + "\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat", "--name", "Kim"],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "Hello Kim!" in result.stdout
    out = result.stdout
    assert out.lower().index("your privacy") < out.index("Which community do you live in?")
    assert "[1] Chester" in out  # the demo LPUs were loaded into the empty database
    assert "Goodbye." in result.stdout


async def test_the_terminal_finds_the_officer_three_ways_and_follows(
    app: App, tmp_path: Path
) -> None:
    from sqlmodel import select

    from storage.models import Community

    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
    where = f"/location {tarvin.centroid_lat} {tarvin.centroid_lon}"
    transcript = await run_script(
        app, ["/officer", "CH3 8EH", "/officer", where, "/officer", "Tarvn", "1"], tmp_path
    )
    cards = transcript.split("Here is your team:")[1:]
    assert len(cards) == 3
    for card in cards:
        assert "Tarvin, Chester area" in card
        assert "your police community officer" in card and "your PCSO" in card
    assert "[1] 🔔 Follow updates from this team" in cards[-1]
    assert "(You now follow the Tarvin team.)" in cards[-1]
    assert "[1] 🔕 Stop following this team" in cards[-1]
