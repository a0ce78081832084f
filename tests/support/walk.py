"""Walk the resident conversation by what the buttons do, not by their labels, so the
same walk works in every language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from handlers.callbacks import StartQuestionnaire, StepAction, StepButton
from handlers.payloads import decode
from tests.support.resident import Resident


def payload_of(r: Resident, wanted: Callable[[Any], bool]) -> str:
    for button in r.buttons():
        try:
            data = decode(button.payload)
        except Exception:  # a URL button or a payload of another kind
            continue
        if wanted(data):
            return button.payload
    raise AssertionError(f"no such button; have {[b.label for b in r.buttons()]}")


def is_step(action: StepAction, value: str | None = None) -> Callable[[Any], bool]:
    def match(data: Any) -> bool:
        return (
            isinstance(data, StepButton)
            and data.action is action
            and (value is None or data.value == value)
        )

    return match


async def walk_to_exists_in_any_language(r: Resident, place: str = "Tarvn") -> None:
    """From /start to the "what already exists" question, whatever the language."""
    await r.send("/start")
    await r.press_data(
        payload_of(r, lambda d: isinstance(d, StartQuestionnaire) and d.questionnaire == "resident")
    )
    await r.press_data(payload_of(r, is_step(StepAction.NEXT)))
    await r.press_data(payload_of(r, is_step(StepAction.CONSENT, "yes")))
    await r.send(place)
