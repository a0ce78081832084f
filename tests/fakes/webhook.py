"""Delivering updates to a bot's webhook, as Telegram does after ``setWebhook``.

By default updates go one at a time in ``update_id`` order as JSON POSTs, with
the ``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set. An answer
that is not 2xx (or no answer) is retried after :attr:`WebhookSender.retry_delay`,
and the update blocks the ones behind it until it is accepted (in order is easier
to reason about in tests).

With ``connections`` above 1 (``FakeBotApi(webhook_connections=40)``) the sender
behaves as Telegram does under load: up to that many POSTs in flight at once
(capped by the ``max_connections`` given to ``setWebhook``, 40 if none), each
chat's updates still one at a time and in order, a failed one retried and
holding back only its own chat.

A 2xx answer may carry a method call (``{"method": "sendMessage", ...}`` as JSON or
multipart form), which is executed like a request to the API. Every POST is
recorded in :attr:`WebhookSender.deliveries` with its ``sent_at`` (monotonic
clock) and ``elapsed`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from email.parser import BytesParser
from email.policy import HTTP
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import aiohttp

from tests.fakes.params import UploadedFile, bad_request, normalise, resolve_attachments

if TYPE_CHECKING:
    from tests.fakes.bot_api import FakeBotApi
    from tests.fakes.updates import QueuedUpdate

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def check_webhook_url(url: str) -> None:
    """Only loopback URLs: the fake must never talk to the outside world."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.hostname not in LOCAL_HOSTS:
        raise bad_request(
            "bad webhook: the fake Bot API only delivers to http(s)://127.0.0.1 or localhost"
        )


def _parse_multipart(content_type: str, body: bytes) -> dict[str, Any]:
    message = BytesParser(policy=HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    params: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if not isinstance(name, str) or not isinstance(payload, bytes):
            continue
        filename = part.get_filename()
        if filename is not None:
            params[name] = UploadedFile(filename, payload, part.get_content_type())
        else:
            params[name] = payload.decode(part.get_content_charset() or "utf-8")
    return params


def reply_method(content_type: str, body: bytes) -> tuple[str, dict[str, Any]] | None:
    """The method call in a webhook answer, if there is one."""
    params: dict[str, Any]
    if content_type.startswith("application/json"):
        try:
            data = json.loads(body) if body else None
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        params = data
    elif content_type.startswith("multipart/form-data"):
        params = _parse_multipart(content_type, body)
    else:
        return None
    method = params.pop("method", None)
    if not isinstance(method, str):
        return None
    return method, normalise(resolve_attachments(params))


DEFAULT_MAX_CONNECTIONS = 40  # Telegram's default for setWebhook's max_connections


class WebhookSender:
    retry_delay = 0.2
    request_timeout = 10.0

    def __init__(self, server: FakeBotApi, connections: int = 1) -> None:
        self._server = server
        self.connections = connections
        self._task: asyncio.Task[None] | None = None
        self._posts: set[asyncio.Task[None]] = set()
        self.deliveries: list[dict[str, Any]] = []
        self.last_error: tuple[int, str] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            run = self._run if self.connections <= 1 else self._run_parallel
            self._task = asyncio.create_task(run(), name="fake-bot-api-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _record(
        self, entry: QueuedUpdate, url: str, status: int | None, answer: Any, sent_at: float
    ) -> None:
        self.deliveries.append(
            {
                "update_id": entry.update_id,
                "status": status,
                "url": url,
                "error": answer if status is None else None,
                "sent_at": sent_at,
                "elapsed": time.monotonic() - sent_at,
                # the method call the bot put in its 2xx answer, if any
                "method": answer[0] if status is not None and answer is not None else None,
            }
        )
        if status is None or not 200 <= status < 300:
            self.last_error = (
                int(time.time()),
                str(answer if status is None else f"Wrong response from the webhook: {status}"),
            )

    async def _run_parallel(self) -> None:
        """Up to ``connections`` POSTs at once, one per chat at a time, in order."""
        server = self._server
        in_flight: set[int] = set()  # ids of the entries being posted
        busy: set[object] = set()  # chats with an update in flight
        done = asyncio.Event()
        connector = aiohttp.TCPConnector(limit=0)
        try:
            async with aiohttp.ClientSession(connector=connector) as session:
                while True:
                    config = server.webhook
                    limit = min(
                        self.connections,
                        int((config or {}).get("max_connections") or DEFAULT_MAX_CONNECTIONS),
                    )
                    if config:
                        seen: set[object] = set()
                        for entry in server.ready_updates():
                            if len(in_flight) >= limit:
                                break
                            key: object = (
                                entry.chat_id if entry.chat_id is not None else entry.update_id
                            )
                            if key in seen or key in busy:
                                seen.add(key)
                                continue
                            seen.add(key)
                            busy.add(key)
                            in_flight.add(id(entry))
                            task = asyncio.create_task(
                                self._post_one(session, config, entry, key, in_flight, busy, done)
                            )
                            self._posts.add(task)
                            task.add_done_callback(self._posts.discard)
                    done.clear()
                    waits = {
                        asyncio.ensure_future(server.signal.wait(1.0)),
                        asyncio.ensure_future(done.wait()),
                    }
                    try:
                        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                    finally:
                        for waiting in waits:
                            waiting.cancel()
        finally:
            for task in list(self._posts):
                task.cancel()
            if self._posts:
                await asyncio.gather(*self._posts, return_exceptions=True)

    async def _post_one(
        self,
        session: aiohttp.ClientSession,
        config: dict[str, Any],
        entry: QueuedUpdate,
        key: object,
        in_flight: set[int],
        busy: set[object],
        done: asyncio.Event,
    ) -> None:
        server = self._server
        try:
            server.mark_delivered(entry)
            sent_at = time.monotonic()
            status, answer = await self._post(session, config, entry.update)
            self._record(entry, config["url"], status, answer, sent_at)
            if status is not None and 200 <= status < 300:
                server.confirm_delivered(entry)
                if answer is not None:
                    await server.execute(*answer)
            else:
                server.signal.fire()
                await asyncio.sleep(self.retry_delay)
        finally:
            in_flight.discard(id(entry))
            busy.discard(key)
            done.set()

    async def _run(self) -> None:
        server = self._server
        async with aiohttp.ClientSession() as session:
            while True:
                config = server.webhook
                ready = server.ready_updates() if config else []
                if not config or not ready:
                    await server.signal.wait(1.0)
                    continue
                entry = ready[0]
                server.mark_delivered(entry)
                sent_at = time.monotonic()
                status, answer = await self._post(session, config, entry.update)
                self._record(entry, config["url"], status, answer, sent_at)
                server.signal.fire()
                if status is not None and 200 <= status < 300:
                    server.confirm_delivered(entry)
                    if answer is not None:
                        await server.execute(*answer)
                else:
                    await asyncio.sleep(self.retry_delay)

    async def _post(
        self, session: aiohttp.ClientSession, config: dict[str, Any], update: dict[str, Any]
    ) -> tuple[int | None, Any]:
        """Status and reply method (on success) or error text (when nothing answered)."""
        headers = {}
        if config.get("secret_token"):
            headers[SECRET_HEADER] = str(config["secret_token"])
        try:
            async with session.post(
                config["url"],
                json=update,
                headers=headers,
                timeout=aiohttp.ClientTimeout(total=self.request_timeout),
            ) as response:
                body = await response.read()
                return response.status, reply_method(response.headers.get("Content-Type", ""), body)
        except (aiohttp.ClientError, TimeoutError) as exc:
            return None, f"{type(exc).__name__}: {exc}"
