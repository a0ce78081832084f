"""The data.police.uk sync: a force's neighbourhoods, teams, bases and events into our tables.

For each neighbourhood everything is fetched first (detail, boundary, team, events),
then written in one transaction and committed. So a failure, in the network or in
the database, leaves the neighbourhoods before it complete and that one exactly as
it was; the next run tries it again.

Communities are keyed on (force, police.uk id), so a second run updates rather than
duplicates; it writes only what differs, and ``updated_at`` moves only when
something did. data.police.uk knows nothing of LPUs: a new community goes into the
force's "not yet assigned" LPU, and an existing one stays in the LPU it is in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import SQLModel

from bot.integrations.police_uk import PoliceApiError, PoliceUkClient
from bot.sync.police_uk_rows import (
    SOURCE,
    base_rows,
    clip,
    community_fields,
    event_rows,
    identifier,
    member_rows,
    slugify,
    text,
)
from bot.sync.progress import Progress
from storage.clock import utcnow
from storage.models import Community, Force, Lpu
from storage.text import clean, is_clean
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

UNASSIGNED_LPU_NAME = "Not yet assigned to an LPU"

Outcome = Literal["added", "updated", "unchanged"]


class NeighbourhoodRefused(Exception):
    """A neighbourhood we cannot store as it is (its id is too long for our key, or has
    a control character)."""


@dataclass
class Fetched:
    """Everything data.police.uk says about one neighbourhood."""

    id: str
    listed_name: str
    detail: dict[str, Any]
    boundary: list[dict[str, Any]]
    people: list[dict[str, Any]]
    events: list[dict[str, Any]]


@dataclass
class SyncSummary:
    force: str
    listed: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (neighbourhood, reason)
    members: int = 0
    bases: int = 0
    events: int = 0
    no_longer_listed: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        lines = [
            f"data.police.uk {self.force}: {self.listed} neighbourhoods: "
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.failed)} failed",
            f"Held for the synced neighbourhoods: {self.members} team members, "
            f"{self.bases} community bases, {self.events} events",
        ]
        if self.no_longer_listed:
            lines.append(
                f"{self.no_longer_listed} synced communities are no longer listed by "
                "data.police.uk; they are kept (residents may follow them)"
            )
        lines += [f"FAILED {name}: {reason}" for name, reason in self.failed]
        return lines


ProgressFactory = Callable[[int], Progress]


async def sync_force(
    uow: Callable[[], UnitOfWork],
    client: PoliceUkClient,
    force: str,
    *,
    progress: ProgressFactory | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> SyncSummary:
    """Sync one force. ``PoliceApiError`` if the force or its list cannot be fetched;
    a neighbourhood that fails is reported in the summary instead."""
    force_data = await client.force(force)
    listing = _listing(await client.neighbourhoods(force))
    force_id = await _save_force(uow, force, force_data)
    summary = SyncSummary(force=force, listed=len(listing))
    bar = progress(len(listing)) if progress is not None else None
    try:
        for neighbourhood, listed_name in listing:
            label = f"{listed_name} ({clean(neighbourhood)})"
            try:
                fetched = await _fetch(client, force, neighbourhood, listed_name)
                saved = await _save(uow, force_id, force, fetched, clock())
            except (PoliceApiError, SQLAlchemyError, NeighbourhoodRefused) as exc:
                reason = _first_line(exc)
                log.warning("police.uk sync: %s failed: %s", label, reason)
                summary.failed.append((label, reason))
            else:
                getattr(summary, saved.outcome).append(label)
                summary.members += saved.members
                summary.bases += saved.bases
                summary.events += saved.events
            if bar is not None:
                bar.advance(listed_name)
    finally:
        if bar is not None:
            bar.close()
    async with uow() as work:
        held = await work.communities.external_ids(force_id)
    summary.no_longer_listed = len(held - {neighbourhood for neighbourhood, _ in listing})
    return summary


def _listing(items: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """``(id, name)`` for each neighbourhood listed, once each, in the API's order."""
    seen: dict[str, str] = {}
    for item in items:
        neighbourhood = identifier(item.get("id"))
        if neighbourhood and neighbourhood not in seen:
            seen[neighbourhood] = text(item.get("name")) or neighbourhood
    return list(seen.items())


