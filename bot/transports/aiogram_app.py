"""The aiogram 3 transport: a real aiogram Dispatcher over our core.

Callbacks here only translate, call the core and render (``bot.transports.core``
and ``render``); no policy lives in them.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.types import BotCommand, CallbackQuery, Message, PollAnswer, Update

from bot.bootstrap import App
from bot.errors import ConfigError
from bot.transports.aiogram_events import from_callback, from_message, from_poll_answer
from bot.transports.aiogram_port import AiogramPort
from bot.transports.chat_order import ChatOrder
from bot.transports.core import process
from bot.transports.polling import Poller
from bot.transports.render import Origin, deliver
from handlers.commands import command_list
from handlers.inbound import InboundEvent

log = logging.getLogger("chinwag.aiogram")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "poll_answer", "channel_post"]


class AiogramTransport:
    name = "aiogram"

    def __init__(self, app: App, token: str, api_url: str) -> None:
        self.app = app
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(token, session=session, default=DefaultBotProperties(
            parse_mode=ParseMode.HTML, link_preview_is_disabled=True))
        self.port = AiogramPort(self.bot)
        self.order = ChatOrder()
        self.dispatcher = Dispatcher(disable_fsm=True)
        router = Router(name="chinwag")
        router.message.register(self._on_message)
        router.callback_query.register(self._on_callback)
        router.poll_answer.register(self._on_poll_answer)
        self.dispatcher.include_router(router)
        self.poller: Poller[Update] | None = None

    async def prepare(self) -> None:
        """Who are we (getMe), and tell Telegram our commands."""
        try:
            me = await self.bot.get_me()
        except TelegramUnauthorizedError:
            raise ConfigError("CHINWAG_TELEGRAM_TOKEN: rejected by the Bot API (401)") from None
        except Exception as exc:
            raise ConfigError(f"CHINWAG_TELEGRAM_API_URL: cannot reach the Bot API ({exc})") from None
        self.app.deps = dataclasses.replace(self.app.deps, bot_username=me.username)
        await self.bot.set_my_commands(self._commands(self.app.deps.default_locale))
        for language in self.app.deps.supported_locales:
            await self.bot.set_my_commands(self._commands(language), language_code=language)

    @staticmethod
    def _commands(language: str) -> list[BotCommand]:
        return [BotCommand(command=c, description=d) for c, d in command_list(language)]

    async def _run(self, event: InboundEvent | None, origin: Origin) -> None:
        if event is None:
            return
        async with self.order.turn(origin.chat_id):
            replies = await process(self.app, event)
            await deliver(self.port, replies, origin)

    async def _on_message(self, message: Message, event_update: Update) -> None:
        event = from_message(message, event_update.update_id, self.app.deps.bot_username)
        await self._run(event, Origin(message.chat.id, message.message_id))

    async def _on_callback(self, query: CallbackQuery, event_update: Update) -> None:
        event = from_callback(query, event_update.update_id)
        if event is None:
            await self.bot.answer_callback_query(query.id)
            return
        await self._run(event, Origin(event.sender.chat_id, event.message_id, query.id))

    async def _on_poll_answer(self, answer: PollAnswer, event_update: Update) -> None:
        event = from_poll_answer(answer, event_update.update_id)
        if event is not None:
            await self._run(event, Origin(event.sender.chat_id))

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    async def feed_json(self, data: dict[str, Any]) -> None:
        await self.feed(Update.model_validate(data, context={"bot": self.bot}))

    async def _fetch(self, offset: int | None, timeout: int) -> Sequence[Update]:
        return await self.bot.get_updates(offset=offset, timeout=timeout,
                                          allowed_updates=ALLOWED_UPDATES)

    async def run_polling(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)
        self.poller = Poller(self._fetch, self.feed, lambda u: u.update_id)
        await self.poller.run()

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    def stop(self) -> None:
        if self.poller is not None:
            self.poller.stop()

    async def close(self) -> None:
        await self.bot.session.close()
