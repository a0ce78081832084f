"""What every transport does with an event: call the core, and never let it crash the loop."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.bootstrap import App
from bot.transports.polling import RetryLater
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
    except (OperationalError, InterfaceError, ConnectionError, OSError) as exc:
        log.warning(
            "database unavailable",
            extra={"update_id": event.update_id, "error": type(exc).__name__},
        )
        raise RetryLater from exc
    except DBAPIError as exc:
        if exc.connection_invalidated:
            raise RetryLater from exc
        log.exception(
            "database error", extra={"update_id": event.update_id, "event": type(event).__name__}
        )
        return apology(choose_language(app.deps, event.sender.language_code))
    except Exception:
        log.exception(
            "handler failed",
            extra={"update_id": event.update_id, "event": type(event).__name__},
        )
        return apology(choose_language(app.deps, event.sender.language_code))
    log.debug(
        "update handled",
        extra={
            "update_id": event.update_id,
            "event": type(event).__name__,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return replies
