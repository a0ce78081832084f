"""What every transport does with an event: call the core, and never let it crash the loop."""

from __future__ import annotations

import logging
import time

from bot.bootstrap import App
from handlers.apology import apology
from handlers.dispatch import choose_language, handle
from handlers.inbound import InboundEvent
from handlers.outbound import OutboundReply

log = logging.getLogger("chinwag.updates")


async def process(app: App, event: InboundEvent) -> list[OutboundReply]:
    """Handle ``event``; on a bug, log it (no message text) and apologise to the user."""
    started = time.perf_counter()
    try:
        replies = await handle(app.deps, event)
    except Exception:
        log.exception(
            "handler failed",
            extra={"update_id": event.update_id, "event": type(event).__name__},
        )
        return apology(choose_language(app.deps, event.sender.language_code))
    log.debug(
        "update handled",
        extra={"update_id": event.update_id, "event": type(event).__name__,
               "ms": round((time.perf_counter() - started) * 1000, 2)},
    )
    return replies
