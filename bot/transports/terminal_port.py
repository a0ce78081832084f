"""The Bot API port of the terminal: what the delivery engine sends is printed.

``chinwag chat`` runs the same dispatcher and scheduler as ``chinwag run``, with
this port, so a resident in the terminal sees reminders and notices arrive while
they type. It prints through the ``TerminalChat``'s renderer (buttons become
numbered choices the resident can type) and never fails.
"""

from __future__ import annotations

from bot.transports.port import Classified
from bot.transports.terminal import TerminalChat
from handlers.outbound import (
    DeleteMessages,
    Document,
    Edit,
    Keyboard,
    Notice,
    Photo,
    Poll,
    Text,
    Venue,
)


class TerminalPort:
    def __init__(self, chat: TerminalChat) -> None:
        self.chat = chat

    def _new_message_id(self) -> int:
        self.chat.next_message_id += 1
        return self.chat.next_message_id

    async def send_text(
        self,
        chat_id: int,
        text: str,
        buttons: Keyboard,
        reply_keyboard: tuple[tuple[str, ...], ...],
        request_location: str | None,
        remove_keyboard: bool,
    ) -> int:
        self.chat.render(Text(chat_id=chat_id, text=text, buttons=buttons))
        return self._new_message_id()

    async def edit_text(self, chat_id: int, message_id: int, text: str, buttons: Keyboard) -> None:
        self.chat.render(Edit(chat_id=chat_id, text=text, buttons=buttons, message_id=message_id))

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        if text:
            self.chat.render(Notice(text=text, alert=alert))

    async def send_poll(
        self,
        chat_id: int,
        question: str,
        options: tuple[str, ...],
        allows_multiple: bool,
        anonymous: bool,
    ) -> tuple[int, str]:
        self.chat.render(
            Poll(
                chat_id=chat_id,
                question=question,
                options=options,
                allows_multiple=allows_multiple,
                anonymous=anonymous,
            )
        )
        message_id = self._new_message_id()
        poll_id = f"terminal-poll-{message_id}"
        self.chat.show_poll(poll_id, len(options), allows_multiple)
        return message_id, poll_id

    async def send_document(self, chat_id: int, filename: str, content: bytes, caption: str) -> int:
        self.chat.render(
            Document(chat_id=chat_id, filename=filename, content=content, caption=caption)
        )
        return self._new_message_id()

    async def send_venue(
        self, chat_id: int, latitude: float, longitude: float, title: str, address: str
    ) -> int:
        self.chat.render(
            Venue(
                chat_id=chat_id,
                latitude=latitude,
                longitude=longitude,
                title=title,
                address=address,
            )
        )
        return self._new_message_id()

    async def send_photo(self, chat_id: int, file_id: str, caption: str, buttons: Keyboard) -> int:
        self.chat.render(Photo(chat_id=chat_id, file_id=file_id, caption=caption, buttons=buttons))
        return self._new_message_id()

    async def delete_messages(self, chat_id: int, message_ids: tuple[int, ...]) -> None:
        self.chat.render(DeleteMessages(chat_id=chat_id, message_ids=message_ids))

    async def stop_poll(self, chat_id: int, message_id: int) -> None:
        self.chat.close_poll()

    def classify(self, exc: BaseException) -> Classified | None:
        return None  # printing does not fail in ways the Bot API does
