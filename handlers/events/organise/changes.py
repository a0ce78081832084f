"""Moving and cancelling events; everyone coming, the group's members, and a surgery's
followers are told."""

from __future__ import annotations

from datetime import UTC, datetime

from handlers.events import service
from handlers.surgeries import notices as surgeries
from storage.models import Event, User
from storage.uow import UnitOfWork


async def _members_without_answer(uow: UnitOfWork, event: Event) -> list[User]:
    """Members of the event's action group who have not answered it (the RSVP'd ones
    are handled by ``service.event_changed``)."""
    if event.action_group_id is None or event.id is None:
        return []
    answered = {
        user.id
        for _rsvp, user in await uow.rsvps.attendees(event.id, ("going", "maybe", "no", "waitlist"))
    }
    return [m for m in await uow.groups.members(event.action_group_id) if m.id not in answered]


async def move(uow: UnitOfWork, event: Event, starts: datetime, now: datetime) -> int:
    """Move ``event`` to ``starts``: reminders follow, and everyone coming (and the
    group's members) is told. Returns how many people were told."""
    duration = event.ends_at - event.starts_at if event.ends_at is not None else None
    event.starts_at = starts.astimezone(UTC)
    if duration is not None:
        event.ends_at = event.starts_at + duration
    told = await service.event_changed(uow, event, "moved", now)
    for member in await _members_without_answer(uow, event):
        await service.schedule_reminders(uow, event, member, now)
        await service.notify(uow, event, member, "moved", now)
        told += 1
    await surgeries.announce_moved(uow, event, now)
    return told


async def cancel_event(
    uow: UnitOfWork, event: Event, now: datetime, *, tell_followers: bool = True
) -> int:
    """Cancel ``event``: its reminders and pending notices stop, and everyone coming
    (and the group's members) is told; so are the community's followers, for a
    surgery, unless ``tell_followers`` is false. Returns how many people coming were told."""
    assert event.id is not None
    await uow.deliveries.cancel_prefix(f"notice:{event.id}:")
    await uow.deliveries.cancel_prefix(f"group-meeting:{event.id}:")
    told = await service.event_changed(uow, event, "cancelled", now)
    for member in await _members_without_answer(uow, event):
        assert member.id is not None
        await service.cancel_reminders(uow, event.id, member.id)
        await service.notify(uow, event, member, "cancelled", now)
        told += 1
    if tell_followers:
        await surgeries.announce_cancelled(uow, event, now)
    return told


async def cancel_series(uow: UnitOfWork, series: Event, now: datetime) -> int:
    """Cancel a series and every occurrence still to come; returns how many were told.
    A surgery's followers are told once, about the series."""
    assert series.id is not None
    told = 0
    dates = await uow.organisers.occurrences(series.id, now)
    for occurrence in dates:
        told += await cancel_event(uow, occurrence, now, tell_followers=False)
    series.status = "cancelled"
    uow.session.add(series)
    await uow.session.flush()
    await surgeries.announce_series_cancelled(uow, series, dates, now)
    return told
