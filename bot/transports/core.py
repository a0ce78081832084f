"""What every transport does with an event: call the core, and never let it crash the loop."""

from __future__ import annotations

import logging
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError

from bot.bootstrap import App
from bot.transports.polling import RetryLater
from handlers.apology import apology
from handlers.dispatch import UpdateInFlight, choose_language, handle
from handlers.inbound import InboundEvent
from handlers.outbound import OutboundReply
from storage.database import is_transient, write_failure

log = logging.getLogger("chinwag.updates")


async def process(app: App, event: InboundEvent) -> list[OutboundReply]:
    """Handle ``event``; on a bug, log it (no message text) and apologise to the user.

    Each update is counted in ``app.metrics`` with its outcome: ``ok``, ``apology``
    (a bug or a database error, answered with an apology) or ``retry`` (the database
    is away; the update is given back to Telegram to send again); ``cancelled`` if
    the worker stopped in the middle of it.
    """
    started = time.perf_counter()
    outcome = "cancelled"
    try:
        replies = await handle(app.deps, event)
        outcome = "ok"
    except UpdateInFlight as exc:
        outcome = "retry"  # handled moments ago; its replies may still be going out
        raise RetryLater from exc
    except (OperationalError, InterfaceError, ConnectionError, OSError) as exc:
        outcome = "retry"
        reason = write_failure(exc)
        if reason is not None:
            # Not lost: Telegram is told to send the update again, until there is room.
            log.error(
                f"database cannot be written: {reason}; updates are refused until it is fixed",
                extra={"update_id": event.update_id, "error": type(exc).__name__},
            )
        else:
            log.warning(
                "database unavailable",
                extra={"update_id": event.update_id, "error": type(exc).__name__},
            )
        raise RetryLater from exc
    except DBAPIError as exc:
        if exc.connection_invalidated or is_transient(exc):  # e.g. PostgreSQL restarting
            outcome = "retry"
            raise RetryLater from exc
        outcome = "apology"
        log.exception(
            "database error", extra={"update_id": event.update_id, "event": type(event).__name__}
        )
        return apology(choose_language(app.deps, event.sender.language_code))
    except Exception:
        outcome = "apology"
        log.exception(
            "handler failed",
            extra={"update_id": event.update_id, "event": type(event).__name__},
        )
        return apology(choose_language(app.deps, event.sender.language_code))
    finally:
        app.metrics.observe(event, outcome, time.perf_counter() - started)
    log.debug(
        "update handled",
        extra={
            "update_id": event.update_id,
            "event": type(event).__name__,
            "ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return replies
