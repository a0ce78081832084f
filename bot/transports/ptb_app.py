"""The python-telegram-bot 22 transport: a real ptb ``Application`` over our core.

Conversation state stays in our database: no ``ConversationHandler``, no
persistence file. The Application is used for its Bot, handlers and update
processing; polling is ours (``bot.transports.polling``), so that an update is
confirmed only after it has been handled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    PollAnswerHandler,
    PollHandler,
    filters,
)

from bot.bootstrap import App
from bot.transports.ptb_port import PtbPort
from bot.transports.telegram_base import ALLOWED_UPDATES, TelegramTransport, Unauthorized


class PtbTransport(TelegramTransport[Update]):
    name = "ptb"

    def __init__(self, app: App, token: str, api_url: str) -> None:
        defaults = Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        )
        self.application = (
            Application.builder()
            .token(token)
            .base_url(f"{api_url}/bot")
            .base_file_url(f"{api_url}/file/bot")
            .defaults(defaults)
            .updater(None)
            .build()
        )
        super().__init__(app, PtbPort(self.application.bot))
        self.application.add_handler(
            MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, self._message)
        )
        self.application.add_handler(CallbackQueryHandler(self._callback))
        self.application.add_handler(PollAnswerHandler(self._poll_answer))
        self.application.add_handler(PollHandler(self._poll))
        self._initialised = False

    async def _message(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None:
            await self.on_message(update.message, update.update_id)

    async def _callback(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.callback_query is not None:
            await self.on_callback(update.callback_query, update.update_id)

    async def _poll_answer(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.poll_answer is not None:
            await self.on_poll_answer(update.poll_answer, update.update_id)

    async def _poll(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.poll is not None:
            await self.on_poll(update.poll, update.update_id)

    async def get_me_username(self) -> str | None:
        try:
            await self.application.initialize()
        except InvalidToken as exc:
            raise Unauthorized from exc
        self._initialised = True
        return self.application.bot.username

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None:
        await self.application.bot.set_my_commands(
            [BotCommand(c, d) for c, d in commands], language_code=language
        )

    async def delete_webhook(self) -> None:
        await self.application.bot.delete_webhook(drop_pending_updates=False)

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.application.bot.set_webhook(
            url, secret_token=secret, allowed_updates=ALLOWED_UPDATES
        )

    async def fetch_updates(self, offset: int | None, timeout: int) -> Sequence[Update]:
        return await self.application.bot.get_updates(
            offset=offset,
            timeout=timeout,
            allowed_updates=ALLOWED_UPDATES,
            read_timeout=timeout + 10,
        )

    def update_id(self, update: Update) -> int:
        return update.update_id

    async def feed(self, update: Update) -> None:
        await self.application.process_update(update)

    async def feed_json(self, data: dict[str, Any]) -> None:
        update = Update.de_json(data, self.application.bot)
        await self.feed(update)

    async def close(self) -> None:
        if self._initialised:
            await self.application.shutdown()
