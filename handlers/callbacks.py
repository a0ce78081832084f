"""The button payloads of the core features (see ``handlers.payloads`` for the codec)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.payloads import payload


class MenuAction(StrEnum):
    HOME = "home"
    HELP = "help"
    RESUME = "resume"
    RESTART = "restart"
    CANCEL = "cancel"


@payload("m")
@dataclass(frozen=True, slots=True)
class Menu:
    action: MenuAction


@payload("q")
@dataclass(frozen=True, slots=True)
class StartQuestionnaire:
    """Start a questionnaire by id (``resident``, ``organisation``...)."""

    questionnaire: str


class StepAction(StrEnum):
    NEXT = "n"  # an info step's button
    CONSENT = "c"  # value: yes, anon, no
    CHOOSE = "o"  # value: option id (single choice)
    TOGGLE = "t"  # value: option id (multiple choice)
    DONE = "d"
    SKIP = "s"
    BACK = "b"
    LPU = "l"  # value: LPU id, to list its communities
    AREAS = "a"  # back to the list of LPUs
    COMMUNITY = "m"  # value: community id
    EDIT = "e"  # value: question id (from the review)
    SUBMIT = "u"


@payload("s")
@dataclass(frozen=True, slots=True)
class StepButton:
    """A button on a questionnaire step; ``step`` lets stale buttons be recognised."""

    conversation: int
    step: str
    action: StepAction
    value: str = "-"


class DataAction(StrEnum):
    EXPORT = "export"
    FORGET = "forget"
    CONFIRM = "confirm"
    KEEP = "keep"


@payload("d")
@dataclass(frozen=True, slots=True)
class DataRights:
    action: DataAction


class OfficerAction(StrEnum):
    FIND = "find"
    SHOW = "show"
    FOLLOW = "follow"
    UNFOLLOW = "unfollow"


@payload("o")
@dataclass(frozen=True, slots=True)
class Officers:
    """Find-my-officer buttons; ``community`` is 0 where none applies."""

    action: OfficerAction
    community: int = 0


class EventAction(StrEnum):
    LIST = "list"
    OPEN = "open"
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"
    ICS = "ics"
    REMINDERS = "rem"


@payload("e")
@dataclass(frozen=True, slots=True)
class EventButton:
    """Event buttons for residents; ``event`` is 0 for the list."""

    action: EventAction
    event: int = 0


class ReminderChoice(StrEnum):
    BOTH = "both"
    DAY = "day"
    HOUR = "hour"
    OFF = "off"


@payload("r")
@dataclass(frozen=True, slots=True)
class Reminders:
    choice: ReminderChoice
    event: int = 0  # the event to go back to, if any
