"""What happens when someone answers an event, or an event changes.

Shared by the residents' flows and the organisers': RSVPs with capacity and a
waitlist, reminders scheduled as delivery rows, and notices when a meeting moves
or is cancelled. Nothing here sends anything: it writes rows the dispatcher sends.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from handlers.events.recurrence import named_zone, wall_time_instant
from storage.models import Event, User
from storage.uow import UnitOfWork

REMINDED = ("going", "maybe")
QUIET_FROM_MINUTES = 12 * 60  # reminders this long before (for tomorrow) wait out quiet hours
NOTIFIED = ("going", "maybe", "waitlist")
MINUTES_A_DAY = 24 * 60


@dataclass(frozen=True, slots=True)
class RsvpOutcome:
    status: str  # going, maybe, no, waitlist
    waitlist_position: int = 0
    promoted_user_id: int | None = None


def offsets(user: User) -> list[int]:
    """The user's reminder offsets in minutes (e.g. a day and an hour before)."""
    return sorted(
        {int(x) for x in user.reminder_offsets.split(",") if x.strip().isdigit()}, reverse=True
    )


def reminder_due(event: Event, offset: int) -> datetime:
    """When a reminder ``offset`` minutes before ``event`` is due. Whole days are counted
    on the event's clock (its ``timezone``), so "the day before" an 18:00 meeting is
    18:00 the day before across a clock change too (23 or 25 hours before), and inside
    the spring gap it is when the clocks jump past that time; anything else is real time."""
    days, rest = divmod(offset, MINUTES_A_DAY)
    if rest or not days:
        return event.starts_at - timedelta(minutes=offset)
    try:
        tz = named_zone(event.timezone)
    except ValueError:  # an unknown or malformed zone: real time
        return event.starts_at - timedelta(minutes=offset)
    local = event.starts_at.astimezone(tz)
    return wall_time_instant(local.date() - timedelta(days=days), local.time(), tz)


def reminder_key(event_id: int, user_id: int, offset: int, version: int) -> str:
    """One reminder per event, person, offset and version of the event: a reminder
    already sent is not sent again, and an event that moves gets reminders anew."""
    return f"reminder:{event_id}:{user_id}:{offset}:v{version}"


async def schedule_reminders(uow: UnitOfWork, event: Event, user: User, now: datetime) -> int:
    """(Re)schedule the user's reminders for ``event``; returns how many are due later."""
    assert event.id is not None and user.id is not None
    await uow.deliveries.cancel_prefix(f"reminder:{event.id}:{user.id}:")
    scheduled = 0
    for offset in offsets(user):
        due = reminder_due(event, offset)
        if due <= now:
            continue
        payload = json.dumps({"event_id": event.id, "version": event.version, "offset": offset})
        await uow.deliveries.schedule(
            key=reminder_key(event.id, user.id, offset, event.version),
            kind="reminder",
            chat_id=user.chat_id,
            user_id=user.id,
            due_at=due,
            payload=payload,
            quiet=offset >= QUIET_FROM_MINUTES,
        )
        scheduled += 1
    return scheduled


async def cancel_reminders(uow: UnitOfWork, event_id: int, user_id: int) -> None:
    await uow.deliveries.cancel_prefix(f"reminder:{event_id}:{user_id}:")


async def notify(uow: UnitOfWork, event: Event, user: User, change: str, now: datetime) -> None:
    """Tell one person that ``event`` changed ("moved", "cancelled", "promoted")."""
    assert event.id is not None and user.id is not None
    payload = json.dumps({"event_id": event.id, "version": event.version, "change": change})
    await uow.deliveries.schedule(
        key=f"notice:{event.id}:{event.version}:{change}:{user.id}",
        kind="event_notice",
        chat_id=user.chat_id,
        user_id=user.id,
        due_at=now,
        payload=payload,
        urgent=True,
    )


async def set_rsvp(
    uow: UnitOfWork, event: Event, user: User, wanted: str, now: datetime
) -> RsvpOutcome:
    """Record an answer; a full event puts "going" on the waitlist, and a freed place
    goes to whoever has waited longest."""
    assert event.id is not None and user.id is not None and wanted in ("going", "maybe", "no")
    current = await uow.rsvps.get(event.id, user.id)
    was_going = current is not None and current.status == "going"
    status = wanted
    if (
        wanted == "going"
        and not was_going
        and event.capacity is not None
        and await uow.rsvps.count(event.id, "going") >= event.capacity
    ):
        status = "waitlist"
    if (
        current is not None
        and current.status == "waitlist"
        and wanted == "going"
        and status == "waitlist"
    ):
        rsvp = current  # keep their place in the queue
    else:
        rsvp = await uow.rsvps.put(event.id, user.id, status)
    if status in REMINDED:
        await schedule_reminders(uow, event, user, now)
    else:
        await cancel_reminders(uow, event.id, user.id)
    promoted = await promote(uow, event, now) if was_going and status != "going" else None
    position = await uow.rsvps.waitlist_position(rsvp) if status == "waitlist" else 0
    return RsvpOutcome(status, position, promoted)


async def promote(uow: UnitOfWork, event: Event, now: datetime) -> int | None:
    """Give a freed place to the first person on the waitlist, and tell them."""
    assert event.id is not None
    if event.capacity is not None and await uow.rsvps.count(event.id, "going") >= event.capacity:
        return None
    waiting = await uow.rsvps.first_waiting(event.id)
    if waiting is None:
        return None
    user = await uow.users.get(waiting.user_id)
    if user is None:
        return None
    await uow.rsvps.put(event.id, waiting.user_id, "going")
    await schedule_reminders(uow, event, user, now)
    await notify(uow, event, user, "promoted", now)
    return user.id


async def event_changed(uow: UnitOfWork, event: Event, change: str, now: datetime) -> int:
    """After an event moved ("moved") or was cancelled ("cancelled"): reminders follow
    the new time (or stop) and everyone who said going, maybe or is waiting is told.
    The caller has already changed the event's fields. Returns how many were told."""
    assert event.id is not None and change in ("moved", "cancelled")
    event.version += 1
    if change == "cancelled":
        event.status = "cancelled"
    uow.session.add(event)
    await uow.session.flush()
    told = 0
    for rsvp, user in await uow.rsvps.attendees(event.id, NOTIFIED):
        if change == "cancelled":
            await cancel_reminders(uow, event.id, rsvp.user_id)
        elif rsvp.status in REMINDED:
            await schedule_reminders(uow, event, user, now)
        await notify(uow, event, user, change, now)
        told += 1
    return told
