"""What the room screen shows, and the server-sent events that keep it current.

The room screen is for a Community Conversation while it is on: from an hour
before it starts until it ends (three hours after the start when no end was set).
It shows the top themes (``handlers.reports.themes``) of what residents of the
event's community (or, for an event of a whole LPU, of that LPU) have answered
since the event started, and the event's latest poll with its results.

The stream (``/room/{id}/stream``) looks at the database every half second, with
two cheap queries: how many people have answered, and the latest poll's tally.
Only when those change does it compute the themes again and send the screen's
live part, as an ``event: room`` whose data is the HTML fragment the page itself
shows. A comment line goes out every 15 seconds so proxies keep the connection,
the session is checked again every 10 seconds, and the stream ends when the
client goes (Starlette cancels it), the session ends or the event is over.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from handlers.context import Deps
from handlers.events import polls
from handlers.reports.build import free_text_by_person
from handlers.reports.chat import report_scope
from handlers.reports.themes import themes
from handlers.roles import is_staff
from storage.models import Event, Poll
from storage.repositories.reports import ReportScope, events_in
from storage.uow import UnitOfWork

OPEN_BEFORE = timedelta(hours=1)  # the projector goes up before people arrive
DEFAULT_LENGTH = timedelta(hours=3)
THEMES = 6
TICK = 0.5  # seconds between looks at the database
HEARTBEAT = 15.0
RECHECK = 10.0  # seconds between checks that the session is still live
RETRY_MS = 2000  # how soon a browser reconnects after losing the stream


@dataclass(frozen=True, slots=True)
class ThemeLine:
    phrase: str
    people: int


@dataclass(frozen=True, slots=True)
class OptionLine:
    label: str
    votes: int
    share: int  # per cent of all answers, rounded


@dataclass(frozen=True, slots=True)
class PollView:
    id: int
    question: str
    status: str  # open or closed
    organiser_id: int | None
    options: tuple[OptionLine, ...]
    total: int


@dataclass(frozen=True, slots=True)
class RoomState:
    themes: tuple[ThemeLine, ...]
    answered: int  # people who have answered since the event started
    poll: PollView | None


def ends_at(event: Event) -> datetime:
    return event.ends_at if event.ends_at is not None else event.starts_at + DEFAULT_LENGTH


def is_running(event: Event, now: datetime) -> bool:
    """A scheduled Community Conversation that is on now (or about to start)."""
    return (
        event.kind == "conversation"
        and event.status == "scheduled"
        and event.starts_at - OPEN_BEFORE <= now < ends_at(event)
    )


async def event_in_scope(uow: UnitOfWork, scope: ReportScope, event_id: int) -> Event | None:
    """The event, if it belongs to the viewer's area (the events page's rule)."""
    query = select(Event).where(col(Event.id) == event_id, events_in(scope))
    return (await uow.session.exec(query)).first()


async def running_in_scope(uow: UnitOfWork, scope: ReportScope, now: datetime) -> list[Event]:
    """Community Conversations in the area that are on now, soonest first."""
    query = (
        select(Event)
        .where(
            col(Event.kind) == "conversation",
            col(Event.status) == "scheduled",
            col(Event.starts_at) <= now + OPEN_BEFORE,
            col(Event.starts_at) > now - timedelta(days=1),
            events_in(scope),
        )
        .order_by(col(Event.starts_at), col(Event.id))
    )
    return [e for e in (await uow.session.exec(query)).all() if is_running(e, now)]


async def answers_scope(uow: UnitOfWork, event: Event) -> ReportScope:
    """Residents of the event's community (or LPU) who answered since it started."""
    if event.community_id is not None:
        return ReportScope(community_id=event.community_id, since=event.starts_at)
    if event.lpu_id is not None:
        return ReportScope(lpu_id=event.lpu_id, since=event.starts_at)
    if event.action_group_id is not None:
        group = await uow.groups.get(event.action_group_id)
        if group is not None:
            return ReportScope(lpu_id=group.lpu_id, since=event.starts_at)
    return ReportScope(event_id=event.id, since=event.starts_at)


async def latest_poll(uow: UnitOfWork, event_id: int) -> Poll | None:
    """The event's most recent poll that was sent (not a draft)."""
    query = (
        select(Poll)
        .where(col(Poll.event_id) == event_id, col(Poll.status).in_(("open", "closed")))
        .order_by(col(Poll.id).desc())
        .limit(1)
    )
    return (await uow.session.exec(query)).first()


async def _poll_view(uow: UnitOfWork, poll: Poll | None) -> PollView | None:
    if poll is None or poll.id is None:
        return None
    counts = await polls.tally(uow, poll)
    total = sum(counts)
    options = tuple(
        OptionLine(label, n, round(100 * n / total) if total else 0)
        for label, n in zip(polls.options_of(poll), counts, strict=True)
    )
    return PollView(poll.id, poll.question, poll.status, poll.organiser_id, options, total)


async def fingerprint(uow: UnitOfWork, event: Event) -> tuple[object, ...]:
    """Changes whenever what the screen shows may have changed, and is cheap to read."""
    answered = await uow.reports.participants(await answers_scope(uow, event))
    assert event.id is not None
    poll = await latest_poll(uow, event.id)
    if poll is None:
        return (answered,)
    return (answered, poll.id, poll.status, tuple(await polls.tally(uow, poll)))


async def room_state(uow: UnitOfWork, event: Event) -> RoomState:
    scope = await answers_scope(uow, event)
    rows = await uow.reports.answers(scope, "resident")
    people = free_text_by_person(rows)
    found = themes(people, THEMES)
    assert event.id is not None
    return RoomState(
        themes=tuple(ThemeLine(t.phrase, t.people) for t in found),
        answered=await uow.reports.participants(scope),
        poll=await _poll_view(uow, await latest_poll(uow, event.id)),
    )


def sse(event: str, data: str) -> str:
    """One server-sent event; every line of ``data`` gets its own ``data:`` field."""
    lines = "".join(f"data: {line}\n" for line in data.splitlines() or [""])
    return f"event: {event}\n{lines}\n"


async def _still_allowed(deps: Deps, session_id: str, event_id: int, now: datetime) -> bool:
    async with deps.uow() as uow:
        session = await uow.dashboard.live_session(session_id, now)
        user = await uow.users.get(session.user_id) if session is not None else None
        if user is None or not is_staff(user) or (scope := report_scope(user)) is None:
            return False
        event = await event_in_scope(uow, scope, event_id)
        return event is not None and is_running(event, now)


async def room_stream(
    deps: Deps,
    event_id: int,
    session_id: str,
    render: Callable[[RoomState], str],
    *,
    tick: float = TICK,
) -> AsyncIterator[str]:
    """The room screen's events, until the client goes or the session or event ends."""
    yield f"retry: {RETRY_MS}\n\n"
    last: tuple[object, ...] | None = None
    since_sent = since_check = 0.0
    while True:
        state: RoomState | None = None
        async with deps.uow() as uow:
            event = await uow.events.get(event_id)
            if event is None:
                return
            seen = await fingerprint(uow, event)
            if seen != last:
                state = await room_state(uow, event)
        if state is not None:
            last = seen
            since_sent = 0.0
            yield sse("room", render(state))
        elif since_sent >= HEARTBEAT:
            since_sent = 0.0
            yield ": still here\n\n"
        await asyncio.sleep(tick)
        since_sent += tick
        since_check += tick
        if since_check >= RECHECK:
            since_check = 0.0
            if not await _still_allowed(deps, session_id, event_id, deps.clock()):
                yield sse("end", "")
                return
