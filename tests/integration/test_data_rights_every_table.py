"""/mydata holds one of every kind of row kept about a person; /forget leaves none.

The person gets a row of every kind (answers, follow, RSVP, group membership, poll
vote and copy, delivery, event draft, invitation used, chat messages, dashboard
sign-ins, and what they organised, wrote, decided or sent); then every table is
scanned for their ids, name and username.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlmodel import SQLModel

from handlers.context import Deps
from handlers.outbound import Document
from handlers.safety.chat_log import remember_sent
from storage.models import (
    ActionGroup,
    ActionGroupMember,
    Broadcast,
    ChatMessage,
    DashboardLink,
    DashboardSession,
    Delivery,
    DirectoryEntry,
    DirectorySuggestion,
    Event,
    EventDraft,
    Follow,
    FundingApplication,
    FundingPot,
    LoopUpdate,
    Poll,
    PollMessage,
    PollVote,
    Rsvp,
    StaffInvite,
)
from tests.integration.test_data_rights import submit_anonymously
from tests.integration.test_resident_conversation import walk_to_exists
from tests.support.resident import Resident

TELEGRAM_ID = 8_987_654_321
NAME = "Philomena"
USERNAME = "philo_the_resident"
NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)


async def one_of_everything(deps: Deps) -> int:
    r = Resident(deps, TELEGRAM_ID, NAME, username=USERNAME)
    await submit_anonymously(r)
    await walk_to_exists(r)
    await r.send("Named answer in progress")
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(TELEGRAM_ID)
        assert user is not None and user.id is not None
        uid = user.id
        community = next(c for c in await uow.communities.all() if c.name == "Tarvin")
        assert community.id is not None
        event = Event(title="Street meeting", starts_at=NOW, organiser_id=uid)
        group = ActionGroup(lpu_id=community.lpu_id, title="Speeding A51", organiser_id=uid)
        uow.session.add_all([event, group])
        await uow.session.flush()
        assert event.id is not None and group.id is not None
        pot = FundingPot(
            lpu_id=community.lpu_id,
            title="Small grants",
            amount_pence=100_000,
            balance_pence=100_000,
            opens_on=NOW.date(),
            closes_on=NOW.date() + timedelta(days=30),
            created_by=uid,
        )
        entry = DirectoryEntry(name="Knit and natter", created_by=uid)
        uow.session.add_all([pot, entry])
        await uow.session.flush()
        assert pot.id is not None
        uow.session.add_all(
            [
                FundingApplication(
                    pot_id=pot.id,
                    applicant_id=uid,
                    status="submitted",
                    project_name="Benches",
                    contact=f"{NAME}, 01234 567890",
                    decided_by=uid,
                ),
                FundingApplication(pot_id=pot.id, applicant_id=uid, project_name="Half-written"),
                DirectorySuggestion(name="Tarvin Choir", normalised="tarvin choir", decided_by=uid),
            ]
        )
        poll = Poll(question="Which night?", options='["Mon", "Tue"]', organiser_id=uid)
        broadcast = Broadcast(sender_id=uid, sender_name=NAME, text="Hello followers")
        uow.session.add_all([poll, broadcast])
        await uow.session.flush()
        assert poll.id is not None
        uow.session.add_all(
            [
                Follow(user_id=uid, community_id=community.id),
                Rsvp(event_id=event.id, user_id=uid, status="going"),
                ActionGroupMember(group_id=group.id, user_id=uid),
                PollVote(poll_id=poll.id, user_id=uid, option_ids="1"),
                PollMessage(
                    poll_id=poll.id, user_id=uid, chat_id=TELEGRAM_ID, telegram_poll_id="tp1"
                ),
                Delivery(
                    key=f"reminder:{event.id}:{uid}:60",
                    kind="reminder",
                    user_id=uid,
                    chat_id=TELEGRAM_ID,
                    due_at=NOW + timedelta(hours=1),
                ),
                EventDraft(user_id=uid, step="title", data='{"title": "My draft"}'),
                StaffInvite(
                    token_hash="x" * 64,
                    role="pcso",
                    note=f"for {NAME}",
                    expires_at=NOW,
                    used_by_id=uid,
                    used_by_name=NAME,
                    used_at=NOW,
                ),
                LoopUpdate(
                    lpu_id=community.lpu_id, theme="Speeding", text="Speed checks", author_id=uid
                ),
                DashboardLink(token_hash="l" * 64, user_id=uid, expires_at=NOW),
                DashboardSession(
                    id_hash="s" * 64, user_id=uid, csrf_token="c" * 32, expires_at=NOW
                ),
                ChatMessage(chat_id=TELEGRAM_ID, message_id=41, from_bot=False, sent_at=NOW),
                ChatMessage(chat_id=TELEGRAM_ID, message_id=42, from_bot=True, sent_at=NOW),
                ChatMessage(  # the first part of a page sent as two messages, 43 and 44
                    chat_id=TELEGRAM_ID, message_id=43, from_bot=True, sent_at=NOW, page_end=44
                ),
                ChatMessage(chat_id=TELEGRAM_ID, message_id=44, from_bot=True, sent_at=NOW),
            ]
        )
        await uow.commit()
    return uid


async def test_mydata_returns_every_kind_of_row(deps: Deps) -> None:
    await one_of_everything(deps)
    r = Resident(deps, TELEGRAM_ID, NAME, username=USERNAME)
    replies = await r.send("/mydata")
    data = json.loads(next(x for x in replies if isinstance(x, Document)).content)
    assert data["profile"]["first_name"] == NAME and data["profile"]["username"] == USERNAME
    texts = [a["text"] for c in data["conversations"] for a in c["answers"]]
    assert "Anonymous exists" in texts and "Named answer in progress" in texts
    assert [f["community"] for f in data["follows"]] == ["Tarvin"]
    assert [x["answer"] for x in data["rsvps"]] == ["going"]
    assert [g["group"] for g in data["action_groups"]] == ["Speeding A51"]
    assert [v["options"] for v in data["poll_votes"]] == ["1"]
    assert [p["question"] for p in data["polls_received"]] == ["Which night?"]
    assert [d["kind"] for d in data["messages_to_you"]] == ["reminder"]
    assert [d["step"] for d in data["event_drafts"]] == ["title"]
    assert [i["role"] for i in data["staff_invitations_used"]] == ["pcso"]
    assert {m["message_id"] for m in data["recent_chat_messages"]} >= {41, 42, 43, 44}
    assert {m["message_id"]: m["page_ends_at"] for m in data["recent_chat_messages"]}[43] == 44
    assert [e["title"] for e in data["events_organised"]] == ["Street meeting"]
    assert [g["title"] for g in data["action_groups_organised"]] == ["Speeding A51"]
    assert [p["question"] for p in data["polls_organised"]] == ["Which night?"]
    assert [b["text"] for b in data["broadcasts_sent"]] == ["Hello followers"]
    assert len(data["funding_applications"]) == 2
    assert "Knit and natter" in json.dumps(data["directory_entries_added"])
    assert [u["text"] for u in data["updates_written"]] == ["Speed checks"]
    assert [p["title"] for p in data["funding_pots_opened"]] == ["Small grants"]
    assert [d["name"] for d in data["directory_suggestions_decided"]] == ["Tarvin Choir"]
    assert len(data["dashboard_sign_ins"]) == 1 and len(data["dashboard_links"]) == 1


async def test_forget_leaves_no_trace_in_any_table(deps: Deps) -> None:
    uid = await one_of_everything(deps)
    r = Resident(deps, TELEGRAM_ID, NAME, username=USERNAME)
    await r.send("/forget")
    await r.press("Yes, delete it")
    assert "deleted what we held" in r.text
    # The transport records the last reply (a long one: a page of two messages).
    await remember_sent(deps, [(TELEGRAM_ID, 98), (TELEGRAM_ID, 99)], None, [(TELEGRAM_ID, 98, 99)])

    async with deps.uow() as uow:
        for table in SQLModel.metadata.sorted_tables:
            user_columns = {
                c.name
                for c in table.columns
                if any(fk.column.table.name == "users" for fk in c.foreign_keys)
            }
            # sqlmodel types exec() for its own select()s, not a Core select of a Table
            rows = (await uow.session.exec(select(table))).all()  # type: ignore[call-overload]
            for row in rows:
                for column, value in row._mapping.items():
                    where = f"{table.name}.{column} = {value!r}"
                    assert not (column in user_columns and value == uid), where
                    assert value != TELEGRAM_ID, where
                    if isinstance(value, str):
                        assert NAME not in value and USERNAME not in value, where
