"""What went out before the Bot API refused the rest is recorded for the quick exit.

A long text goes as several messages; if Telegram refuses a later part for good,
the first parts are in the person's chat all the same. The refusal
(``Undeliverable.sent_before``) says which they were: the delivery engine records
them in ``chat_messages`` as it marks the row failed, and the webhook's replies
(``deliver``) return them with the rest, so the quick exit deletes them too.
"""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import select

from bot.bootstrap import App
from bot.dispatcher import Dispatcher
from bot.transports.render import Origin, Undeliverable, deliver, send_all
from handlers.outbound import DeleteMessages, Text
from storage.models import Delivery
from tests.integration.test_long_deliveries import (
    FAST,
    FOLLOWER,
    LONG,
    NOON,
    follower,
    rows,
    schedule_long,
)
from tests.support.recording_port import ApiFailure, Call, RecordingPort

OTHER = 8_200_000_002


@pytest.fixture(autouse=True)
def noon(app: App) -> None:
    app.deps = dataclasses.replace(app.deps, clock=lambda: NOON)


def refusing_after_first(chat_id: int) -> RecordingPort:
    """A port that refuses every ``sendMessage`` to ``chat_id`` after the first, for
    good (400)."""
    port = RecordingPort()

    def refuse(call: Call) -> ApiFailure | None:
        if (
            call.method == "sendMessage"
            and call.chat_id == chat_id
            and port.to(chat_id, "sendMessage")
        ):
            return ApiFailure(400, "Bad Request: message text is empty")
        return None

    port.refuse = refuse
    return port


async def test_a_long_delivery_refused_part_way_records_its_first_part(app: App) -> None:
    resident = await follower(app)
    async with app.deps.uow() as uow:
        await schedule_long(uow, FOLLOWER, "long")
        await uow.commit()
    port = refusing_after_first(FOLLOWER)
    await Dispatcher(app, port, "test-worker", lambda: NOON, FAST).run_due()
    [first] = [101 + i for i, c in enumerate(port.calls) if c.chat_id == FOLLOWER]
    async with app.deps.uow() as uow:
        row = (await uow.session.exec(select(Delivery).where(Delivery.chat_id == FOLLOWER))).one()
    assert row.status == "failed"
    assert await rows(app) == {first: None}  # no page: its last part never went

    await resident.send("/exit")
    deleted = resident.replies[0]
    assert isinstance(deleted, DeleteMessages) and first in deleted.message_ids


async def test_the_replies_to_an_update_include_the_parts_sent_before_a_refusal() -> None:
    port = refusing_after_first(FOLLOWER)
    sent = await deliver(
        port, [Text(text=LONG), Text(chat_id=OTHER, text="After")], Origin(FOLLOWER)
    )
    assert sent == [(FOLLOWER, 101), (OTHER, 102)]


async def test_send_all_says_what_went_out_before_it_was_refused() -> None:
    port = refusing_after_first(FOLLOWER)
    with pytest.raises(Undeliverable) as refused:
        await send_all(port, [Text(chat_id=OTHER, text="First"), Text(text=LONG)], Origin(FOLLOWER))
    assert refused.value.sent_before == ((OTHER, 101), (FOLLOWER, 102))
