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


def test_chinwag_chat_runs_as_a_command_on_an_empty_database(
    blank_db_url: str, tmp_path: Path
) -> None:
    """The Quick start: an empty database is migrated and gets the demo data."""
    env = {**os.environ, "CHINWAG_DATABASE_URL": blank_db_url}
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


async def test_the_terminal_lists_events_rsvps_saves_the_ics_and_shows_reminders(
    app: App, tmp_path: Path
) -> None:
    import dataclasses
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from sqlmodel import select

    from bot.dispatcher import DispatchConfig, Dispatcher
    from bot.transports.terminal_port import TerminalPort
    from storage.models import Community, Event

    london = ZoneInfo("Europe/London")
    now = [datetime(2026, 10, 20, 9, 0, tzinfo=UTC)]
    app.deps = dataclasses.replace(app.deps, clock=lambda: now[0])
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        # Tuesday 27 October 2026, 18:00 GMT: two days after the clocks go back.
        event = Event(
            kind="surgery",
            title="Police surgery",
            community_id=tarvin.id,
            lpu_id=tarvin.lpu_id,
            starts_at=datetime(2026, 10, 27, 18, 0, tzinfo=london).astimezone(UTC),
            venue="Tarvin Library",
        )
        uow.session.add(event)
        await uow.commit()

    output: list[str] = []
    chat = TerminalChat(app, write=output.append, name="Terry", language=None, downloads=tmp_path)
    for line in ("/officer", "CH3 8EH", "/events", "1"):
        event_ = chat.event_for(line)
        assert event_ is not None
        await chat.send(event_)
    for label in ("✅ Going", "📅 Add to calendar"):
        number = next(i for i, b in enumerate(chat.buttons, 1) if b.label == label)
        await chat.send(chat.event_for(str(number)))  # type: ignore[arg-type]
    transcript = "\n".join(output)
    assert "Tue 27 Oct, 18:00" in transcript and "You said you are going" in transcript
    assert (tmp_path / f"chinwag-event-{event.id}.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")

    dispatcher = Dispatcher(app, TerminalPort(chat), "terminal", lambda: now[0], DispatchConfig())
    now[0] = datetime(2026, 10, 26, 18, 0, tzinfo=UTC)  # 18:00 GMT the day before
    assert await dispatcher.run_due() == 1
    now[0] = datetime(2026, 10, 27, 17, 0, tzinfo=UTC)  # an hour before
    assert await dispatcher.run_due() == 1
    transcript = "\n".join(output)
    assert "Reminder: tomorrow" in transcript and "Starting soon" in transcript


async def test_a_poll_in_the_terminal_is_answered_by_number(app: App, tmp_path: Path) -> None:
    from bot.transports.terminal_port import TerminalPort
    from handlers.inbound import PollAnswer

    output: list[str] = []
    chat = TerminalChat(app, write=output.append, name="Terry", language=None, downloads=tmp_path)
    port = TerminalPort(chat)
    _, poll_id = await port.send_poll(
        1, "Which topic first?", ("Speeding", "Parking"), False, False
    )
    assert chat.event_for("3") is None and "choose a number from 1 to 2" in output[-1]
    answer = chat.event_for("2")
    assert (
        isinstance(answer, PollAnswer) and answer.poll_id == poll_id and answer.option_ids == (1,)
    )


async def test_the_terminal_speaks_the_language_asked_for(app: App, tmp_path: Path) -> None:
    """``chinwag chat --language uk``: the terminal's own words are Ukrainian too."""
    output: list[str] = []
    feed = iter(["42", "/location 1000 0", "/quit"])

    async def read() -> str | None:
        return next(feed, None)

    chat = TerminalChat(app, write=output.append, name="Olena", language="uk", downloads=tmp_path)
    await chat.run(read)
    transcript = "\n".join(output)
    assert transcript.startswith("Chinwag у вашому терміналі.")
    assert "(виберіть число від 1 до " in transcript
    assert "(це не місце на Землі)" in transcript
    assert output[-1] == "До побачення."
    assert "Goodbye" not in transcript and "choose a number" not in transcript


async def test_the_terminal_follows_the_language_chosen_with_slash_language(
    app: App, tmp_path: Path
) -> None:
    output: list[str] = []
    chat = TerminalChat(app, write=output.append, name="Terry", language=None, downloads=tmp_path)
    for line in ("/start", "/language"):
        event = chat.event_for(line)
        assert event is not None
        await chat.send(event)
    number = next(i for i, b in enumerate(chat.buttons, 1) if b.label.endswith("Cymraeg"))
    await chat.send(chat.event_for(str(number)))  # type: ignore[arg-type]
    assert chat.language == "cy"
    output.clear()

    async def leave() -> str | None:
        return None

    await chat.run(leave)  # a new session: the stored language, not --language
    assert output[0].startswith("Chinwag yn eich terfynell.")
    assert output[-1] == "Hwyl fawr."


async def test_polls_and_files_are_explained_in_the_residents_language(
    app: App, tmp_path: Path
) -> None:
    from handlers.outbound import Document, Poll

    output: list[str] = []
    chat = TerminalChat(app, write=output.append, name="Ola", language="pl", downloads=tmp_path)
    chat.render(Poll(chat_id=1, question="?", options=("a", "b"), allows_multiple=True))
    chat.render(Document(chat_id=1, filename="r.txt", content=b"x", caption="Raport"))
    assert "  (aby odpowiedzieć, wpisz liczby, np. 1,3)" in output
    assert f"📎 Raport: zapisano w {tmp_path / 'r.txt'}" in output
    chat.show_poll("p", 2, False)
    assert chat.event_for("1,2") is None
    assert output[-1] == "  (wybierz liczbę od 1 do 2)"
    chat.close_poll()
    assert output[-1] == "  (ankieta jest zamknięta)"
