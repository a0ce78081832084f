"""What the security tests share: a small world of staff things, and a database fingerprint.

``seed`` makes, in the demo database, one of everything staff work with (an
organiser in Chester with an event, an action group with a member, a draft and an
open poll, a broadcast draft, a "you said, we did" draft, a directory entry and a
suggestion, an open and a draft funding pot, and a submitted application), so a
forged button can name real rows. ``fingerprint`` reads every table that holds
what people did, so a test can say "nothing changed" and mean it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel

from bot.staff_command import grant_role
from handlers.context import Deps
from handlers.markup import to_plain
from handlers.outbound import Document, Edit, Notice, OutboundReply, Photo, Text
from storage.models import (
    ActionGroup,
    ActionGroupMember,
    Broadcast,
    DirectoryEntry,
    DirectorySuggestion,
    Event,
    EventDraft,
    FundingApplication,
    FundingPot,
    LoopUpdate,
    Poll,
    User,
)

ORGANISER = 7_700_000_001
APPLICANT = 7_700_000_002
# Written by every update (the update log, the quick exit's message log, leases), or
# by the clock: not what a refused action could change.
NOT_STATE = {"processed_updates", "chat_messages", "leader_leases", "send_slots"}
VOLATILE = {"last_seen_at", "updated_at"}


@dataclass(frozen=True)
class World:
    organiser_id: int
    lpu_id: int
    community_id: int
    event: int
    group: int
    draft_poll: int
    open_poll: int
    broadcast: int
    loop_update: int
    entry: int
    suggestion: int
    pot: int
    draft_pot: int
    application: int
    event_draft: int


async def seed(deps: Deps) -> World:
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=ORGANISER, role="organiser", lpu="chester")
        organiser = await uow.users.by_telegram_id(ORGANISER)
        lpu = await uow.communities.lpu_by_slug("chester")
        assert organiser is not None and organiser.id is not None
        assert lpu is not None and lpu.id is not None
        [tarvin] = [c for c in await uow.communities.in_lpu(lpu.id) if c.name == "Tarvin"]
        applicant = await uow.users.add(
            User(telegram_id=APPLICANT, chat_id=APPLICANT, first_name="Dana")
        )
        assert applicant.id is not None
        soon = datetime.now(UTC) + timedelta(days=5)
        rows: dict[str, Any] = {
            "event": Event(
                title="Tarvin surgery",
                kind="surgery",
                community_id=tarvin.id,
                starts_at=soon,
                organiser_id=organiser.id,
                checkin_token="AbCdEfGh",
            ),
            "group": ActionGroup(lpu_id=lpu.id, title="Speeding", organiser_id=organiser.id),
            "draft_poll": Poll(
                question="", options="[]", status="draft", organiser_id=organiser.id
            ),
            "open_poll": Poll(
                question="Which first?",
                options=json.dumps(["Parking", "Litter"]),
                organiser_id=organiser.id,
            ),
            "broadcast": Broadcast(
                sender_id=organiser.id, lpu_id=lpu.id, audience="lpu", text="Draft"
            ),
            "loop_update": LoopUpdate(lpu_id=lpu.id, theme="parking", author_id=organiser.id),
            "entry": DirectoryEntry(name="Tarvin Youth Club", category="youth", lpu_id=lpu.id),
            "suggestion": DirectorySuggestion(name="Tarvin Choir", normalised="tarvin choir"),
            "pot": FundingPot(
                lpu_id=lpu.id,
                title="Chester fund",
                amount_pence=100_000,
                balance_pence=100_000,
                opens_on=date(2026, 1, 1),
                closes_on=date(2030, 1, 1),
            ),
            "draft_pot": FundingPot(
                lpu_id=lpu.id,
                status="draft",
                created_by=organiser.id,
                opens_on=date(2026, 1, 1),
                closes_on=date(2026, 1, 1),
            ),
            "event_draft": EventDraft(user_id=organiser.id, step="title", data="{}"),
        }
        for row in rows.values():
            uow.session.add(row)
        await uow.session.flush()
        uow.session.add(ActionGroupMember(group_id=rows["group"].id, user_id=applicant.id))
        application = FundingApplication(
            pot_id=rows["pot"].id,
            applicant_id=applicant.id,
            status="submitted",
            step="review",
            project_name="Speed signs",
            requested_pence=30_000,
            submitted_at=soon,
        )
        uow.session.add(application)
        await uow.session.flush()
        await uow.commit()
        ids = {name: row.id for name, row in rows.items()}
        return World(
            organiser_id=organiser.id,
            lpu_id=lpu.id,
            community_id=tarvin.id or 0,
            application=application.id or 0,
            **ids,
        )


async def fingerprint(deps: Deps) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds state, without the columns the clock moves."""
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with deps.uow() as uow:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in NOT_STATE:
                continue
            columns = [c.name for c in table.columns if c.name not in VOLATILE]
            names = ", ".join(f'"{c}"' for c in columns)
            result = await uow.session.connection()
            rows = (await result.execute(text(f'SELECT {names} FROM "{table.name}"'))).all()
            found[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return found


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The tables whose rows differ, with the rows that appeared and went."""
    out: dict[str, Any] = {}
    for name in before:
        if before[name] != after[name]:
            gone = [r for r in before[name] if r not in after[name]]
            new = [r for r in after[name] if r not in before[name]]
            out[name] = {"gone": gone[:3], "new": new[:3]}
    return out


def shown(replies: list[OutboundReply]) -> str:
    """Everything the replies show a person, as plain text (HTML taken off)."""
    parts: list[str] = []
    for reply in replies:
        if isinstance(reply, Text | Edit):
            parts.append(to_plain(reply.text))
        elif isinstance(reply, Notice):
            parts.append(reply.text)
        elif isinstance(reply, Document | Photo):
            parts.append(to_plain(reply.caption))
    return "\n".join(parts)
