"""The retention rule, run daily by the scheduler (``CHINWAG_RETENTION_MONTHS``).

Answers sent more than that many months ago stay in the reports but lose the link
to the person who gave them (``conversations.user_id`` becomes NULL); answers never
sent are deleted. Message ids older than 48 hours, kept for the quick exit, go too,
and so do the dashboard's used or expired sign-in links and ended sessions.
Running it twice, or on several workers at once, changes nothing more.

More often, ``prune_update_log`` drops the replies kept with handled updates (for a
re-delivery after a crash) once they are an hour old, and the updates themselves
after two days: Telegram gives up re-delivering an update within a day.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

from handlers.context import Deps
from handlers.safety.quick_exit import DELETABLE_FOR

REPLIES_KEPT_FOR = timedelta(hours=1)
UPDATES_KEPT_FOR = timedelta(days=2)


def months_before(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(total, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


async def apply_retention(deps: Deps, now: datetime) -> int:
    """Anonymise what is past the retention period; how many conversations changed."""
    changed = 0
    async with deps.uow() as uow:
        if deps.retention_months > 0:
            cutoff = months_before(now, deps.retention_months)
            changed = await uow.retention.anonymise_before(cutoff)
        await uow.chat_messages.prune(now - DELETABLE_FOR)
        await uow.dashboard.prune(now)  # dashboard links and sessions that have ended
        await uow.commit()
    return changed


async def prune_update_log(deps: Deps, now: datetime) -> int:
    """Forget old replies and old update ids; how many update ids went."""
    async with deps.uow() as uow:
        removed = await uow.updates.prune(now - REPLIES_KEPT_FOR, now - UPDATES_KEPT_FOR)
        await uow.commit()
    return removed
