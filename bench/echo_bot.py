"""A bare aiogram echo bot in webhook mode: the floor set by the framework, for bench/load.py.

Usage: CHINWAG_TELEGRAM_TOKEN=... CHINWAG_TELEGRAM_API_URL=http://127.0.0.1:PORT \\
       .venv/bin/python bench/echo_bot.py --webhook-url URL --listen HOST:PORT

It takes the same settings and arguments as ``chinwag run`` in webhook mode (the
rest of the ``CHINWAG_*`` variables are ignored) and is served the same way: an
aiohttp server that checks the secret header, feeds the update to an aiogram
``Dispatcher`` and answers 200 only once it is handled, which for a text message
means a ``sendMessage`` of the same text has been answered by the Bot API. At start
it asks ``getMe`` and calls ``setWebhook``, as a Chinwag worker does; SIGTERM or
SIGINT stop it. No database, no conversation: what is left is aiogram's update
parsing and routing, one Bot API call and the HTTP server, per update.

With ``--claim`` it also records each update's id in the database of
``CHINWAG_DATABASE_URL`` (``processed_updates``) in a transaction of its own before
answering, through Chinwag's own engine and unit of work: the least any bot pays that
handles each update once, whoever delivers it, and survives a restart. It is the
first statement and the commit of every Chinwag update, and nothing else.

Like Chinwag (bot/transports/aiogram_responses.py) it keeps the response models
it uses alive, so pydantic does not rebuild them after each garbage collection:
the floor is aiogram used well, not aiogram's worst case.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from urllib.parse import urlsplit

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response
from aiogram.types import Message, Update, User
from aiohttp import web

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


RESPONSE_MODELS: list[object] = []


def make_dispatcher() -> Dispatcher:
    dispatcher = Dispatcher()

    @dispatcher.message()
    async def echo(message: Message) -> None:
        if message.text:
            await message.answer(message.text, parse_mode=None)

    return dispatcher


Claim = Callable[[int], Awaitable[bool]]


def claimer(database_url: str) -> tuple[Claim, Callable[[], Awaitable[None]]]:
    """Record an update id in its own transaction, as the first statement and the
    commit of a Chinwag update do (False if it was recorded before); and how to close
    the engine. Imported here: the
    plain echo's heap stays free of SQLAlchemy's (a bigger heap costs every collection)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from sqlalchemy.exc import IntegrityError

    from storage.database import create_engine, session_factory
    from storage.uow import UnitOfWork

    engine = create_engine(database_url)
    sessions = session_factory(engine)

    async def claim(update_id: int) -> bool:
        async with UnitOfWork(sessions) as uow:
            try:
                await uow.updates.record(update_id)
                await uow.commit()
            except IntegrityError:
                return False
        return True

    return claim, engine.dispose


async def serve(webhook_url: str, listen: str, with_claim: bool = False) -> None:
    token = os.environ["CHINWAG_TELEGRAM_TOKEN"]
    api_url = os.environ.get("CHINWAG_TELEGRAM_API_URL", "https://api.telegram.org")
    secret = hmac.new(token.encode(), b"echo-webhook", hashlib.sha256).hexdigest()
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    RESPONSE_MODELS.extend([Response[Message], Response[bool], Response[User]])
    dispatcher = make_dispatcher()
    stopping = asyncio.Event()
    claim, close_database = (
        claimer(os.environ["CHINWAG_DATABASE_URL"]) if with_claim else (None, None)
    )

    async def update(request: web.Request) -> web.Response:
        if not hmac.compare_digest(request.headers.get(SECRET_HEADER, ""), secret):
            return web.Response(status=403, text="forbidden")
        try:
            data = await request.json()
        except json.JSONDecodeError:
            return web.Response(status=400, text="bad json")
        if claim is not None and not await claim(int(data["update_id"])):
            return web.Response(text="ok")  # handled before: a re-delivery
        await dispatcher.feed_update(bot, Update.model_validate(data, context={"bot": bot}))
        return web.Response(text="ok")

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "transport": "aiogram-echo"})

    app = web.Application()
    app.router.add_post(urlsplit(webhook_url).path or "/", update)
    app.router.add_get("/healthz", health)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    host, _, port = listen.rpartition(":")
    await web.TCPSite(runner, host or "0.0.0.0", int(port)).start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)
    try:
        await bot.get_me()
        await bot.set_webhook(webhook_url, secret_token=secret, allowed_updates=["message"])
        await stopping.wait()
    finally:
        await runner.cleanup()
        await bot.session.close()
        if close_database is not None:
            await close_database()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--webhook-url", required=True)
    parser.add_argument("--listen", required=True)
    parser.add_argument(
        "--claim", action="store_true", help="record each update id in CHINWAG_DATABASE_URL"
    )
    args = parser.parse_args()
    asyncio.run(serve(args.webhook_url, args.listen, args.claim))


if __name__ == "__main__":
    main()