async def _fetch(
    client: PoliceUkClient, force: str, neighbourhood: str, listed_name: str
) -> Fetched:
    """The four requests for one neighbourhood, at once (the client spaces them)."""
    limit = Community.__table__.c["external_id"].type.length  # type: ignore[attr-defined]
    if len(neighbourhood) > limit:
        raise NeighbourhoodRefused(f"its id is longer than {limit} characters")
    if not is_clean(neighbourhood):
        raise NeighbourhoodRefused("its id has a control character, such as NUL")
    try:
        async with asyncio.TaskGroup() as group:
            detail = group.create_task(client.neighbourhood(force, neighbourhood))
            boundary = group.create_task(client.boundary(force, neighbourhood))
            people = group.create_task(client.people(force, neighbourhood))
            events = group.create_task(client.events(force, neighbourhood))
    except ExceptionGroup as failures:  # the others were cancelled: report the first
        raise failures.exceptions[0] from None
    return Fetched(
        neighbourhood,
        listed_name,
        detail.result(),
        boundary.result(),
        people.result(),
        events.result(),
    )


async def _save_force(uow: Callable[[], UnitOfWork], slug: str, data: Mapping[str, Any]) -> int:
    async with uow() as work:
        row = await work.communities.force_by_slug(slug)
        values = {
            "name": clip(Force, "name", text(data.get("name")) or slug),
            "telephone": clip(Force, "telephone", text(data.get("telephone"))),
            "url": clip(Force, "url", text(data.get("url"))),
        }
        if row is None:
            row = Force(slug=slug, name=values["name"])
            _assign(row, values)
            await work.communities.add(row)
        elif _assign(row, values):
            await work.communities.add(row)
        await work.commit()
        assert row.id is not None
        return row.id


@dataclass(frozen=True)
class Saved:
    outcome: Outcome
    members: int
    bases: int
    events: int


async def _save(
    uow: Callable[[], UnitOfWork], force_id: int, force: str, fetched: Fetched, now: datetime
) -> Saved:
    """Write one neighbourhood in one transaction; what happened to its community."""
    fields = community_fields(fetched.detail, fetched.boundary)
    fields["name"] = fields["name"] or clip(Community, "name", fetched.listed_name)
    async with uow() as work:
        repo = work.communities
        community = await repo.by_external(force_id, fetched.id)
        added = community is None
        if community is None:
            lpu = await _unassigned_lpu(work, force_id, force)
            assert lpu.id is not None
            slug = await _free_slug(work, force, fields["name"], fetched.id)
            community = Community(
                force_id=force_id,
                lpu_id=lpu.id,
                slug=slug,
                external_id=fetched.id,
                updated_at=now,
                **fields,
            )
            await repo.add(community)
            changed = True
        else:
            changed = _assign(community, fields)
        assert community.id is not None
        members = member_rows(community.id, fetched.people)
        bases = base_rows(community.id, _locations(fetched.detail))
        events = event_rows(force, fetched.id, fetched.events)
        changed |= await work.teams.replace_members(community.id, members)
        changed |= await work.teams.replace_bases(community.id, bases)
        changed |= await work.events.replace_from_source(SOURCE, community.id, events, now=now)
        if changed and not added:
            community.updated_at = now
            await repo.add(community)
        await work.commit()
    outcome: Outcome = "added" if added else "updated" if changed else "unchanged"
    return Saved(outcome, len(members), len(bases), len(events))


async def _unassigned_lpu(work: UnitOfWork, force_id: int, force: str) -> Lpu:
    slug = clip(Lpu, "slug", f"{force}-unassigned")
    lpu = await work.communities.lpu_by_slug(slug)
    if lpu is None:
        lpu = Lpu(force_id=force_id, slug=slug, name=UNASSIGNED_LPU_NAME)
        await work.communities.add(lpu)
    return lpu


async def _free_slug(work: UnitOfWork, force: str, name: str, neighbourhood: str) -> str:
    """``cheshire-hoole``; with the police.uk id, then a number, if that is taken."""
    base = f"{force}-{slugify(name) or slugify(neighbourhood)}"
    candidates = [base, f"{base}-{slugify(neighbourhood)}"]
    candidates += [f"{base}-{slugify(neighbourhood)}-{n}" for n in range(2, 100)]
    for candidate in candidates:
        slug = clip(Community, "slug", candidate).rstrip("-")
        if await work.communities.by_slug(slug) is None:
            return slug
    raise NeighbourhoodRefused(f"no free slug for {name!r}")


def _assign(row: SQLModel, values: Mapping[str, Any]) -> bool:
    """Set the fields that differ; ``True`` if any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


def _locations(detail: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    locations = detail.get("locations")
    if not isinstance(locations, list):
        return []
    return [item for item in locations if isinstance(item, Mapping)]


def _first_line(exc: BaseException) -> str:
    message = str(exc).strip().splitlines()
    return message[0] if message else type(exc).__name__
