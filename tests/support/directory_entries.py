"""Directory entries put in and read back straight through the unit of work."""

from __future__ import annotations

from handlers.context import Deps
from storage.models import DirectoryEntry


async def add_entry(
    deps: Deps,
    name: str,
    community_id: int | None = None,
    *,
    category: str = "youth",
    description: str = "",
) -> int:
    """A new entry's id."""
    async with deps.uow() as uow:
        entry = DirectoryEntry(
            name=name, category=category, description=description, community_id=community_id
        )
        uow.session.add(entry)
        await uow.commit()
        assert entry.id is not None
        return entry.id


async def read_entry(deps: Deps, entry_id: int) -> DirectoryEntry:
    async with deps.uow() as uow:
        entry = await uow.directory.get(entry_id)
        assert entry is not None
        return entry
