"""From themes to priorities: the top themes of an event or LPU as a poll's options.

A draft poll for an event's attendees takes the themes of what the people going
to it said, or, when too few of them have answered, of the event's community or
LPU; a poll for an action group's members takes its LPU's. The poll is then sent
as any other (``handlers/events/poll_flow.py``), and its results appear in the
next report for that area.
"""

from __future__ import annotations

from handlers.markup import cut_utf16
from handlers.reports.build import free_text_by_person
from handlers.reports.themes import themes
from storage.models import Poll
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork

OPTIONS = 8
MAX_OPTION = 100  # a poll option, in UTF-16 code units (handlers.events.polls)


async def _scopes(uow: UnitOfWork, poll: Poll) -> list[ReportScope]:
    if poll.event_id is not None:
        event = await uow.events.get(poll.event_id)
        if event is None:
            return []
        lpu_id = event.lpu_id
        if lpu_id is None and event.community_id is not None:
            community = await uow.communities.get(event.community_id)
            lpu_id = community.lpu_id if community else None
        found = [ReportScope(event_id=event.id)]
        if event.community_id is not None:
            found.append(ReportScope(community_id=event.community_id))
        if lpu_id is not None:
            found.append(ReportScope(lpu_id=lpu_id))
        return found
    if poll.action_group_id is not None:
        group = await uow.groups.get(poll.action_group_id)
        return [ReportScope(lpu_id=group.lpu_id)] if group else []
    return []


async def theme_options(uow: UnitOfWork, poll: Poll) -> list[str]:
    """Up to 8 themes to vote on, from the narrowest area that has at least two."""
    for scope in await _scopes(uow, poll):
        rows = await uow.reports.answers(scope, "resident")
        found = themes(free_text_by_person(rows), OPTIONS)
        if len(found) >= 2:
            return [cut_utf16(t.phrase, MAX_OPTION) for t in found]
    return []
