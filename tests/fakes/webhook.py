"""Delivering updates to a bot's webhook, as Telegram does after ``setWebhook``.

Updates go one at a time in ``update_id`` order as JSON POSTs, with the
``X-Telegram-Bot-Api-Secret-Token`` header when a secret was set. An answer that
is not 2xx (or no answer) is retried after :attr:`WebhookSender.retry_delay`, and
the update blocks the ones behind it until it is accepted (Telegram spreads
updates over parallel connections; in order is easier to reason about in tests).
A 2xx answer may carry a method call (``{"method": "sendMessage", ...}`` as JSON or
multipart form), which is executed like a request to the API.
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


class WebhookSender:
    retry_delay = 0.2
    request_timeout = 10.0

    def __init__(self, server: FakeBotApi) -> None:
        self._server = server
        self._task: asyncio.Task[None] | None = None
        self.deliveries: list[dict[str, Any]] = []
        self.last_error: tuple[int, str] | None = None

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="fake-bot-api-webhook")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

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
                status, answer = await self._post(session, config, entry.update)
                self.deliveries.append(
                    {
                        "update_id": entry.update_id,
                        "status": status,
                        "url": config["url"],
                        "error": answer if status is None else None,
                    }
                )
                server.signal.fire()
                if status is not None and 200 <= status < 300:
                    server.confirm_delivered(entry)
                    if answer is not None:
                        await server.execute(*answer)
                else:
                    self.last_error = (
                        int(time.time()),
                        str(
                            answer
                            if status is None
                            else f"Wrong response from the webhook: {status}"
                        ),
                    )
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
