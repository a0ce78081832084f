"""Buttons on a draft's question (``DraftButton``), and a typed answer read back as one."""

from __future__ import annotations

import re
from typing import Any

from handlers.callbacks import DraftAction, DraftButton
from handlers.context import Context
from handlers.events.organise.steps import previous_step
from handlers.i18n import _
from handlers.outbound import Button, OutboundReply, Text
from handlers.payloads import decode, encode
from storage.models import EventDraft


def button(row: EventDraft, action: DraftAction, label: str, value: str = "-") -> Button:
    assert row.id is not None
    return Button(label, encode(DraftButton(row.id, row.step, action, value)))


def nav(ctx: Context, row: EventDraft, data: dict[str, Any]) -> list[Button]:
    """Back (unless this is the first step) and Cancel."""
    buttons = []
    if previous_step(ctx.user, data, row.step) is not None:
        buttons.append(button(row, DraftAction.BACK, _("◀️ Back")))
    buttons.append(button(row, DraftAction.CANCEL, _("✖️ Cancel")))
    return buttons


def skip_row(row: EventDraft) -> list[Button]:
    return [button(row, DraftAction.SKIP, _("⏭ Skip"))]


def _bare(label: str) -> str:
    return re.sub(r"^[^\w]+", "", label).strip().casefold()


def matching_button(text: str, replies: list[OutboundReply]) -> DraftButton | None:
    """The answer button (not Back or Cancel) among ``replies`` whose label ``text`` is."""
    wanted = _bare(text)
    if not wanted:
        return None
    for reply in replies:
        if not isinstance(reply, Text):
            continue
        for button_row in reply.buttons:
            for candidate in button_row:
                data = decode(candidate.payload)
                if (
                    isinstance(data, DraftButton)
                    and data.action not in (DraftAction.BACK, DraftAction.CANCEL)
                    and _bare(candidate.label) == wanted
                ):
                    return data
    return None
