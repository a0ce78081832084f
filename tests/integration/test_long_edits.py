"""A page edited in place after a button press can be longer than Telegram's 4096
characters (an event written to every field's limit, its "&" escaped): the edit used to
go out whole, Telegram refused it ("message is too long") and the resident saw nothing
change. The first part now replaces the message and the rest follow it, buttons last."""

from __future__ import annotations

from bot.bootstrap import App
from bot.transports.render import Origin, deliver
from handlers.callbacks import EventAction, EventButton
from handlers.markup import TELEGRAM_TEXT_LIMIT, to_plain
from handlers.outbound import Edit
from handlers.payloads import encode
from tests.support.long_event import full_event
from tests.support.recording_port import ApiFailure, Call, RecordingPort
from tests.support.resident import Resident

RESIDENT = 8_900_000_001


def too_long(call: Call) -> ApiFailure | None:
    """The Bot API's refusal of a text over its limit."""
    if call.method in ("sendMessage", "editMessageText") and len(call.text) > TELEGRAM_TEXT_LIMIT:
        return ApiFailure(400, "Bad Request: message is too long")
    return None


async def test_a_long_event_page_edited_after_going_is_delivered_in_parts(app: App) -> None:
    event = await full_event(app)
    resident = Resident(app.deps, RESIDENT)
    replies = await resident.press_data(encode(EventButton(EventAction.GOING, event.id or 0)))
    [page] = [r for r in replies if isinstance(r, Edit)]
    assert len(page.text) > TELEGRAM_TEXT_LIMIT  # the premise: the page is too long

    port = RecordingPort()
    port.refuse = too_long
    sent = await deliver(
        port,  # type: ignore[arg-type]
        replies,
        Origin(RESIDENT, message_id=77, callback_id="cb"),
    )
    methods = [(c.method, c.extra.get("message_id")) for c in port.calls]
    assert methods == [("editMessageText", 77), ("sendMessage", None)]
    assert port.calls[0].buttons == ()  # the buttons go on the last part
    assert port.calls[-1].buttons == page.buttons
    assert "".join(to_plain(c.text) for c in port.calls).count("&") == to_plain(page.text).count(
        "&"
    )
    assert "You said you are going" in port.calls[-1].text
    assert sent == [(RESIDENT, 77), (RESIDENT, port.last_id)]  # both parts, for the quick exit
