"""How directory entries look in the chat: a card, and buttons for a list of them."""

from __future__ import annotations

from handlers.directory import categories
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.i18n import _
from handlers.markup import cut_utf16, escape, fmt
from handlers.outbound import Button
from handlers.payloads import encode

MAX_LISTED = 8


def button(action: DirectoryAction, item: int = 0, target: int = 0) -> str:
    return encode(DirectoryButton(action, item, target))


def entry_buttons(entries: list[tuple[int, str]]) -> list[list[Button]]:
    """One row per entry (``(id, name)``), at most ``MAX_LISTED``."""
    return [
        [Button(cut_utf16(name, 60), button(DirectoryAction.ENTRY, entry_id))]
        for entry_id, name in entries[:MAX_LISTED]
    ]


def card(
    *,
    name: str,
    category: str,
    description: str,
    where_when: str,
    contact: str,
    accessibility: str,
    languages: str,
    serves: str,
    keywords: str = "",
) -> str:
    """An entry as HTML; every stored field is escaped. ``keywords`` are shown to the
    people who look after the entry, not to residents."""
    lines = [f"<b>{escape(name)}</b>", escape(categories.label(category))]
    if description:
        lines += ["", escape(description)]
    lines.append("")
    for template, value in (
        (_("📍 Where and when: {value}"), where_when),
        (_("☎️ Contact: {value}"), contact),
        (_("♿ Access: {value}"), accessibility),
        (_("🗣 Languages: {value}"), languages),
        (_("🗺 Serves: {value}"), serves),
        (_("🔎 Keywords: {value}"), keywords),
    ):
        if value:
            lines.append(fmt(template, value=value))
    return "\n".join(lines).strip()
