"""Right-to-left messages that stay readable when they hold Latin names and numbers.

Telegram sets each line's direction from its first strong letter: an Arabic line
that starts with an officer's Latin name ("👮 PC Charlie Fictonby – ...") would be
laid out left to right, with the Arabic pushed to the wrong end. A right-to-left
mark at the start of every line fixes the direction; the names and numbers inside
stay as they are (``handlers.markup.fmt`` isolates them already).
"""

from __future__ import annotations

import dataclasses

from handlers.language.names import is_rtl
from handlers.outbound import Document, Edit, Notice, OutboundReply, Photo, Text

RLM = "\u200f"


def rtl_lines(text: str) -> str:
    return "\n".join(
        RLM + line if line and not line.startswith(RLM) else line for line in text.split("\n")
    )


def for_language(replies: list[OutboundReply], language: str) -> list[OutboundReply]:
    """``replies`` with every line marked right to left, for a right-to-left language."""
    if not is_rtl(language):
        return replies
    marked: list[OutboundReply] = []
    for reply in replies:
        if isinstance(reply, Text | Edit | Notice):
            reply = dataclasses.replace(reply, text=rtl_lines(reply.text))
        elif isinstance(reply, Photo | Document) and reply.caption:
            reply = dataclasses.replace(reply, caption=rtl_lines(reply.caption))
        marked.append(reply)
    return marked
