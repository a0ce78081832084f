"""A fake Telegram Bot API server for end-to-end tests.

Real aiogram and python-telegram-bot clients talk to it over HTTP on 127.0.0.1:

    api = FakeBotApi()
    await api.start()
    bot = aiogram.Bot(api.token, session=AiohttpSession(api=TelegramAPIServer.from_base(api.url)))
    bot = telegram.Bot(api.token, base_url=f"{api.url}/bot", base_file_url=f"{api.url}/file/bot")
    alex = api.user(1001)
    await alex.send("/start")
    reply = await alex.wait_for(contains="Welcome")

It answers like Telegram: ``{"ok": true, "result": ...}``, or a non-2xx status with
``{"ok": false, "error_code": ..., "description": ...}`` worded as Telegram words
it, so the frameworks raise their usual exceptions. Updates made by simulated users
are served by ``getUpdates`` (long polling, offsets) or pushed to a webhook.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import random
import re
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.fakes.fake_user import FakeUser
from tests.fakes.messaging import Messaging
from tests.fakes.params import ApiError, bad_request, normalise, read_params
from tests.fakes.send_limits import SendLimits
from tests.fakes.updates import QueuedUpdate, Signal, UpdateQueue
from tests.fakes.webhook import WebhookSender, check_webhook_url
from tests.fakes.world import World

log = logging.getLogger("tests.fakes.bot_api")

DEFAULT_TOKEN = "123456789:AAEfakeTOKENforTESTSabcdefghijklmnopq"
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one "
    "bot instance is running"
)

Handler = Callable[[dict[str, Any]], Any]


@dataclass
class Fault:
    status: int
    description: str
    retry_after: int | None
    times: int


@dataclass
class Flakiness:
    """A share of calls of some methods fails before the fake does anything with them:
    half answer ``502 Bad Gateway``, half lose the connection without an answer (a
    gateway timing out). ``injected`` counts both kinds."""

    rate: float
    methods: frozenset[str]
    rng: random.Random
    injected: dict[str, int]

    def draw(self, method: str) -> str | None:
        if method.lower() not in self.methods or self.rng.random() >= self.rate:
            return None
        kind = "502" if self.rng.random() < 0.5 else "timeout"
        self.injected[kind] += 1
        return kind


class FakeBotApi:
    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_id: int = 123456789,
        username: str = "chinwag_test_bot",
        first_name: str = "Chinwag Test",
        host: str = "127.0.0.1",
        port: int = 0,
        send_limit: int | None = None,
        chat_interval: float | None = None,
        webhook_connections: int = 1,
    ) -> None:
        """``send_limit``: answer 429 beyond that many sends a second overall (Telegram:
        30); ``chat_interval``: beyond one send per that many seconds to one chat (1.0).
        Off by default; the counts in ``limits`` are kept either way.
        ``webhook_connections``: parallel webhook POSTs (each chat still in order), as
        Telegram does; 1 (one at a time, in ``update_id`` order) by default."""
        self.token = token
        self.host = host
        self.port = port
        self.bot_user: dict[str, Any] = {
            "id": bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
        }
        self.signal = Signal()
        self.world = World(self.bot_user, self.signal)
        self.messaging = Messaging(self.world)
        self.requests: list[tuple[str, dict[str, Any]]] = []
        # (method, Content-Type) of every HTTP request, as it came in
        self.encodings: list[tuple[str, str]] = []
        self.commands: list[Any] = []
        self.commands_by_scope: dict[tuple[str, str], list[Any]] = {}
        self.menu_buttons: dict[int | None, dict[str, Any]] = {}
        self.webhook: dict[str, Any] | None = None
        self.server_errors: list[str] = []  # bugs in the fake itself (answered with 500)
        self.limits = SendLimits(send_limit, chat_interval)
        self._queue = UpdateQueue(first_id=100_001)
        self._sender = WebhookSender(self, webhook_connections)
        self._allowed: frozenset[str] | None = None
        self._faults: dict[str, list[Fault]] = {}
        self._flaky: Flakiness | None = None
        self._users: dict[int, FakeUser] = {}
        self._poller = 0  # id of the newest getUpdates call; older waiting ones get 409
        self._last_commands_key: tuple[str, str] | None = None
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._url: str | None = None
        self._methods: dict[str, Handler] = self._method_table()
        self._canonical = {name.lower(): name for name in self._methods}

    # -- lifecycle -----------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_UPLOAD_BYTES)
        app.router.add_route("*", r"/bot{token:[^/]+}/{method:[^/]+}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._closing = False
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.port = port
        self._url = f"http://{host}:{port}"

    async def stop(self) -> None:
        """Release long polls, stop webhook delivery and close the server."""
        self._closing = True
        self.signal.fire()
        await self._sender.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def url(self) -> str:
        """Base URL for both frameworks, e.g. ``http://127.0.0.1:54321``."""
        if self._url is None:
            raise RuntimeError("FakeBotApi.start() has not been awaited")
        return self._url

    # -- simulated users and inspection --------------------------------------

    def user(
        self,
        user_id: int,
        first_name: str = "Alex",
        username: str | None = None,
        language_code: str | None = "en",
    ) -> FakeUser:
        """The simulated user ``user_id`` (created once) and its private chat."""
        if user_id not in self._users:
            self._users[user_id] = FakeUser(self, user_id, first_name, username, language_code)
        return self._users[user_id]

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in the chat, as they are now (edits applied, deleted gone)."""
        return [m.record() for m in self.world.bot_messages(chat_id)]

    @property
    def deleted(self) -> dict[int, list[int]]:
        return self.world.deleted

    @property
    def callback_answers(self) -> dict[str, dict[str, Any]]:
        """answerCallbackQuery parameters by callback query id."""
        return self.world.callback_answers

    @property
    def webhook_deliveries(self) -> list[dict[str, Any]]:
        """Every webhook POST: ``{"update_id", "status", "url", "error", "method"}``
        (``method``: the call carried in the bot's answer, if any)."""
        return self._sender.deliveries

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every request for ``method``, in order."""
        return [params for name, params in self.requests if name.lower() == method.lower()]

    def pending_updates(self) -> int:
        """Updates not yet confirmed (Telegram's ``pending_update_count``)."""
        return len(self._queue)

    def redeliver(self, update_id: int) -> None:
        """Queue an already confirmed update again, with the same ``update_id``."""
        self._queue.redeliver(update_id)
        self.signal.fire()

    def fail_next(
        self,
        method: str,
        status: int,
        description: str,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any) with this error."""
        self._faults.setdefault(method.lower(), []).append(
            Fault(status, description, retry_after, times)
        )

    def block(self, chat_id: int) -> None:
        """The user blocked the bot: sending or editing there answers 403."""
        self.world.blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        self.world.blocked.discard(chat_id)

    # -- the update queue (used by FakeUser and WebhookSender) ---------------

    def enqueue(self, kind: str, payload: dict[str, Any], chat_id: int | None) -> int:
        update_id = self._queue.next_id()
        self._queue.push({"update_id": update_id, kind: payload}, chat_id)
        self.signal.fire()
        return update_id

    def undelivered(self, chat_id: int) -> int:
        """Updates from this chat the bot has not fetched yet."""
        return self._queue.undelivered(chat_id)

    def ready_updates(self) -> list[QueuedUpdate]:
        return self._queue.ready(self._allowed)

    def mark_delivered(self, entry: QueuedUpdate) -> None:
        entry.delivered = True
        self._note_chat(entry.chat_id)

    def confirm_delivered(self, entry: QueuedUpdate) -> None:
        self._queue.remove(entry)
        self.signal.fire()

    def _note_chat(self, chat_id: Any) -> None:
        state = self.world.chats.get(chat_id) if isinstance(chat_id, int) else None
        if state is not None:
            state.last_activity = asyncio.get_running_loop().time()

    # -- HTTP ----------------------------------------------------------------

    def flaky(self, rate: float, methods: tuple[str, ...], *, seed: int = 0) -> Flakiness:
        """Fail ``rate`` of the calls of ``methods`` (see :class:`Flakiness`); the
        failed call is not carried out, so sending it again is safe."""
        self._flaky = Flakiness(
            rate,
            frozenset(m.lower() for m in methods),
            random.Random(seed),
            {"502": 0, "timeout": 0},
        )
        return self._flaky

    async def _handle(self, request: web.Request) -> web.Response:
        fault = self._flaky.draw(request.match_info["method"]) if self._flaky else None
        if fault == "timeout":
            await asyncio.sleep(0.05)
            if request.transport is not None:
                request.transport.abort()  # the client sees the connection drop, no answer
            raise ConnectionResetError("fake gateway timeout")
        if fault == "502":
            return web.json_response(ApiError(502, "Bad Gateway").payload(), status=502)
        self.encodings.append((request.match_info["method"], request.content_type))
        try:
            params = normalise(await read_params(request))
        except ApiError as exc:
            return web.json_response(exc.payload(), status=exc.status)
        status, body = await self.execute(
            request.match_info["method"],
            params,
            authorised=request.match_info["token"] == self.token,
        )
        return web.json_response(body, status=status)

    @staticmethod
    async def _not_found(request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").payload(), status=404)

    async def execute(
        self, method: str, params: dict[str, Any], *, authorised: bool = True
    ) -> tuple[int, dict[str, Any]]:
        """Record and answer one API call: HTTP status and JSON body."""
        name = self._canonical.get(method.lower(), method)
        self.requests.append((name, params))
        self._note_chat(params.get("chat_id"))
        query_id = params.get("callback_query_id")
        if isinstance(query_id, str):
            self._note_chat(self.world.callbacks.get(query_id))
        self.signal.fire()
        try:
            if not authorised:
                raise ApiError(401, "Unauthorized")
            self.limits.check(name, params)
            self._raise_fault(name)
            handler = self._methods.get(name)
            if handler is None:
                raise ApiError(404, "Not Found")
            result = handler(params)
            if inspect.isawaitable(result):
                result = await result
            self.limits.delivered(name, params)
        except ApiError as exc:
            return exc.status, exc.payload()
        except Exception:
            self.server_errors.append(traceback.format_exc())
            log.exception("fake Bot API failed on %s", name)
            return 500, ApiError(500, "Internal Server Error: bug in the fake").payload()
        return 200, {"ok": True, "result": result}

    def _raise_fault(self, name: str) -> None:
        for key in (name.lower(), "*"):
            faults = self._faults.get(key)
            if faults:
                fault = faults[0]
                fault.times -= 1
                if fault.times <= 0:
                    faults.pop(0)
                raise ApiError(fault.status, fault.description, fault.retry_after)

    # -- methods -------------------------------------------------------------

    def _method_table(self) -> dict[str, Handler]:
        m = self.messaging
        return {
            "getMe": self._get_me,
            "logOut": self._true,
            "close": self._true,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setChatMenuButton": self._set_chat_menu_button,
            "getChatMenuButton": self._get_chat_menu_button,
            "sendMessage": m.send_message,
            "editMessageText": m.edit_message_text,
            "editMessageCaption": m.edit_message_caption,
            "editMessageReplyMarkup": m.edit_message_reply_markup,
            "deleteMessage": m.delete_message,
            "deleteMessages": m.delete_messages,
            "answerCallbackQuery": m.answer_callback_query,
            "sendPoll": m.send_poll,
            "stopPoll": m.stop_poll,
            "sendDocument": m.send_document,
            "sendPhoto": m.send_photo,
            "sendLocation": m.send_location,
            "sendVenue": m.send_venue,
            "sendChatAction": m.send_chat_action,
            "getChat": m.get_chat,
        }

    @staticmethod
    def _true(params: dict[str, Any]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _set_allowed(self, allowed: Any) -> None:
        if isinstance(allowed, list):
            self._allowed = frozenset(allowed) if allowed else None

    async def _get_updates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset, limit, timeout = p.get("offset"), p.get("limit"), p.get("timeout")
        limit = min(max(limit, 1), 100) if isinstance(limit, int) else 100
        timeout = max(float(timeout), 0.0) if isinstance(timeout, int | float) else 0.0
        self._set_allowed(p.get("allowed_updates"))
        if isinstance(offset, int) and offset != 0:
            self._queue.confirm(offset)
        self._poller += 1
        me = self._poller
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            if me != self._poller:
                raise ApiError(409, POLL_CONFLICT)
            ready = self.ready_updates()
            remaining = deadline - loop.time()
            if ready or self._closing or remaining <= 0:
                break
            await self.signal.wait(remaining)
        batch = ready[:limit]
        for entry in batch:
            self.mark_delivered(entry)
        if batch:
            self.signal.fire()
        return [entry.update for entry in batch]

    async def _set_webhook(self, p: dict[str, Any]) -> bool:
        url = p.get("url") or ""
        if not url:
            return await self._delete_webhook(p)
        if not isinstance(url, str):
            raise bad_request("bad webhook: invalid URL")
        check_webhook_url(url)
        secret = p.get("secret_token")
        if secret is not None and not SECRET_TOKEN.match(str(secret)):
            raise bad_request("secret token contains unallowed characters")
        if p.get("drop_pending_updates"):
            self._queue.clear()
        self._set_allowed(p.get("allowed_updates"))
        self.webhook = {key: value for key, value in p.items() if key != "certificate"}
        self._sender.start()
        self.signal.fire()
        return True

    async def _delete_webhook(self, p: dict[str, Any]) -> bool:
        self.webhook = None
        if p.get("drop_pending_updates"):
            self._queue.clear()
        await self._sender.stop()
        self.signal.fire()
        return True

    def _get_webhook_info(self, p: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._queue),
        }
        if self.webhook is not None:
            info["url"] = self.webhook["url"]
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if self._allowed is not None:
                info["allowed_updates"] = sorted(self._allowed)
            if self._sender.last_error is not None:
                info["last_error_date"], info["last_error_message"] = self._sender.last_error
        return info

    @staticmethod
    def _commands_key(p: dict[str, Any]) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(p.get("language_code") or "")

    def _set_my_commands(self, p: dict[str, Any]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("can't parse commands JSON object")
        for command in commands:
            if not isinstance(command, dict) or not COMMAND_NAME.match(
                str(command.get("command", ""))
            ):
                raise bad_request("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(p)
        self.commands_by_scope[key] = commands
        self.commands = commands
        self._last_commands_key = key
        return True

    def _get_my_commands(self, p: dict[str, Any]) -> list[Any]:
        return self.commands_by_scope.get(self._commands_key(p), [])

    def _delete_my_commands(self, p: dict[str, Any]) -> bool:
        key = self._commands_key(p)
        self.commands_by_scope.pop(key, None)
        if key == self._last_commands_key:
            self.commands = []
        return True

    def _set_chat_menu_button(self, p: dict[str, Any]) -> bool:
        button = p.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in (
            "default",
            "commands",
            "web_app",
        ):
            raise bad_request("can't parse menu button JSON object")
        chat_id = p.get("chat_id")
        if chat_id is not None:
            self.world.chat(chat_id)
        self.menu_buttons[chat_id] = button
        return True

    def _get_chat_menu_button(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = p.get("chat_id")
        return self.menu_buttons.get(chat_id) or self.menu_buttons.get(None) or {"type": "default"}


__all__ = ["DEFAULT_TOKEN", "ApiError", "FakeBotApi", "FakeUser"]
