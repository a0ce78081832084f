"""The community directory: entries, the draft an organiser is writing, and suggestions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    Answer,
    Community,
    Conversation,
    DirectoryEntry,
    DirectorySuggestion,
)

EXISTS_QUESTION = "exists"  # the resident questionnaire's "what is already available"


class DirectoryRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, entry_id: int) -> DirectoryEntry | None:
        return await self._session.get(DirectoryEntry, entry_id)

    async def add(self, entry: DirectoryEntry) -> DirectoryEntry:
        self._session.add(entry)
        await self._session.flush()
        return entry

    async def save(self, entry: DirectoryEntry) -> None:
        self._session.add(entry)
        await self._session.flush()

    async def active(self) -> list[DirectoryEntry]:
        query = (
            select(DirectoryEntry)
            .where(DirectoryEntry.status == "active")
            .order_by(col(DirectoryEntry.name), col(DirectoryEntry.id))
        )
        return list((await self._session.exec(query)).all())

    async def active_for_area(
        self, lpu_id: int | None, community_id: int | None
    ) -> list[DirectoryEntry]:
        """Active entries serving an area: a community (with its LPU and the force), an
        LPU (with its communities and the force), or everything when both are empty."""
        if lpu_id is None and community_id is None:
            return await self.active()
        query = select(DirectoryEntry).where(DirectoryEntry.status == "active")
        force_wide = col(DirectoryEntry.community_id).is_(None) & col(DirectoryEntry.lpu_id).is_(
            None
        )
        if community_id is not None:
            community = await self._session.get(Community, community_id)
            lpu_id = community.lpu_id if community is not None else lpu_id
            here = col(DirectoryEntry.community_id) == community_id
        else:
            in_lpu = select(Community.id).where(Community.lpu_id == lpu_id)
            here = col(DirectoryEntry.community_id).in_(in_lpu)
        lpu = (col(DirectoryEntry.lpu_id) == lpu_id) & col(DirectoryEntry.community_id).is_(None)
        query = query.where(or_(here, lpu, force_wide))
        return list((await self._session.exec(query.order_by(col(DirectoryEntry.name)))).all())

    async def by_name(self, name: str) -> DirectoryEntry | None:
        """The entry (not a draft) with this name, ignoring case; the newest if several."""
        query = (
            select(DirectoryEntry)
            .where(DirectoryEntry.status != "draft")
            .order_by(col(DirectoryEntry.id).desc())
        )
        folded = name.strip().casefold()
        for entry in (await self._session.exec(query)).all():
            if entry.name.strip().casefold() == folded:
                return entry
        return None

    async def draft_for(self, user_id: int) -> DirectoryEntry | None:
        query = select(DirectoryEntry).where(
            DirectoryEntry.created_by == user_id, DirectoryEntry.status == "draft"
        )
        return (await self._session.exec(query)).first()

    async def exists_answers(self) -> list[str]:
        """Every non-empty "what is already available" answer, in every language."""
        query = (
            select(Answer.text)
            .join(Conversation, col(Conversation.id) == Answer.conversation_id)
            .where(Answer.question == EXISTS_QUESTION, Conversation.questionnaire == "resident")
        )
        return [text for text in (await self._session.exec(query)).all() if text]

    async def suggestions(self) -> list[DirectorySuggestion]:
        query = select(DirectorySuggestion).order_by(col(DirectorySuggestion.id))
        return list((await self._session.exec(query)).all())

    async def pending(self) -> list[DirectorySuggestion]:
        query = (
            select(DirectorySuggestion)
            .where(DirectorySuggestion.status == "pending", DirectorySuggestion.mentions > 0)
            .order_by(col(DirectorySuggestion.mentions).desc(), col(DirectorySuggestion.name))
        )
        return list((await self._session.exec(query)).all())

    async def suggestion(self, suggestion_id: int) -> DirectorySuggestion | None:
        return await self._session.get(DirectorySuggestion, suggestion_id)

    async def record_mentions(self, counts: Sequence[tuple[str, str, int]], now: datetime) -> None:
        """Set each name's mention count (``(normalised, name, mentions)``); new names
        become pending suggestions, decided ones keep their decision."""
        stored = {s.normalised: s for s in await self.suggestions()}
        named = {normalised for normalised, _name, _mentions in counts}
        for gone in set(stored) - named:  # no longer named, or in the directory now
            stored[gone].mentions = 0
            self._session.add(stored[gone])
        for normalised, name, mentions in counts:
            row = stored.get(normalised)
            if row is None:
                row = DirectorySuggestion(name=name, normalised=normalised, first_seen=now)
            row.mentions = mentions
            self._session.add(row)
        await self._session.flush()
