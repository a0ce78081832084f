"""One way to log a refused staff action, whatever refused it.

Every organiser and staff handler checks the stored role itself; when it says no, it
calls ``log_refused`` so that forged or replayed buttons show up in the logs alike:
``staff action refused`` at WARNING, with the user's id (ours, not Telegram's), their
stored role, the action and the payload's prefix. Never the payload's values, nor
anything the person typed.
"""

from __future__ import annotations

import logging
import re

from handlers.context import Context
from handlers.inbound import ButtonPress, Command, InboundEvent

__all__ = ["log_refused", "payload_prefix"]

security_log = logging.getLogger("chinwag.security")
_PREFIX = re.compile(r"[A-Za-z0-9_.\-]{1,16}\Z")


def payload_prefix(event: InboundEvent) -> str:
    """What kind of input it was: a button payload's prefix (``og``), a command
    (``/organise``), or the event's kind; ``?`` for a prefix no codec would make."""
    if isinstance(event, ButtonPress):
        prefix = event.data.partition(":")[0]
        return prefix if _PREFIX.match(prefix) else "?"
    if isinstance(event, Command):
        return "/" + event.name[:32]
    return type(event).__name__


def log_refused(ctx: Context, action: str) -> None:
    """Log that ``ctx.user`` was refused ``action`` (a fixed name such as "draft save")."""
    security_log.warning(
        "staff action refused",
        extra={
            "user_id": ctx.user.id,
            "role": ctx.user.role,
            "action": action,
            "payload": payload_prefix(ctx.event),
        },
    )
