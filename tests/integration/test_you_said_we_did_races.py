""" "Send" on a "you said, we did" preview pressed twice at once, on two workers: the
update goes once, and the count of people it reached (shown in the report) stays."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.dispatch import handle
from handlers.payloads import encode
from handlers.reports.buttons import LoopAction, LoopButton
from storage.models import LoopUpdate
from tests.integration.test_you_said_we_did import _deliveries, _organiser, text_of


async def test_send_pressed_twice_at_once_keeps_the_count(settings: Settings) -> None:
    first = await build_app(settings, apply_migrations=False)
    second = await build_app(settings, apply_migrations=False)
    try:
        organiser, _lpu = await _organiser(first)
        await organiser.send("/wedid")
        await organiser.press_data(encode(LoopButton(LoopAction.THEME, 0)))
        await organiser.send("The council cleared the canal path.")
        async with first.deps.uow() as uow:
            update = (await uow.session.exec(select(LoopUpdate))).one()
        assert update.id is not None
        data = encode(LoopButton(LoopAction.SEND, update.id))
        presses = [organiser.press_event(data) for _ in range(2)]
        got = await asyncio.gather(handle(first.deps, presses[0]), handle(second.deps, presses[1]))
        texts = sorted(text_of(reply) for replies in got for reply in replies)
        # The second press finds it sent (refused) or, at the same moment, already gone.
        assert texts[0] == "Sending to 40 people. It will be in the next report.", texts
        assert texts[1] in ("That message has already gone.", "You cannot do that."), texts
        async with first.deps.uow() as uow:
            sent = (await uow.session.exec(select(LoopUpdate))).one()
        assert (sent.status, sent.recipients) == ("sent", 40)
        assert len(await _deliveries(first)) == 40
    finally:
        await first.close()
        await second.close()
