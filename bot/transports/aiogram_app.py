"""The aiogram 3 transport: a real aiogram Dispatcher and Bot over our core."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.types import BotCommand, CallbackQuery, Message, PollAnswer, Update
from aiogram.types import Poll as TgPoll

from bot.bootstrap import App
from bot.transports.aiogram_port import AiogramPort
from bot.transports.aiogram_responses import pin_response_models
from bot.transports.aiogram_session import JsonBodySession
from bot.transports.telegram_base import ALLOWED_UPDATES, TelegramTransport, Unauthorized


class AiogramTransport(TelegramTransport[Update]):
    name = "aiogram"

    def __init__(self, app: App, token: str, api_url: str) -> None:
        pin_response_models()
        session = JsonBodySession(api=TelegramAPIServer.from_base(api_url))
        self.bot = Bot(
            token,
            session=session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
        )
        super().__init__(app, AiogramPort(self.bot))
        self.dispatcher = Dispatcher(disable_fsm=True)
        router = Router(name="chinwag")
        router.message.register(self._message)
        router.callback_query.register(self._callback)
        router.poll_answer.register(self._poll_answer)
        router.poll.register(self._poll)
        self.dispatcher.include_router(router)

    async def _message(self, message: Message, event_update: Update) -> None:
        await self.on_message(message, event_update.update_id)

    async def _callback(self, query: CallbackQuery, event_update: Update) -> None:
        await self.on_callback(query, event_update.update_id)

    async def _poll_answer(self, answer: PollAnswer, event_update: Update) -> None:
        await self.on_poll_answer(answer, event_update.update_id)

    async def _poll(self, poll: TgPoll, event_update: Update) -> None:
        await self.on_poll(poll, event_update.update_id)

    async def get_me_username(self) -> str | None:
        try:
            return (await self.bot.get_me()).username
        except TelegramUnauthorizedError as exc:
            raise Unauthorized from exc

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None:
        await self.bot.set_my_commands(
            [BotCommand(command=c, description=d) for c, d in commands], language_code=language
        )

    async def delete_webhook(self) -> None:
        await self.bot.delete_webhook(drop_pending_updates=False)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def fetch_updates(self, offset: int | None, timeout: int) -> Sequence[Update]:
        return await self.bot.get_updates(
            offset=offset, timeout=timeout, allowed_updates=ALLOWED_UPDATES
        )

    def update_id(self, update: Update) -> int:
        return update.update_id

    async def feed(self, update: Update) -> None:
        await self.dispatcher.feed_update(self.bot, update)

    async def feed_json(self, data: dict[str, Any]) -> None:
        await self.feed(Update.model_validate(data, context={"bot": self.bot}))

    async def close(self) -> None:
        await self.bot.session.close()
