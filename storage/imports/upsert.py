"""Write checked records through the repositories: add new communities, update the rest.

Communities are matched by slug, so importing the same file again changes nothing,
and a changed file updates rows in place (ids, follows and events stay attached).
Each community's team and bases are made to match the file. Nothing is committed
here: the caller's unit of work decides.

Before writing, each record is checked against what is stored (a postcode sector
or an external id held by a community outside the file, an LPU of another force),
so a conflict rejects that row instead of failing the whole transaction.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from storage.clock import utcnow
from storage.imports.fields import quoted
from storage.imports.records import (
    CommunityRecord,
    ForceRecord,
    LpuRecord,
    ParsedImport,
    Point,
    RowError,
)
from storage.models import Community, CommunityBase, Force, Lpu, TeamMember
from storage.uow import UnitOfWork


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def saved(self) -> int:
        """Communities in the database that match the file."""
        return self.added + self.updated + self.unchanged

    @property
    def rejected(self) -> int:
        """Rows (or LPU entries) left out, however many reasons each has."""
        return len({error.where for error in self.errors})

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.rejected} rejected"
        )


def _json_text(value: Sequence[Point] | Mapping[str, str]) -> str:
    if not value:
        return ""
    if isinstance(value, Mapping):
        return json.dumps(dict(value), ensure_ascii=False)
    return json.dumps([list(point) for point in value], separators=(",", ":"))


async def _force(uow: UnitOfWork, record: ForceRecord) -> Force:
    force = await uow.communities.force_by_slug(record.slug)
    if force is None:
        name = record.name or record.slug.replace("-", " ").title()
        force = Force(slug=record.slug, name=name)
    elif record.name:
        force.name = record.name
    if record.telephone is not None:
        force.telephone = record.telephone
    if record.url is not None:
        force.url = record.url
    await uow.communities.add(force)
    return force


async def _lpus(
    uow: UnitOfWork, force_id: int, records: Sequence[LpuRecord]
) -> tuple[dict[str, int], dict[str, str]]:
    """The id of each usable LPU by slug, and why the others cannot be used."""
    stored = {lpu.slug: lpu for lpu in await uow.communities.lpus()}
    ids: dict[str, int] = {}
    problems: dict[str, str] = {}
    for record in records:
        lpu = stored.get(record.slug)
        if lpu is not None and lpu.force_id != force_id:
            problems[record.slug] = f"LPU {quoted(record.slug)} belongs to another force"
            continue
        if lpu is None:
            if record.name is None:
                problems[record.slug] = (
                    f"unknown LPU {quoted(record.slug)}: give its lpu_name to create it"
                )
                continue
            lpu = Lpu(slug=record.slug, name=record.name, force_id=force_id)
            await uow.communities.add(lpu)
        elif record.name and lpu.name != record.name:
            lpu.name = record.name
            await uow.communities.add(lpu)
        assert lpu.id is not None
        ids[record.slug] = lpu.id
    return ids, problems


class _Stored:
    """What the database holds that a record could clash with."""

    def __init__(self, communities: Sequence[Community], incoming: set[str]) -> None:
        self.by_slug = {c.slug: c for c in communities}
        # Sectors of communities the file does not mention: the file cannot move them.
        self.sectors = {
            sector: c for c in communities if c.slug not in incoming for sector in c.sectors()
        }
        self.external_ids = {(c.force_id, c.external_id): c for c in communities if c.external_id}

    def conflicts(self, record: CommunityRecord, force_id: int) -> list[str]:
        reasons = []
        current = self.by_slug.get(record.slug)
        if current is not None and current.force_id != force_id:
            reasons.append(f"slug {quoted(record.slug)} belongs to a community of another force")
        for sector in record.postcode_sectors:
            holder = self.sectors.get(sector)
            if holder is not None:
                reasons.append(
                    f"postcode sector {sector} already belongs to {holder.name} "
                    f"({holder.slug}), which is not in this file"
                )
        if record.external_id:
            holder = self.external_ids.get((force_id, record.external_id))
            if holder is not None and holder.slug != record.slug:
                reasons.append(
                    f"external_id {quoted(record.external_id)} already belongs to {holder.slug}"
                )
        return reasons


def _community_values(record: CommunityRecord, lpu_id: int, partial: bool) -> dict[str, object]:
    values: dict[str, object] = {
        "name": record.name,
        "lpu_id": lpu_id,
        "description": record.description,
        "postcode_sectors": ",".join(record.postcode_sectors),
        "centroid_lat": record.centroid[0],
        "centroid_lon": record.centroid[1],
    }
    if not partial:  # a CSV file has no columns for these: keep them
        values["boundary"] = _json_text(record.boundary)
        values["contact"] = _json_text(record.contact)
        values["url"] = record.url
    if record.external_id is not None:
        values["external_id"] = record.external_id
    return values


async def _team(uow: UnitOfWork, community_id: int, record: CommunityRecord, partial: bool) -> bool:
    members = [
        TeamMember(
            community_id=community_id,
            name=m.name,
            rank=m.rank,
            role=m.role,
            email=m.email,
            phone=m.phone,
            social=_json_text(m.social),
            bio=m.bio,
            position=position,
        )
        for position, m in enumerate(record.team)
    ]
    bases = [
        CommunityBase(
            community_id=community_id,
            name=b.name,
            address=b.address,
            postcode=b.postcode,
            latitude=b.latitude,
            longitude=b.longitude,
            opening_times=b.opening_times,
            accessibility=b.accessibility,
        )
        for b in record.bases
    ]
    if partial:  # keep what a CSV file cannot say: social links, bios, coordinates
        stored_members = {m.name: m for m in await uow.teams.members(community_id)}
        for member in members:
            if (old := stored_members.get(member.name)) is not None:
                member.social, member.bio = old.social, old.bio
        stored_bases = {b.name: b for b in await uow.teams.bases(community_id)}
        for base in bases:
            if (old_base := stored_bases.get(base.name)) is not None:
                base.latitude, base.longitude = old_base.latitude, old_base.longitude
    team_changed = await uow.teams.replace_members(community_id, members)
    bases_changed = await uow.teams.replace_bases(community_id, bases)
    return team_changed or bases_changed


async def _save(
    uow: UnitOfWork,
    record: CommunityRecord,
    stored: Community | None,
    force_id: int,
    lpu_id: int,
    partial: bool,
) -> str:
    """Write one community; returns "added", "updated" or "unchanged"."""
    values = _community_values(record, lpu_id, partial)
    community = stored or Community(
        slug=record.slug, force_id=force_id, lpu_id=lpu_id, name=record.name
    )
    changed = False
    for name, value in values.items():
        if getattr(community, name) != value:
            setattr(community, name, value)
            changed = True
    if stored is None or changed:
        community.updated_at = utcnow()
        await uow.communities.add(community)
    assert community.id is not None
    if await _team(uow, community.id, record, partial) and not changed and stored is not None:
        changed = True
        community.updated_at = utcnow()
        await uow.communities.add(community)
    if stored is None:
        return "added"
    return "updated" if changed else "unchanged"


async def save_import(uow: UnitOfWork, parsed: ParsedImport) -> ImportSummary:
    """Add or update the force, LPUs and communities of ``parsed``; does not commit."""
    summary = ImportSummary(errors=list(parsed.errors))
    force = await _force(uow, parsed.force)
    assert force.id is not None
    lpu_ids, lpu_problems = await _lpus(uow, force.id, parsed.lpus)
    stored = _Stored(await uow.communities.all(), {r.slug for r in parsed.communities})
    for record in parsed.communities:
        reasons = stored.conflicts(record, force.id)
        lpu_id = lpu_ids.get(record.lpu)
        if lpu_id is None:
            reasons.insert(0, lpu_problems.get(record.lpu, f"unknown LPU {quoted(record.lpu)}"))
        if reasons or lpu_id is None:
            summary.errors += [record.error(reason) for reason in reasons]
            continue
        outcome = await _save(
            uow, record, stored.by_slug.get(record.slug), force.id, lpu_id, parsed.partial
        )
        if outcome == "added":
            summary.added += 1
        elif outcome == "updated":
            summary.updated += 1
        else:
            summary.unchanged += 1
    summary.errors.sort()
    return summary
