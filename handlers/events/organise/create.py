"""Adding events: a one-off, or a series and its next dates; a group's members are told."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from handlers.callbacks import EventAction, EventButton
from handlers.deliveries import message_payload
from handlers.events import deeplink, service
from handlers.events.organise.wording import nth
from handlers.events.recurrence import Rule, encode_rule, occurrences
from handlers.events.series import series_end
from handlers.i18n import _, use_locale
from handlers.markup import escape, fmt
from handlers.outbound import Button, keyboard
from handlers.payloads import encode
from handlers.timefmt import when
from storage.models import ActionGroup, Event
from storage.uow import UnitOfWork

OCCURRENCES_AHEAD = 8  # a repeating event is made this many dates ahead


async def create_events(
    uow: UnitOfWork,
    fields: dict[str, Any],
    starts: datetime,
    repeat: str,
    tz: ZoneInfo,
    ends: datetime | None = None,
) -> list[Event]:
    """Add a one-off event, or a series row and its next occurrences; returns the
    events people can go to, in time order. ``fields`` are the Event's other columns.

    A series row keeps its first date's end too, so the dates ``series.top_up_series``
    adds later last as long as the first ones."""
    if repeat not in ("weekly", "monthly"):
        event = Event(
            **fields,
            starts_at=starts,
            ends_at=ends,
            status="scheduled",
            checkin_token=deeplink.new_token(),
        )
        return [await uow.events.add(event)]
    local = starts.astimezone(tz)
    rule = Rule(
        kind="weekly" if repeat == "weekly" else "monthly",
        weekday=local.weekday(),
        time=time(local.hour, local.minute),
        tz=tz.key,
        starts_on=local.date(),
        nth=nth(local.day) if repeat == "monthly" else None,
    )
    series = await uow.events.add(
        Event(
            **fields,
            starts_at=starts,
            ends_at=ends,
            status="series",
            recurrence=encode_rule(rule),
            checkin_token=deeplink.new_token(),
        )
    )
    instants = [starts, *occurrences(rule, starts, OCCURRENCES_AHEAD - 1)]
    created = []
    for instant in instants:
        created.append(
            await uow.events.add(
                Event(
                    **fields,
                    starts_at=instant.astimezone(UTC),
                    ends_at=series_end(series, instant),
                    status="scheduled",
                    series_id=series.id,
                    occurrence_of=instant.astimezone(tz).date(),
                    checkin_token=deeplink.new_token(),
                )
            )
        )
    return created


def _meeting_notice(group: ActionGroup, event: Event, tz: ZoneInfo, repeats: bool) -> str:
    """A new meeting, told to a member, in the current locale."""
    place = ", ".join(p for p in (event.venue, event.address) if p)
    lines = [
        fmt(_("🤝 <b>{group}</b> is meeting"), group=group.title),
        f"<b>{escape(event.title)}</b>",
        fmt(_("🕒 {when}"), when=when(event.starts_at, tz)),
    ]
    if repeats:
        lines.append(_("🔁 It meets regularly: see /events for the dates."))
    if place:
        lines.append(f"📍 {escape(place)}")
    return "\n\n".join(lines)


async def notify_members(
    uow: UnitOfWork, group: ActionGroup, events: Sequence[Event], now: datetime, tz: ZoneInfo
) -> int:
    """Tell every member of ``group`` about its new meeting(s), each in their own
    language, and schedule their reminders. Returns how many members were told."""
    assert group.id is not None and events
    first = events[0]
    assert first.id is not None
    members = await uow.groups.members(group.id)
    for member in members:
        assert member.id is not None
        with use_locale(member.language):
            text = _meeting_notice(group, first, tz, len(events) > 1)
            buttons = keyboard(
                [Button(_("Open the event"), encode(EventButton(EventAction.OPEN, first.id)))]
            )
            payload = message_payload(text, buttons)
        await uow.deliveries.schedule(
            key=f"group-meeting:{first.id}:{member.id}",
            kind="message",
            chat_id=member.chat_id,
            user_id=member.id,
            due_at=now,
            payload=payload,
            urgent=True,
        )
        for event in events:
            await service.schedule_reminders(uow, event, member, now)
    return len(members)
