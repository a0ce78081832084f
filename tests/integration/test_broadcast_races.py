"""A sender's two updates at once, on two workers: "Send now" on the preview and a new
text for the draft. Followers get the text the sender saw when pressing "Send now",
never one written over it as it went."""

from __future__ import annotations

import asyncio
import dataclasses

from sqlmodel import col, select

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.dispatch import handle
from handlers.inbound import ButtonPress, TextMessage
from storage.models import Broadcast
from tests.integration.test_broadcasts import PCSO_ID, Clock, add_followers, staff, write

ROUNDS = 4  # several, so the race is really run


async def test_send_now_and_a_new_text_at_once_send_what_was_previewed(
    settings: Settings,
) -> None:
    first = await build_app(settings, apply_migrations=False)
    second = await build_app(settings, apply_migrations=False)
    try:
        clock = Clock()
        for worker in (first, second):
            worker.deps = dataclasses.replace(worker.deps, clock=clock)
        await add_followers(first, "Tarvin", 3)
        pcso = await staff(first, PCSO_ID, "pcso", community="Tarvin")
        for n in range(ROUNDS):
            await write(pcso, f"Old {n}")
            send = ButtonPress(
                sender=pcso.sender,
                update_id=890_000_000 + 2 * n,
                data=pcso.find("Send now").payload,
                message_id=1,
                callback_id="cb",
            )
            text = TextMessage(sender=pcso.sender, update_id=890_000_001 + 2 * n, text=f"New {n}")
            await asyncio.gather(handle(first.deps, send), handle(second.deps, text))
            async with first.deps.uow() as uow:
                rows = (await uow.session.exec(select(Broadcast).order_by(col(Broadcast.id)))).all()
            latest = rows[-1]
            if latest.status == "draft":  # the new text came first: the old button is refused
                assert latest.text == f"New {n}"
                await pcso.send("/cancel")
            else:
                assert (latest.status, latest.text) == ("sending", f"Old {n}")
    finally:
        await first.close()
        await second.close()
