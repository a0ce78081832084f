"""The button payloads of "you said, we did" updates (see ``handlers.payloads``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.payloads import payload


class LoopAction(StrEnum):
    THEME = "th"  # target: the theme's place in the list shown
    GROUP = "gr"  # target: an action group's id
    SEND = "send"  # target: the draft update's id
    DISCARD = "drop"  # target: the draft update's id


@payload("yw")
@dataclass(frozen=True, slots=True)
class LoopButton:
    """An organiser's button; the stored role is checked again on every press."""

    action: LoopAction
    target: int = 0
