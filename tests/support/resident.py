"""Drive the core directly, as a resident would, without any framework."""

from __future__ import annotations

from itertools import count

from handlers.context import Deps
from handlers.dispatch import handle
from handlers.inbound import ButtonPress, Command, InboundEvent, Sender, TextMessage, split_command
from handlers.markup import to_plain
from handlers.outbound import Button, Edit, OutboundReply, Text

_update_ids = count(1000)


class Resident:
    def __init__(
        self,
        deps: Deps,
        telegram_id: int = 5_000_000_001,
        name: str = "Alex",
        language: str | None = "en",
        username: str | None = None,
    ) -> None:
        self.deps = deps
        self.sender = Sender(telegram_id, telegram_id, name, username, language)
        self.replies: list[OutboundReply] = []
        self.transcript: list[str] = []

    async def _do(self, event: InboundEvent) -> list[OutboundReply]:
        self.replies = await handle(self.deps, event)
        for reply in self.replies:
            if isinstance(reply, Text | Edit):
                self.transcript.append(reply.text)
        return self.replies

    async def send(self, text: str) -> list[OutboundReply]:
        command = split_command(text)
        if command is not None:
            return await self._do(
                Command(
                    sender=self.sender,
                    update_id=next(_update_ids),
                    name=command[0],
                    payload=command[1],
                )
            )
        return await self._do(
            TextMessage(sender=self.sender, update_id=next(_update_ids), text=text)
        )

    def press_event(self, data: str) -> ButtonPress:
        """A press of ``data`` as a new update, for a test to hand to a worker itself
        (two presses of one button at once, on two workers)."""
        return ButtonPress(
            sender=self.sender,
            update_id=next(_update_ids),
            data=data,
            message_id=1,
            callback_id="cb",
        )

    async def press_data(self, data: str) -> list[OutboundReply]:
        return await self._do(self.press_event(data))

    def buttons(self) -> list[Button]:
        for reply in reversed(self.replies):
            if isinstance(reply, Text | Edit) and reply.buttons:
                return [b for row in reply.buttons for b in row]
        return []

    def find(self, label: str) -> Button:
        buttons = self.buttons()
        for exact in (True, False):
            for button in buttons:
                if (button.label == label) if exact else (label.lower() in button.label.lower()):
                    return button
        raise AssertionError(f"no button {label!r}; have {[b.label for b in buttons]}")

    async def press(self, label: str) -> list[OutboundReply]:
        return await self.press_data(self.find(label).payload)

    @property
    def text(self) -> str:
        """Plain text of every text reply in the last answer, joined."""
        return "\n".join(to_plain(r.text) for r in self.replies if isinstance(r, Text | Edit))
