"""A webhook request without the right secret is refused and nothing of it is processed.

tests/e2e/test_webhook.py already shows 403 for a missing, wrong or truncated
secret header and that no update id is recorded. Here, over real HTTP to the real
webhook server (one transport is enough: the check is the server's own): a secret
header that is not even UTF-8 (raw bytes on the wire), the right secret in the
wrong place (the query string, another header), and requests that would do harm if
processed (a staff invitation, a huge body). Each gets 403, and afterwards no user
exists, no update is recorded and nothing was sent to the Bot API.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.settings import Settings
from bot.webhook import SECRET_HEADER, WebhookServer
from storage.models import ProcessedUpdate, User
from tests.e2e.conftest import bot_api, bot_settings, start_bot  # noqa: F401  (fixtures)
from tests.fakes.bot_api import FakeBotApi

pytestmark = pytest.mark.e2e
SENDING = ("sendMessage", "sendDocument", "sendPhoto", "sendPoll", "editMessageText")


@pytest.fixture
def transport() -> str:
    return "aiogram"


@pytest.fixture
async def webhook(bot_settings: Settings) -> AsyncIterator[WebhookServer]:  # noqa: F811
    bot = await start_bot(bot_settings, "webhook")
    assert bot.webhook is not None
    yield bot.webhook
    await bot.stop()


def update(update_id: int, text: str) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "text": text,
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
            "chat": {"id": 4242, "type": "private", "first_name": "Eve"},
            "from": {"id": 4242, "is_bot": False, "first_name": "Eve"},
        },
    }


async def raw_post(port: int, path: str, headers: list[bytes], body: bytes) -> int:
    """POST with header bytes exactly as given (a client library would refuse some)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = [
        f"POST {path} HTTP/1.1".encode(),
        f"Host: 127.0.0.1:{port}".encode(),
        b"Content-Type: application/json",
        f"Content-Length: {len(body)}".encode(),
        b"Connection: close",
        *headers,
    ]
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    status_line = await asyncio.wait_for(reader.readline(), 10)
    writer.close()
    await writer.wait_closed()
    return int(status_line.split()[1])


async def nothing_processed(webhook: WebhookServer, api: FakeBotApi) -> None:
    async with webhook.transport.app.deps.uow() as uow:
        users = (await uow.session.exec(select(func.count()).select_from(User))).one()
        updates = (await uow.session.exec(select(func.count()).select_from(ProcessedUpdate))).one()
    assert (users, updates) == (0, 0)
    assert all(api.calls(method) == [] for method in SENDING)


@pytest.mark.parametrize(
    "value",
    [
        pytest.param(b"\xff\xfe\xfd", id="not-utf8"),
        pytest.param(b"right-but-latin1-\xe9", id="latin1"),
        pytest.param("wrong-é".encode(), id="utf8-non-ascii"),
        pytest.param(b"\x01\x02", id="control-bytes"),
    ],
)
async def test_a_secret_that_is_not_plain_text_is_refused_not_an_error(
    webhook: WebhookServer,
    bot_api: FakeBotApi,  # noqa: F811
    value: bytes,
) -> None:
    body = json.dumps(update(990_001, "/start")).encode()
    header = SECRET_HEADER.encode() + b": " + value
    status = await raw_post(webhook.port, webhook.path, [header], body)
    assert status in (400, 403)
    await nothing_processed(webhook, bot_api)


async def test_the_secret_in_the_wrong_place_or_a_harmful_body_is_refused(
    webhook: WebhookServer,
    bot_api: FakeBotApi,  # noqa: F811
) -> None:
    base = f"http://127.0.0.1:{webhook.port}{webhook.path}"
    attempts = [
        (f"{base}?secret_token={webhook.secret}", {}, update(990_002, "/start")),
        (base, {"Authorization": f"Bearer {webhook.secret}"}, update(990_003, "/start")),
        (base, {"X-Telegram-Bot-Api-Secret": webhook.secret}, update(990_004, "/start")),
        (base, {SECRET_HEADER: webhook.secret.upper()}, update(990_005, "/start")),
        (base, {}, update(990_006, "/start staff-" + "A" * 43)),
        (base, {SECRET_HEADER: "wrong"}, update(990_007, "/forget")),
    ]
    async with aiohttp.ClientSession() as session:
        for url, headers, payload in attempts:
            async with session.post(url, json=payload, headers=headers) as response:
                assert response.status == 403, (url, headers)
        big = b'{"update_id": 990008, "message": {"text": "' + b"x" * 200_000 + b'"}}'
        async with session.post(
            base, data=big, headers={"Content-Type": "application/json"}
        ) as response:
            assert response.status in (403, 413)
    await nothing_processed(webhook, bot_api)
