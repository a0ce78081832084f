"""Keeping a repeating event's next dates in the calendar.

A series row holds the rule; its dates are ordinary event rows (so each can be
answered, moved or cancelled on its own). The scheduler calls ``top_up`` from time
to time so that every series always has ``AHEAD`` dates to come that will happen (a
cancelled date is made up for with one after the last). Dates already made, moved
or cancelled are never made again (one row per series and date).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.exc import IntegrityError

from handlers.events import deeplink, service
from handlers.events.recurrence import decode_rule, occurrences, wall_time_instant
from storage.models import Event
from storage.uow import UnitOfWork

AHEAD = 8
COPIED = (
    "kind",
    "title",
    "description",
    "community_id",
    "lpu_id",
    "timezone",
    "venue",
    "address",
    "latitude",
    "longitude",
    "accessibility",
    "capacity",
    "organiser_id",
    "action_group_id",
    "source",
)


def series_end(series: Event, instant: datetime) -> datetime | None:
    """When the date of ``series`` starting at ``instant`` ends: as long after its start
    as the series' first date (real time), or None if the series has no end time."""
    if series.ends_at is None:
        return None
    return instant.astimezone(UTC) + (series.ends_at - series.starts_at)


async def top_up_series(uow: UnitOfWork, series: Event, now: datetime) -> list[Event]:
    """Add dates to ``series`` until it has ``AHEAD`` to come, not counting cancelled
    ones; returns the new ones."""
    assert series.id is not None
    rule = decode_rule(series.recurrence)
    if rule.until is not None and rule.until < now.astimezone(rule.zone).date():
        return []
    dates = await uow.events.series_dates(series.id)
    upcoming = await uow.events.series_upcoming_count(series.id, now)
    if upcoming >= AHEAD or not dates:
        return []
    last = wall_time_instant(max(dates), rule.time, rule.zone)
    created = []
    for instant in occurrences(rule, max(last, now), AHEAD - upcoming):
        fields = {name: getattr(series, name) for name in COPIED}
        created.append(
            await uow.events.add(
                Event(
                    **fields,
                    starts_at=instant.astimezone(UTC),
                    ends_at=series_end(series, instant),
                    status="scheduled",
                    series_id=series.id,
                    occurrence_of=instant.astimezone(rule.zone).date(),
                    checkin_token=deeplink.new_token(),
                )
            )
        )
    if series.action_group_id is not None:
        for member in await uow.groups.members(series.action_group_id):
            for event in created:
                await service.schedule_reminders(uow, event, member, now)
    return created


async def top_up(uow_factory: Callable[[], UnitOfWork], now: datetime) -> int:
    """Top up every series, each in its own transaction; returns how many dates were added.

    Another worker topping up the same series at the same moment makes our insert
    fail on the unique (series, date) key: that series is then already done.
    """
    factory = uow_factory
    async with factory() as uow:
        ids = [s.id for s in await uow.events.all_series() if s.id is not None]
    added = 0
    for series_id in ids:
        async with factory() as uow:
            series = await uow.events.get(series_id)
            if series is None or series.status != "series":
                continue
            try:
                added += len(await top_up_series(uow, series, now))
                await uow.commit()
            except IntegrityError:
                await uow.rollback()
    return added
