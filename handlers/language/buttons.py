"""The button payloads of the language choice (see ``handlers.payloads``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from handlers.payloads import payload


class LanguageAction(StrEnum):
    MENU = "menu"
    SET = "set"  # from the /language menu
    SWITCH = "yes"  # yes to "continue in <detected>?"
    KEEP = "no"  # no: keep the current language, and do not ask about this one again


@payload("lg")
@dataclass(frozen=True, slots=True)
class LanguageButton:
    action: LanguageAction
    language: str = "-"
