"""The button payloads of broadcasts (see ``handlers.payloads`` for the codec)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.payloads import payload


class BroadcastAction(StrEnum):
    START = "new"  # from the organiser menu: the same as /broadcast
    COMMUNITY = "c"  # target: the community to write to
    LPU = "l"  # target: the LPU to write to
    SEND = "send"
    LATER = "later"
    CONFIRM_LATER = "at"
    URGENT = "urg"  # toggle
    NO_LOCATION = "noloc"
    EDIT = "edit"
    DISCARD = "drop"
    STOP = "stop"  # stop a broadcast that is sending, or cancel a scheduled one


@payload("bc")
@dataclass(frozen=True, slots=True)
class BroadcastButton:
    """A sender's button. ``version`` is the draft's version when the button was
    drawn: a button from an older preview (or pressed twice) is refused."""

    action: BroadcastAction
    broadcast: int = 0
    target: int = 0
    version: int = 0


class MuteAction(StrEnum):
    MUTE = "m"
    UNMUTE = "u"


@payload("mu")
@dataclass(frozen=True, slots=True)
class MuteButton:
    """A follower's "stop these messages" (and its undo): a community's team, or an LPU's."""

    action: MuteAction
    community: int = 0
    lpu: int = 0
