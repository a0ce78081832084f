"""End to end: a PCSO sends /dashboard in Telegram and signs in with the reply's button.

The real aiogram or python-telegram-bot application talks to the fake Bot API over
HTTP; the dashboard is served by uvicorn on 127.0.0.1 in the same event loop, as
``chinwag run`` serves it with CHINWAG_WEB_ENABLED. The public address in the
button (``CHINWAG_DASHBOARD_URL``) is a name this machine does not serve, so the
browser here takes its path to the local server.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from pydantic import SecretStr

from bot.settings import Settings
from bot.staff_command import grant_role
from bot.web.server import WebServer
from tests.e2e.conftest import start_bot
from tests.fakes.bot_api import FakeBotApi
from tests.fakes.markup import inline_buttons

PUBLIC = "http://dashboard.chinwag.test"


@pytest.mark.e2e
@pytest.mark.parametrize("transport", ["aiogram", "ptb"])
async def test_a_pcso_signs_in_with_the_button_from_the_bot(db_url: str, transport: str) -> None:
    async with FakeBotApi() as api:
        settings = Settings(
            database_url=db_url,
            telegram_token=SecretStr(api.token),
            telegram_api_url=api.url,
            transport=transport,
            flood_limit=100_000,
            dashboard_url=PUBLIC,
        )
        bot = await start_bot(settings)
        web = WebServer(bot.app, "127.0.0.1:0")
        try:
            await web.start()
            async with bot.app.deps.uow() as uow:
                await grant_role(uow, telegram_id=5_800_000_001, role="pcso", community="Tarvin")
                await uow.commit()
            pat = api.user(5_800_000_001, "Pat")
            await pat.send("/dashboard")
            reply = await pat.wait_for(contains="Your link to the dashboard")
            [button] = inline_buttons(reply.get("reply_markup"))
            assert button["text"] == "Open the dashboard"
            link = urlsplit(button["url"])
            assert f"{link.scheme}://{link.netloc}" == PUBLIC
            assert re.fullmatch(r"/signin/[A-Za-z0-9_\-]{32}", link.path)

            async with httpx.AsyncClient(base_url=web.url) as browser:
                form = await browser.get(link.path)
                assert form.status_code == 200
                csrf = re.search(r'name="csrf" value="([^"]+)"', form.text)
                assert csrf is not None
                signed = await browser.post(link.path, data={"csrf": csrf.group(1)})
                assert signed.status_code == 303
                home = await browser.get("/")
                assert home.status_code == 200
                assert "Signed in as Pat" in home.text and "Tarvin, in the Chester LPU" in home.text
                assert (await browser.get(link.path)).status_code == 410  # used up
        finally:
            await web.stop()
            await bot.stop()
