"""A simulated Telegram user who talks to the bot through a :class:`FakeBotApi`.

Every action queues the update Telegram would send the bot (with a fresh
``update_id`` shared by the whole server) and returns that id. The ``wait_*``
helpers then watch what the bot does in this user's private chat.
"""

from __future__ import annotations

import asyncio
import copy
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from tests.fakes.html_check import utf16_len
from tests.fakes.markup import inline_buttons, keyboard_labels
from tests.fakes.world import StoredMessage

if TYPE_CHECKING:
    from tests.fakes.bot_api import FakeBotApi

# "/cmd" or "/cmd@bot" at the start of the text or after whitespace, as Telegram marks it.
COMMAND = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")

Predicate = Callable[[dict[str, Any]], bool]


def command_entities(text: str) -> list[dict[str, Any]]:
    return [
        {
            "type": "bot_command",
            "offset": utf16_len(text[: m.start()]),
            "length": utf16_len(m.group()),
        }
        for m in COMMAND.finditer(text)
    ]


def message_text(record: dict[str, Any]) -> str:
    """What a person would read in a message: text, caption, poll question or venue."""
    if "text" in record:
        return str(record["text"])
    if record.get("caption"):
        return str(record["caption"])
    if "poll" in record:
        return str(record["poll"]["question"])
    if "venue" in record:
        return f"{record['venue']['title']}, {record['venue']['address']}"
    return ""


def describe(record: dict[str, Any]) -> str:
    labels = [b["text"] for b in inline_buttons(record.get("reply_markup"))]
    labels += keyboard_labels(record.get("reply_markup"))
    edited = " (edited)" if record.get("edited") else ""
    return (
        f"#{record['message_id']} {record.get('kind', '?')}{edited}: "
        f"{message_text(record)!r} buttons={labels}"
    )


