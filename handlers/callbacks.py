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
    EXIT = "exit"  # the quick exit: clear the chat, leave a neutral message


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


class DraftAction(StrEnum):
    """Buttons on an organiser's draft (``handlers.events.organise``)."""

    KIND = "k"  # value: event kind
    GROUP = "g"  # value: action group id
    INSTANT = "i"  # value: 0 or 1, which of two instants an ambiguous time means
    YES = "y"
    CHANGE = "c"
    REPEAT = "r"  # value: none, weekly, monthly
    SKIP = "s"
    BACK = "b"
    LPU = "l"  # value: LPU id
    COMMUNITY = "m"  # value: community id
    SAVE = "v"
    CANCEL = "x"


@payload("dr")
@dataclass(frozen=True, slots=True)
class DraftButton:
    """A button on a draft step; ``draft`` and ``step`` let stale buttons be recognised."""

    draft: int
    step: str
    action: DraftAction
    value: str = "-"


class OrganiserAction(StrEnum):
    MENU = "menu"
    NEW = "new"
    RESUME = "resume"
    EVENTS = "events"
    OPEN = "open"
    MOVE = "move"
    CANCEL_ONE = "cx1"  # ask to confirm cancelling this event (or occurrence)
    CANCEL_SERIES = "cxs"  # ask to confirm cancelling every occurrence still to come
    CONFIRM_ONE = "cx1y"
    CONFIRM_SERIES = "cxsy"
    WHO = "who"
    QR = "qr"
    NEW_GROUP = "ngrp"
    GROUPS = "grps"
    REPORT = "rep"  # the report for the organiser's area, as a file
    WE_DID = "wedid"  # a "you said, we did" update


@payload("og")
@dataclass(frozen=True, slots=True)
class Organiser:
    """Organiser buttons; ``event`` is 0 where none applies. The role is re-checked."""

    action: OrganiserAction
    event: int = 0


class GroupAction(StrEnum):
    LIST = "list"
    JOIN = "join"
    LEAVE = "leave"


@payload("ag")
@dataclass(frozen=True, slots=True)
class GroupButton:
    """Action group buttons for residents; ``group`` is 0 for the list."""

    action: GroupAction
    group: int = 0


class PollAction(StrEnum):
    AUDIENCE_EVENT = "ev"  # target: an event id
    AUDIENCE_GROUP = "gr"  # target: an action group id
    MULTIPLE = "multi"  # toggle single / several choices
    ANONYMOUS = "anon"  # toggle anonymous / named
    SEND = "send"
    RESULTS = "res"
    CLOSE = "close"
    EXPORT = "csv"
    DISCARD = "drop"
    THEMES = "themes"  # fill a draft from the top themes of its event or LPU


@payload("p")
@dataclass(frozen=True, slots=True)
class PollButton:
    """Organisers' poll buttons; ``poll`` is the poll's id (0 before it exists)."""

    action: PollAction
    poll: int = 0
    target: int = 0


class QuietChoice(StrEnum):
    MENU = "menu"
    NIGHT = "2108"  # 21:00-08:00, the default
    LATE = "2207"  # 22:00-07:00
    LONG = "2009"  # 20:00-09:00
    SHORT = "2307"  # 23:00-07:00
    OFF = "off"
    TYPE = "type"  # type my own times
    REMINDERS = "rem"  # back to the reminders menu


@payload("qh")
@dataclass(frozen=True, slots=True)
class QuietHours:
    """A resident's quiet hours; ``event`` is the event to go back to, if any."""

    choice: QuietChoice
    event: int = 0
