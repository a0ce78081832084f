"""Emergency advice first, when what a resident wrote looks like an emergency or a crime."""

from __future__ import annotations

from handlers.context import Deps
from handlers.inbound import InboundEvent, PhotoShared, TextMessage
from handlers.menu import emergency_advice
from handlers.outbound import OutboundReply, Text


def written(event: InboundEvent) -> str:
    if isinstance(event, TextMessage):
        return event.text
    if isinstance(event, PhotoShared):
        return event.caption
    return ""


def advice_first(
    deps: Deps, event: InboundEvent, replies: list[OutboundReply]
) -> list[OutboundReply]:
    """``replies`` with the emergency advice in front of them if the message needs it.

    Call it inside the resident's locale. The message is still handled as usual.
    """
    if event.sender.chat_type != "private" or not deps.emergency.matches(written(event)):
        return replies
    return [Text(text=emergency_advice()), *replies]
