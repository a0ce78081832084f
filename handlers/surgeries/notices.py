"""Queuing the notices: one row per follower, keyed so that saving again adds nothing.

A key is ``surgery:<event>:<change>:<version>:<user>``. The event is the series row
for a repeating surgery's news (one notice, not one a date), the date itself when one
date moves or is cancelled; the version rises with every move.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from storage.models import Event
from storage.uow import UnitOfWork

KIND = "surgery_notice"


def key_prefix(event_id: int, change: str = "") -> str:
    return f"surgery:{event_id}:{change}:" if change else f"surgery:{event_id}:"


async def _queue(
    uow: UnitOfWork,
    subject: Event,
    change: str,
    now: datetime,
    *,
    coming_to: Sequence[int] = (),
    waiting: Sequence[str] = (),
) -> int:
    if subject.kind != "surgery" or subject.community_id is None or subject.id is None:
        return 0
    payload = json.dumps({"event_id": subject.id, "version": subject.version, "change": change})
    return await uow.follows.queue_for_followers(
        subject.community_id,
        key_prefix=f"{key_prefix(subject.id, change)}{subject.version}:",
        kind=KIND,
        payload=payload,
        due_at=now,
        quiet=True,
        except_user_id=subject.organiser_id,  # they know: they planned it
        except_answered=coming_to,
        except_pending=waiting,
    )


async def announce_new(uow: UnitOfWork, events: Sequence[Event], now: datetime) -> int:
    """Tell the followers about a new surgery (``events``: its dates, as just saved)."""
    if not events:
        return 0
    subject: Event | None = events[0]
    if events[0].series_id is not None:
        subject = await uow.events.get(events[0].series_id)
    return 0 if subject is None else await _queue(uow, subject, "new", now)


async def announce_moved(uow: UnitOfWork, event: Event, now: datetime) -> int:
    """Tell the followers that ``event`` (already moved, its version risen) has moved."""
    assert event.id is not None
    waiting = [key_prefix(event.id)]
    if event.series_id is not None:
        waiting.append(key_prefix(event.series_id, "new"))
    return await _queue(uow, event, "moved", now, coming_to=[event.id], waiting=waiting)


async def announce_cancelled(uow: UnitOfWork, event: Event, now: datetime) -> int:
    """Tell the followers that ``event`` (one date, or a one-off) is cancelled. Anyone
    whose notice of it is still waiting never heard of it: that notice simply lapses."""
    assert event.id is not None
    waiting = [key_prefix(event.id, "new")]
    if event.series_id is not None:
        waiting.append(key_prefix(event.series_id, "new"))  # it will show the next date
    return await _queue(uow, event, "cancelled", now, coming_to=[event.id], waiting=waiting)


async def announce_series_cancelled(
    uow: UnitOfWork, series: Event, dates: Sequence[Event], now: datetime
) -> int:
    """Tell the followers once that every date still to come (``dates``) is cancelled."""
    assert series.id is not None
    coming_to = [d.id for d in dates if d.id is not None]
    waiting = [key_prefix(series.id, "new")]
    return await _queue(uow, series, "cancelled", now, coming_to=coming_to, waiting=waiting)
