"""The terminal transport (``chinwag chat``): the same handlers, in a console.

Buttons are shown as numbered choices; type the number to press one, a ``/command``,
or your answer. No token and no network are needed. Ctrl-D or ``/quit`` leaves.

What the terminal itself says (the welcome, hints, "Goodbye.") goes through the
catalogues like the core's replies (``chinwag i18n extract`` reads this file), in
the resident's language: the one stored for them (``/language`` changes it), or,
before they have one, ``--language`` if it is supported, else the default.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.bootstrap import App
from bot.transports.core import process
from handlers.dispatch import choose_language
from handlers.i18n import _, use_locale
from handlers.inbound import (
    ButtonPress,
    Command,
    InboundEvent,
    LocationShared,
    PhotoShared,
    PollAnswer,
    Sender,
    TextMessage,
    split_command,
)
from handlers.markup import to_plain
from handlers.outbound import (
    Button,
    DeleteMessages,
    Document,
    Edit,
    Keyboard,
    Notice,
    OutboundReply,
    Photo,
    Poll,
    Text,
    Venue,
)

ReadLine = Callable[[], Awaitable[str | None]]
Write = Callable[[str], None]
TERMINAL_USER_ID = 1


async def read_stdin() -> str | None:
    line = await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    return line.rstrip("\n") if line else None


def write_stdout(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class TerminalChat:
    def __init__(
        self, app: App, *, write: Write, name: str, language: str | None, downloads: Path
    ) -> None:
        self.app = app
        self.write = write
        self.sender = Sender(TERMINAL_USER_ID, TERMINAL_USER_ID, name, None, language)
        self.buttons: list[Button] = []
        # The poll the resident sees last, if it came after the last buttons: (id, options, multiple).
        self.open_poll: tuple[str, int, bool] | None = None
        self.downloads = downloads
        self.next_message_id = 1
        # The resident's language for what the terminal itself writes; kept up to
        # date from their stored row after each update (``/language`` changes it).
        self.language = choose_language(app.deps, language)

    def _show_buttons(self, rows: Keyboard) -> None:
        self.buttons = [b for row in rows for b in row]
        self.open_poll = None
        for i, b in enumerate(self.buttons, 1):
            target = f" ({b.url})" if b.url else ""
            self.write(f"  [{i}] {b.label}{target}")

    def render(self, reply: OutboundReply) -> None:
        with use_locale(self.language):
            self._render(reply)

    def _render(self, reply: OutboundReply) -> None:
        if isinstance(reply, Text | Edit):
            self.write("")
            self.write(to_plain(reply.text))
            if reply.buttons:
                self._show_buttons(reply.buttons)
        elif isinstance(reply, Notice):
            self.write(f"  ({to_plain(reply.text)})")
        elif isinstance(reply, Poll):
            self.write("")
            self.write(f"📊 {reply.question}")
            for i, option in enumerate(reply.options, 1):
                self.write(f"  [{i}] {option}")
            if reply.allows_multiple:
                self.write("  " + _("(to answer, type the numbers, e.g. 1,3)"))
            else:
                self.write("  " + _("(to answer, type a number)"))
        elif isinstance(reply, Document):
            self.downloads.mkdir(parents=True, exist_ok=True)
            path = self.downloads / Path(reply.filename).name
            path.write_bytes(reply.content)
            saved = _("📎 {caption} saved to {path}")
            self.write(saved.format(caption=to_plain(reply.caption), path=path))
        elif isinstance(reply, Venue):
            self.write(
                f"📍 {reply.title}, {reply.address} "
                f"(https://www.openstreetmap.org/?mlat={reply.latitude}&mlon={reply.longitude})"
            )
        elif isinstance(reply, Photo):
            self.write(_("🖼 [photo {file_id}]").format(file_id=reply.file_id))
            if reply.caption:
                self.write(to_plain(reply.caption))
            if reply.buttons:
                self._show_buttons(reply.buttons)
        elif isinstance(reply, DeleteMessages):
            self.write("\n" * 3)

    def event_for(self, line: str) -> InboundEvent | None:
        with use_locale(self.language):
            return self._event_for(line)

    def _choose_from(self, count: int, *, several: bool = False) -> None:
        if several:
            self.write("  " + _("(choose numbers from 1 to {count})").format(count=count))
        else:
            self.write("  " + _("(choose a number from 1 to {count})").format(count=count))

    def _event_for(self, line: str) -> InboundEvent | None:
        line = line.strip()
        self.next_message_id += 1
        base: dict[str, Any] = {"sender": self.sender, "message_id": self.next_message_id}
        if self.open_poll is not None and line.replace(",", " ").replace(" ", "").isdigit():
            return self._poll_answer(line, base)
        if line.isdigit() and self.buttons:
            index = int(line) - 1
            if 0 <= index < len(self.buttons) and self.buttons[index].payload:
                return ButtonPress(data=self.buttons[index].payload, **base)
            self._choose_from(len(self.buttons))
            return None
        command = split_command(line)
        if command is not None and command[0] == "location":
            return self._location(command[1], base)
        if command is not None and command[0] == "photo":
            name, _space, caption = command[1].strip().partition(" ")
            # The terminal cannot upload; a name stands for the photo's Telegram file id.
            return PhotoShared(file_id=f"terminal-{name or 'photo'}", caption=caption, **base)
        if command is not None:
            return Command(name=command[0], payload=command[1], **base)
        return TextMessage(text=line, **base)

    def show_poll(self, poll_id: str, options: int, multiple: bool) -> None:
        """Called by the terminal port after a poll is shown: numbers now answer it."""
        self.open_poll = (poll_id, options, multiple)

    def close_poll(self) -> None:
        self.open_poll = None
        with use_locale(self.language):
            self.write("  " + _("(the poll is closed)"))

    def _poll_answer(self, line: str, base: dict[str, Any]) -> InboundEvent | None:
        assert self.open_poll is not None
        poll_id, options, multiple = self.open_poll
        chosen = sorted({int(part) - 1 for part in line.replace(",", " ").split()})
        if (
            not chosen
            or any(not 0 <= i < options for i in chosen)
            or (len(chosen) > 1 and not multiple)
        ):
            self._choose_from(options, several=multiple)
            return None
        self.open_poll = None
        self.write("  " + _("(your answer is saved)"))
        return PollAnswer(poll_id=poll_id, option_ids=tuple(chosen), **base)

    def _location(self, payload: str, base: dict[str, Any]) -> InboundEvent | None:
        """``/location 53.19 -2.76``: the terminal's way of sharing a location."""
        try:
            latitude, longitude = (float(part) for part in payload.replace(",", " ").split())
        except ValueError:
            self.write(
                "  " + _("(type /location LATITUDE LONGITUDE, for example /location 53.196 -2.763)")
            )
            return None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            self.write("  " + _("(that is not a place on Earth)"))
            return None
        return LocationShared(latitude=latitude, longitude=longitude, **base)

    async def _stored_language(self) -> None:
        """The language stored for the resident, once they have a row."""
        async with self.app.deps.uow() as uow:
            user = await uow.users.by_telegram_id(self.sender.telegram_id)
        if user is not None and user.language:
            self.language = user.language

    async def send(self, event: InboundEvent) -> None:
        replies = await process(self.app, event)
        await self._stored_language()
        for reply in replies:
            self.render(reply)

    async def run(self, read: ReadLine) -> None:
        await self._stored_language()
        with use_locale(self.language):
            self.write(
                _(
                    "Chinwag in your terminal. Type a number to tap a button, "
                    "or type your answer.\n"
                    "Share a location with /location LAT LON, a photo with /photo NAME CAPTION.\n"
                    "Ctrl-D or /quit to leave."
                )
            )
        await self.send(Command(sender=self.sender, name="start"))
        while True:
            self.write("")
            line = await read()
            if line is None or line.strip() in ("/quit", "/exit"):
                with use_locale(self.language):
                    self.write(_("Goodbye."))
                return
            if not line.strip():
                continue
            event = self.event_for(line)
            if event is not None:
                await self.send(event)
