"""What both Telegram transports share: translate, call the core in chat order, render.

A subclass supplies only its framework's calls (getMe, setMyCommands, getUpdates,
webhooks) and routes the framework's callbacks to ``on_message``, ``on_callback``
and ``on_poll_answer``.
"""

from __future__ import annotations

import dataclasses
import logging
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from bot.bootstrap import App
from bot.errors import ConfigError
from bot.rate_limit import ReplyTally
from bot.transports.chat_order import ChatOrder
from bot.transports.core import process
from bot.transports.polling import Poller, RetryLater
from bot.transports.port import BotApiPort
from bot.transports.render import Origin, Pages, callback_notice, deliver
from bot.transports.telegram_events import (
    from_callback,
    from_message,
    from_poll,
    from_poll_answer,
)
from handlers.commands import command_list
from handlers.inbound import InboundEvent
from handlers.safety.chat_log import SentLog

log = logging.getLogger("chinwag.telegram")
ALLOWED_UPDATES = [
    "message",
    "edited_message",
    "callback_query",
    "poll",
    "poll_answer",
    "channel_post",
]

U = TypeVar("U")


class Unauthorized(Exception):
    """The Bot API refused the token."""


class TelegramTransport(ABC, Generic[U]):
    name = "telegram"

    def __init__(self, app: App, port: BotApiPort) -> None:
        self.app = app
        self.port = port
        self.order = ChatOrder()
        self.poller: Poller[U] | None = None
        self._retry_later: set[int] = set()
        self.sent_log = SentLog()
        # Replies count against the send rate every worker shares (they never wait for it).
        self.reply_tally = ReplyTally(app.deps.uow, app.settings.send_rate)
        # Webhook mode: a button press is answered in the webhook's own HTTP answer
        # (the Bot API runs a method given there), one request fewer per press.
        self.answer_in_webhook = False
        self._webhook_answers: dict[int, dict[str, Any]] = {}

    # What a framework must provide.
    @abstractmethod
    async def get_me_username(self) -> str | None: ...

    @abstractmethod
    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None: ...

    @abstractmethod
    async def delete_webhook(self) -> None: ...

    @abstractmethod
    async def set_webhook(self, url: str, secret: str) -> None: ...

    @abstractmethod
    async def fetch_updates(self, offset: int | None, timeout: int) -> Sequence[U]: ...

    @abstractmethod
    def update_id(self, update: U) -> int: ...

    @abstractmethod
    async def feed(self, update: U) -> None: ...

    @abstractmethod
    async def feed_json(self, data: dict[str, Any]) -> None: ...

    @abstractmethod
    async def close(self) -> None: ...

    # Shared behaviour.
    async def prepare(self) -> None:
        """Who are we (getMe), and register our commands in every language."""
        try:
            username = await self.get_me_username()
        except Unauthorized:
            raise ConfigError(
                "CHINWAG_TELEGRAM_TOKEN: rejected by the Bot API (401 Unauthorized)"
            ) from None
        except Exception as exc:
            raise ConfigError(
                f"CHINWAG_TELEGRAM_API_URL: cannot reach the Bot API ({exc})"
            ) from None
        self.app.deps = dataclasses.replace(self.app.deps, bot_username=username)
        await self.set_commands(command_list(self.app.deps.default_locale), None)
        for language in self.app.deps.supported_locales:
            await self.set_commands(command_list(language), language)

    async def _run(self, event: InboundEvent | None, origin: Origin) -> None:
        if event is None:
            return
        async with self.order.turn(origin.chat_id):
            try:
                replies = await process(self.app, event)
            except RetryLater:
                # Frameworks swallow callback exceptions; remember it for handle_update.
                if event.update_id is not None:
                    self._retry_later.add(event.update_id)
                return
            if origin.callback_id and self._answer_in_webhook(event.update_id):
                assert event.update_id is not None
                text, alert = callback_notice(replies)
                self._keep_webhook_answer(event.update_id, origin.callback_id, text, alert)
                origin = dataclasses.replace(origin, callback_id=None)
            pages = Pages(self._page_parts)
            sent = await deliver(self.port, replies, origin, pages)
            self.reply_tally.add(len(sent))
            await self.sent_log.remember(
                self.app.deps,
                sent,
                event.update_id if replies else None,
                page_parts=pages.parts,
                redone=pages.redone,
            )

    async def _page_parts(self, chat_id: int, last: int) -> tuple[int, ...]:
        """The earlier parts of a split page, as any worker recorded them (``SentLog``):
        asked only when a reply edits a message, in a private chat (the only ones
        recorded)."""
        if chat_id <= 0:
            return ()
        async with self.app.deps.uow() as uow:
            return await uow.chat_messages.page_parts(chat_id, last)

    def _answer_in_webhook(self, update_id: int | None) -> bool:
        return self.answer_in_webhook and update_id is not None

    def _keep_webhook_answer(
        self, update_id: int, callback_id: str, text: str, alert: bool
    ) -> None:
        answer: dict[str, Any] = {"method": "answerCallbackQuery", "callback_query_id": callback_id}
        if text:
            answer["text"] = text
        if alert:
            answer["show_alert"] = True
        self._webhook_answers[update_id] = answer

    def take_webhook_answer(self, update_id: int) -> dict[str, Any] | None:
        """The method call to put in the webhook's answer to ``update_id``, if any."""
        return self._webhook_answers.pop(update_id, None)

    async def handle_update(self, update: U) -> None:
        """Feed one update to the framework; raise ``RetryLater`` if it could not be stored."""
        await self.feed(update)
        await self.raise_if_retry(self.update_id(update))

    async def raise_if_retry(self, update_id: int) -> None:
        if update_id in self._retry_later:
            self._retry_later.discard(update_id)
            raise RetryLater(update_id)

    async def on_message(self, message: Any, update_id: int) -> None:
        event = from_message(message, update_id, self.app.deps.bot_username)
        await self._run(event, Origin(message.chat.id, message.message_id))

    async def on_callback(self, query: Any, update_id: int) -> None:
        event = from_callback(query, update_id)
        if event is None:
            if self._answer_in_webhook(update_id):
                self._keep_webhook_answer(update_id, query.id, "", False)
            else:
                await self.port.answer_callback(query.id, "", False)
            return
        await self._run(event, Origin(event.sender.chat_id, event.message_id, query.id))

    async def on_poll_answer(self, answer: Any, update_id: int) -> None:
        event = from_poll_answer(answer, update_id)
        if event is not None:
            await self._run(event, Origin(event.sender.chat_id))

    async def on_poll(self, poll: Any, update_id: int) -> None:
        try:
            await process(self.app, from_poll(poll, update_id))
        except RetryLater:
            self._retry_later.add(update_id)

    async def run_polling(self) -> None:
        await self.delete_webhook()
        self.poller = Poller(self.fetch_updates, self.handle_update, self.update_id)
        await self.poller.run()

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()
