"""The button payloads of funding (see ``handlers.payloads`` for the codec)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.payloads import payload


class FundingAction(StrEnum):
    HOME = "home"  # the open pots, drafts and applications
    POT = "pot"  # target: a pot, shown to a resident
    APPLY = "apply"  # target: a pot
    RESUME = "res"  # target: the resident's draft
    SUBMIT = "sub"  # target: the resident's draft
    LATER = "later"  # target: the resident's draft: save and finish later
    ANSWER = "ans"  # target: an application with a question for its applicant
    REVIEW = "rev"  # the organiser's list
    OPEN = "open"  # target: an application, for the organiser
    APPROVE = "ok"  # target: an application; version as drawn
    AMOUNT = "amt"  # target: an application: approve another amount
    DECLINE = "no"  # target: an application
    ASK = "ask"  # target: an application
    NEW_POT = "pot+"  # target: an LPU, or 0 for the organiser's own
    OPEN_POT = "potok"  # target: the organiser's draft pot
    DROP_POT = "potx"  # target: the organiser's draft pot


@payload("fd")
@dataclass(frozen=True, slots=True)
class FundingButton:
    """A funding button; ownership and the stored role are checked on every press."""

    action: FundingAction
    target: int = 0
    version: int = 0
