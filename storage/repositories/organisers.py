"""What organisers work with: their drafts, the events and action groups in their scope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, or_, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import (
    ActionGroup,
    ActionGroupMember,
    Community,
    Event,
    EventDraft,
    Rsvp,
    User,
)
from storage.repositories.conversations import StaleConversation


class StaleDraft(StaleConversation):
    """Another worker changed this draft first (the update is retried, as for conversations)."""


class OrganiserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # -- drafts ---------------------------------------------------------------------

    async def draft_for(self, user_id: int) -> EventDraft | None:
        query = select(EventDraft).where(EventDraft.user_id == user_id)
        return (await self._session.exec(query)).first()

    async def start_draft(self, user_id: int, step: str, data: str) -> EventDraft:
        """A fresh draft for ``user_id``, replacing any they had."""
        existing = await self.draft_for(user_id)
        if existing is not None:
            existing.step, existing.data = step, data
            await self.save_draft(existing)
            return existing
        draft = EventDraft(user_id=user_id, step=step, data=data)
        self._session.add(draft)
        await self._session.flush()
        return draft

    async def save_draft(self, draft: EventDraft) -> None:
        """Write a changed draft, failing if another worker changed it since it was read."""
        seen = draft.version
        values = {
            "step": draft.step,
            "data": draft.data,
            "updated_at": utcnow(),
            "version": seen + 1,
        }
        result = await self._session.exec(
            update(EventDraft)
            .where(col(EventDraft.id) == draft.id, col(EventDraft.version) == seen)
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleDraft(draft.id)
        for key, value in values.items():
            setattr(draft, key, value)

    async def drop_draft(self, draft: EventDraft) -> None:
        result = await self._session.exec(
            delete(EventDraft).where(
                col(EventDraft.id) == draft.id, col(EventDraft.version) == draft.version
            )
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleDraft(draft.id)

    # -- events ---------------------------------------------------------------------

    async def upcoming_events(
        self,
        now: datetime,
        *,
        everywhere: bool = False,
        lpu_id: int | None = None,
        community_id: int | None = None,
        organiser_id: int | None = None,
        include_cancelled: bool = False,
        limit: int = 50,
    ) -> Sequence[Event]:
        """Events still to come (never series rows) in a scope: everywhere, an LPU (its
        own events, its communities' and its action groups'), a community, or organised
        by someone."""
        scope = []
        if lpu_id is not None:
            in_lpu = select(Community.id).where(Community.lpu_id == lpu_id)
            groups = select(ActionGroup.id).where(ActionGroup.lpu_id == lpu_id)
            scope += [
                col(Event.lpu_id) == lpu_id,
                col(Event.community_id).in_(in_lpu),
                col(Event.action_group_id).in_(groups),
            ]
        if community_id is not None:
            scope.append(col(Event.community_id) == community_id)
        if organiser_id is not None:
            scope.append(col(Event.organiser_id) == organiser_id)
        if not everywhere and not scope:
            return []
        statuses = ["scheduled", "cancelled"] if include_cancelled else ["scheduled"]
        query = select(Event).where(col(Event.starts_at) >= now, col(Event.status).in_(statuses))
        if not everywhere:
            query = query.where(or_(*scope))
        query = query.order_by(col(Event.starts_at), col(Event.id)).limit(limit)
        return (await self._session.exec(query)).all()

    async def occurrences(self, series_id: int, now: datetime) -> Sequence[Event]:
        """A series' occurrences still to come and not cancelled."""
        query = (
            select(Event)
            .where(
                Event.series_id == series_id,
                col(Event.starts_at) >= now,
                Event.status == "scheduled",
            )
            .order_by(col(Event.starts_at))
        )
        return (await self._session.exec(query)).all()

    async def rsvp_counts(self, event_ids: Sequence[int]) -> dict[int, dict[str, int]]:
        """``{event id: {status: count, "checked_in": count}}`` for the given events."""
        counts: dict[int, dict[str, int]] = {eid: {} for eid in event_ids}
        if not event_ids:
            return counts
        query = (
            select(Rsvp.event_id, Rsvp.status, func.count())
            .where(col(Rsvp.event_id).in_(list(event_ids)))
            .group_by(col(Rsvp.event_id), col(Rsvp.status))
        )
        for event_id, status, n in (await self._session.exec(query)).all():
            counts[event_id][status] = int(n)
        checked = (
            select(Rsvp.event_id, func.count())
            .where(col(Rsvp.event_id).in_(list(event_ids)), col(Rsvp.checked_in_at).is_not(None))
            .group_by(col(Rsvp.event_id))
        )
        for event_id, n in (await self._session.exec(checked)).all():
            counts[event_id]["checked_in"] = int(n)
        return counts

    # -- action groups --------------------------------------------------------------

    async def open_groups(self, lpu_id: int | None) -> Sequence[ActionGroup]:
        """Open action groups in an LPU, or in every LPU when ``lpu_id`` is ``None``."""
        query = select(ActionGroup).where(ActionGroup.status == "open")
        if lpu_id is not None:
            query = query.where(ActionGroup.lpu_id == lpu_id)
        return (await self._session.exec(query.order_by(col(ActionGroup.title)))).all()

    async def member_counts(self, group_ids: Sequence[int]) -> dict[int, int]:
        counts = dict.fromkeys(group_ids, 0)
        if not group_ids:
            return counts
        query = (
            select(ActionGroupMember.group_id, func.count())
            .where(
                col(ActionGroupMember.group_id).in_(list(group_ids)),
                col(ActionGroupMember.active).is_(True),
            )
            .group_by(col(ActionGroupMember.group_id))
        )
        for group_id, n in (await self._session.exec(query)).all():
            counts[group_id] = int(n)
        return counts

    # -- places ---------------------------------------------------------------------

    async def communities_named(self, name: str) -> Sequence[Community]:
        """Communities whose name or slug is ``name`` (any case)."""
        wanted = name.strip().casefold()
        query = select(Community).where(
            or_(func.lower(Community.name) == wanted, func.lower(Community.slug) == wanted)
        )
        return (await self._session.exec(query.order_by(col(Community.id)))).all()

    # -- staff ----------------------------------------------------------------------

    async def staff(self) -> Sequence[User]:
        """Everyone whose role is not ``resident``."""
        query = select(User).where(User.role != "resident").order_by(col(User.role), col(User.id))
        return (await self._session.exec(query)).all()