class FakeUser:
    def __init__(
        self,
        server: FakeBotApi,
        user_id: int,
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> None:
        self.server = server
        self.id = user_id
        self.wire: dict[str, Any] = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            self.wire["username"] = username
        if language_code:
            self.wire["language_code"] = language_code
        server.world.add_private_chat(self.wire)
        self._mark = 0  # change counter right after this user's last action
        self._acted_at = 0.0  # loop time of the last action

    def __repr__(self) -> str:
        return f"FakeUser({self.id}, {self.wire['first_name']!r})"

    @property
    def chat_id(self) -> int:
        return self.id

    # -- what the bot showed ---------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        return self.server.sent_to(self.id)

    def last(self) -> dict[str, Any]:
        """The bot's newest message in this chat."""
        messages = self.messages
        if not messages:
            raise AssertionError(f"the bot has sent nothing to {self!r}")
        return messages[-1]

    def _keyboard_message(self, message: dict[str, Any] | int | None) -> StoredMessage:
        world = self.server.world
        if message is not None:
            message_id = message if isinstance(message, int) else message["message_id"]
            stored = world.find(self.id, message_id)
            if stored is None:
                raise AssertionError(f"no message {message_id} in the chat with {self!r}")
            return stored
        for stored in reversed(world.bot_messages(self.id)):
            if inline_buttons(stored.wire.get("reply_markup")):
                return stored
        recent = "; ".join(describe(m) for m in self.messages[-5:]) or "none"
        raise AssertionError(
            f"no bot message with an inline keyboard for {self!r}; last messages: {recent}"
        )

    def buttons(self, message: dict[str, Any] | int | None = None) -> list[str]:
        """Inline button labels of ``message`` or of the newest message that has some."""
        try:
            stored = self._keyboard_message(message)
        except AssertionError:
            if message is not None:
                raise
            return []
        return [b["text"] for b in inline_buttons(stored.wire.get("reply_markup"))]

    def reply_buttons(self) -> list[str]:
        """Labels of the reply keyboard the user currently sees under the input field."""
        return keyboard_labels(self.server.world.chats[self.id].reply_keyboard)

    # -- actions ---------------------------------------------------------------

    async def _act(self, kind: str, payload: dict[str, Any]) -> int:
        update_id = self.server.enqueue(kind, payload, self.id)
        self._mark = self.server.signal.seq
        self._acted_at = asyncio.get_running_loop().time()
        await asyncio.sleep(0)
        return update_id

    async def _message(self, content: dict[str, Any], kind: str) -> int:
        stored = self.server.world.add_message(self.id, content, kind=kind, from_bot=False)
        return await self._act("message", copy.deepcopy(stored.wire))

    async def send(self, text: str) -> int:
        """A text message; "/commands" carry ``bot_command`` entities."""
        content: dict[str, Any] = {"text": text}
        if entities := command_entities(text):
            content["entities"] = entities
        return await self._message(content, "text")

    async def tap(self, label: str) -> int:
        """Tap a button of the reply keyboard the user sees (it sends its label as text)."""
        keyboard = self.server.world.chats[self.id].reply_keyboard or {}
        for row in keyboard.get("keyboard", []):
            for button in row:
                text = button if isinstance(button, str) else button["text"]
                if text != label:
                    continue
                if isinstance(button, dict) and button.get("request_location"):
                    raise AssertionError(f"{label!r} asks for a location: use share_location()")
                if isinstance(button, dict) and button.get("request_contact"):
                    raise AssertionError(f"{label!r} asks for a contact: use share_contact()")
                return await self.send(label)
        raise AssertionError(f"no reply keyboard button {label!r}; buttons: {self.reply_buttons()}")

    async def press(
        self,
        label_or_predicate: str | Callable[[str], bool],
        message: dict[str, Any] | int | None = None,
    ) -> int:
        """Press an inline button: by exact label, else the only label containing it,
        or the first label the predicate accepts."""
        stored = self._keyboard_message(message)
        buttons = inline_buttons(stored.wire.get("reply_markup"))
        labels = [b["text"] for b in buttons]
        if callable(label_or_predicate):
            matches = [b for b in buttons if label_or_predicate(b["text"])][:1]
        else:
            matches = [b for b in buttons if b["text"] == label_or_predicate] or [
                b for b in buttons if label_or_predicate in b["text"]
            ]
        if not matches:
            raise AssertionError(
                f"no button {label_or_predicate!r} in message "
                f"#{stored.message_id}; buttons: {labels}"
            )
        if len(matches) > 1 and not any(b["text"] == label_or_predicate for b in matches):
            raise AssertionError(
                f"{label_or_predicate!r} matches several buttons: {[b['text'] for b in matches]}"
            )
        return await self._press_button(stored, matches[0])

    async def press_data(
        self, wanted: Callable[[str], bool], message: dict[str, Any] | int | None = None
    ) -> int:
        """Press the first inline button whose callback data ``wanted`` accepts (whatever
        its label says, e.g. in another language)."""
        stored = self._keyboard_message(message)
        buttons = inline_buttons(stored.wire.get("reply_markup"))
        for button in buttons:
            if "callback_data" in button and wanted(button["callback_data"]):
                return await self._press_button(stored, button)
        raise AssertionError(f"no such button in #{stored.message_id}: {buttons}")

    async def _press_button(self, stored: StoredMessage, button: dict[str, Any]) -> int:
        if "callback_data" not in button:
            raise AssertionError(f"button {button['text']!r} sends no callback: {button}")
        query_id = str(4_000_000_000_000 + len(self.server.world.callbacks) + 1)
        self.server.world.callbacks[query_id] = self.id
        return await self._act(
            "callback_query",
            {
                "id": query_id,
                "from": copy.deepcopy(self.wire),
                "message": copy.deepcopy(stored.wire),
                "chat_instance": f"-{self.id}77",
                "data": button["callback_data"],
            },
        )

    async def share_location(self, lat: float, lon: float) -> int:
        return await self._message({"location": {"latitude": lat, "longitude": lon}}, "location")

    async def share_contact(self, phone: str) -> int:
        contact = {"phone_number": phone, "first_name": self.wire["first_name"], "user_id": self.id}
        return await self._message({"contact": contact}, "contact")

    async def answer_poll(self, poll_id: str, option_ids: list[int]) -> int:
        """Vote (or retract with ``[]``) in a non-anonymous poll: a ``poll_answer`` update."""
        poll = self.server.world.vote(poll_id, self.id, list(option_ids))
        persistent = [poll["options"][i]["persistent_id"] for i in option_ids]
        return await self._act(
            "poll_answer",
            {
                "poll_id": poll_id,
                "user": copy.deepcopy(self.wire),
                "option_ids": list(option_ids),
                "option_persistent_ids": persistent,
            },
        )

    def _file(self, prefix: str) -> dict[str, Any]:
        file_id = self.server.world.new_id(f"{prefix}-")
        return {"file_id": file_id, "file_unique_id": f"u{file_id}"}

    async def send_sticker(self) -> int:
        sticker = {
            **self._file("STICKER"),
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return await self._message({"sticker": sticker}, "sticker")

    async def send_photo(self, caption: str | None = None) -> int:
        sizes = [
            {**self._file("PHOTO"), "width": w, "height": h, "file_size": w * h // 10}
            for w, h in ((90, 67), (800, 600))
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return await self._message(content, "photo")

    async def send_voice(self) -> int:
        voice = {**self._file("VOICE"), "duration": 3, "mime_type": "audio/ogg", "file_size": 4321}
        return await self._message({"voice": voice}, "voice")

    # -- waiting for the bot -----------------------------------------------------

    async def wait_for(
        self,
        predicate: Predicate | None = None,
        *,
        contains: str | None = None,
        timeout: float = 5.0,
    ) -> dict[str, Any]:
        """The first bot message in this chat, sent or edited since this user's last
        action, that satisfies ``predicate`` and contains ``contains``."""
        baseline = self._mark
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            fresh = sorted(
                (m for m in self.server.world.bot_messages(self.id) if m.seq > baseline),
                key=lambda m: m.seq,
            )
            for stored in fresh:
                record = stored.record()
                if contains is not None and contains not in message_text(record):
                    continue
                if predicate is None or predicate(record):
                    return record
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = "\n  ".join(describe(m) for m in self.messages[-5:]) or "none"
                wanted = f"containing {contains!r}" if contains is not None else "matching"
                raise AssertionError(
                    f"no bot message {wanted} for {self!r} within {timeout}s; "
                    f"last messages:\n  {recent}"
                )
            await self.server.signal.wait(remaining)

    async def wait_idle(self, quiet: float = 0.3, timeout: float = 5.0) -> None:
        """Wait until the bot has fetched this user's updates and made no request for
        this chat for ``quiet`` seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            now = loop.time()
            pending = self.server.undelivered(self.id)
            state = self.server.world.chats[self.id]
            quiet_for = now - max(state.last_activity, self._acted_at)
            if not pending and quiet_for >= quiet:
                return
            if now >= deadline:
                raise AssertionError(
                    f"the bot was not idle in the chat with {self!r} within {timeout}s "
                    f"({pending} update(s) not fetched, last request {quiet_for:.2f}s ago)"
                )
            wait = deadline - now if pending else min(quiet - quiet_for, deadline - now)
            await self.server.signal.wait(max(wait, 0.005))
