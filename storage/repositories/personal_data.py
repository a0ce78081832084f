"""Everything held about one person, to export or erase it (/mydata, /forget).

Every table that can point to a person must be handled here; the data-rights tests
scan all tables afterwards for the person's id, name and username.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.models import (
    ActionGroup,
    ActionGroupMember,
    Answer,
    Broadcast,
    ChatMessage,
    Community,
    Conversation,
    DashboardLink,
    DashboardSession,
    Delivery,
    DirectoryEntry,
    DirectorySuggestion,
    Event,
    EventDraft,
    Follow,
    FundingPot,
    LoopUpdate,
    Poll,
    PollMessage,
    PollVote,
    ProcessedUpdate,
    Rsvp,
    StaffInvite,
    User,
)
from storage.repositories.funding import FundingRepository


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class PersonalData:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def _community_name(self, community_id: int | None) -> str | None:
        if community_id is None:
            return None
        community = await self._session.get(Community, community_id)
        return community.name if community else None

    async def export(self, user: User) -> dict[str, Any]:
        conversations = (
            await self._session.exec(
                select(Conversation)
                .where(Conversation.user_id == user.id)
                .order_by(col(Conversation.id))
            )
        ).all()
        exported = []
        for conv in conversations:
            answers = (
                await self._session.exec(
                    select(Answer).where(Answer.conversation_id == conv.id).order_by(col(Answer.id))
                )
            ).all()
            exported.append(
                {
                    "questionnaire": conv.questionnaire,
                    "status": conv.status,
                    "anonymous": conv.anonymous,
                    "community": await self._community_name(conv.community_id),
                    "started_at": _iso(conv.started_at),
                    "submitted_at": _iso(conv.submitted_at),
                    "answers": [
                        {
                            "question": a.question,
                            "text": a.text,
                            "choices": a.choice_list(),
                            "language": a.language,
                            "updated_at": _iso(a.updated_at),
                        }
                        for a in answers
                    ],
                }
            )
        follows = (await self._session.exec(select(Follow).where(Follow.user_id == user.id))).all()
        rsvps = (
            await self._session.exec(
                select(Rsvp, Event).where(Rsvp.user_id == user.id, Rsvp.event_id == Event.id)
            )
        ).all()
        groups = (
            await self._session.exec(
                select(ActionGroupMember, ActionGroup).where(
                    ActionGroupMember.user_id == user.id,
                    ActionGroupMember.group_id == ActionGroup.id,
                )
            )
        ).all()
        votes = (
            await self._session.exec(
                select(PollVote, Poll).where(
                    PollVote.user_id == user.id, PollVote.poll_id == Poll.id
                )
            )
        ).all()
        pending = (
            await self._session.exec(
                select(Delivery).where(Delivery.user_id == user.id, Delivery.status == "pending")
            )
        ).all()
        invites = (
            await self._session.exec(
                select(StaffInvite)
                .where(StaffInvite.used_by_id == user.id)
                .order_by(col(StaffInvite.id))
            )
        ).all()
        data: dict[str, Any] = {
            "rsvps": [
                {
                    "event": e.title,
                    "starts_at": _iso(e.starts_at),
                    "answer": r.status,
                    "checked_in_at": _iso(r.checked_in_at),
                }
                for r, e in rsvps
            ],
            "action_groups": [
                {"group": g.title, "active": m.active, "joined_at": _iso(m.joined_at)}
                for m, g in groups
            ],
            "poll_votes": [{"question": p.question, "options": v.option_ids} for v, p in votes],
            "scheduled_messages": [{"kind": d.kind, "due_at": _iso(d.due_at)} for d in pending],
            "staff_invitations_used": [
                {
                    "invitation": i.id,
                    "role": i.role,
                    "community": await self._community_name(i.community_id),
                    "used_at": _iso(i.used_at),
                    "recorded_as": i.used_by_name,
                }
                for i in invites
            ],
            "follows": [
                {
                    "community": await self._community_name(f.community_id),
                    "active": f.active,
                    "since": _iso(f.created_at),
                }
                for f in follows
            ],
            "profile": {
                "telegram_id": user.telegram_id,
                "first_name": user.first_name,
                "username": user.username,
                "language": user.language,
                "reminders_minutes_before": user.reminder_offsets or "off",
                "quiet_hours": user.quiet_hours or "off",
                "role": user.role,
                "community": await self._community_name(user.community_id),
                "created_at": _iso(user.created_at),
                "last_seen_at": _iso(user.last_seen_at),
            },
            "conversations": exported,
        }
        data.update(await self._activity(user))
        data.update(await self._staff_work(user))
        assert user.id is not None
        data["funding_applications"] = await FundingRepository(self._session).export_for(user.id)
        return data

    async def _activity(self, user: User) -> dict[str, Any]:
        """Messages, drafts and what the person organised or sent to others."""
        uid = user.id
        s = self._session
        deliveries = (
            await s.exec(
                select(Delivery)
                .where((col(Delivery.user_id) == uid) | (col(Delivery.chat_id) == user.chat_id))
                .order_by(col(Delivery.id))
            )
        ).all()
        polls_received = (
            await s.exec(
                select(PollMessage, Poll).where(
                    (col(PollMessage.user_id) == uid) | (col(PollMessage.chat_id) == user.chat_id),
                    PollMessage.poll_id == Poll.id,
                )
            )
        ).all()
        chat = (
            await s.exec(
                select(ChatMessage)
                .where(ChatMessage.chat_id == user.chat_id)
                .order_by(col(ChatMessage.id))
            )
        ).all()
        drafts = (await s.exec(select(EventDraft).where(EventDraft.user_id == uid))).all()
        events = (await s.exec(select(Event).where(Event.organiser_id == uid))).all()
        groups = (await s.exec(select(ActionGroup).where(ActionGroup.organiser_id == uid))).all()
        polls = (await s.exec(select(Poll).where(Poll.organiser_id == uid))).all()
        broadcasts = (await s.exec(select(Broadcast).where(Broadcast.sender_id == uid))).all()
        entries = (
            await s.exec(select(DirectoryEntry).where(DirectoryEntry.created_by == uid))
        ).all()
        return {
            "messages_to_you": [
                {
                    "kind": d.kind,
                    "due_at": _iso(d.due_at),
                    "status": d.status,
                    "sent_at": _iso(d.sent_at),
                }
                for d in deliveries
            ],
            "polls_received": [{"question": p.question} for _m, p in polls_received],
            "recent_chat_messages": [
                {
                    "message_id": m.message_id,
                    "from_bot": m.from_bot,
                    "at": _iso(m.sent_at),
                    "page_ends_at": m.page_end,  # a long text's earlier part: its last
                }
                for m in chat
            ],
            "event_drafts": [{"step": d.step, "answers": d.data} for d in drafts],
            "events_organised": [
                {"title": e.title, "starts_at": _iso(e.starts_at)} for e in events
            ],
            "action_groups_organised": [{"title": g.title} for g in groups],
            "polls_organised": [{"question": p.question} for p in polls],
            "broadcasts_sent": [
                {"text": b.text, "status": b.status, "created_at": _iso(b.created_at)}
                for b in broadcasts
            ],
            "directory_entries_added": [
                {"name": e.name, "status": e.status, "created_at": _iso(e.created_at)}
                for e in entries
            ],
        }

    async def _staff_work(self, user: User) -> dict[str, Any]:
        """What the person wrote or decided as staff, and their dashboard sign-ins."""
        uid = user.id
        s = self._session
        updates = (
            await s.exec(
                select(LoopUpdate).where(LoopUpdate.author_id == uid).order_by(col(LoopUpdate.id))
            )
        ).all()
        pots = (
            await s.exec(
                select(FundingPot).where(FundingPot.created_by == uid).order_by(col(FundingPot.id))
            )
        ).all()
        decided = (
            await s.exec(
                select(DirectorySuggestion)
                .where(DirectorySuggestion.decided_by == uid)
                .order_by(col(DirectorySuggestion.id))
            )
        ).all()
        links = (
            await s.exec(
                select(DashboardLink)
                .where(DashboardLink.user_id == uid)
                .order_by(col(DashboardLink.id))
            )
        ).all()
        sessions = (
            await s.exec(
                select(DashboardSession)
                .where(DashboardSession.user_id == uid)
                .order_by(col(DashboardSession.id))
            )
        ).all()
        return {
            "updates_written": [
                {
                    "theme": u.theme,
                    "text": u.text,
                    "status": u.status,
                    "created_at": _iso(u.created_at),
                    "sent_at": _iso(u.sent_at),
                }
                for u in updates
            ],
            "funding_pots_opened": [
                {"title": p.title, "status": p.status, "created_at": _iso(p.created_at)}
                for p in pots
            ],
            "directory_suggestions_decided": [
                {"name": d.name, "status": d.status, "decided_at": _iso(d.decided_at)}
                for d in decided
            ],
            "dashboard_links": [
                {
                    "created_at": _iso(link.created_at),
                    "expires_at": _iso(link.expires_at),
                    "used_at": _iso(link.used_at),
                }
                for link in links
            ],
            "dashboard_sign_ins": [
                {
                    "created_at": _iso(d.created_at),
                    "last_seen_at": _iso(d.last_seen_at),
                    "ended_at": _iso(d.ended_at),
                }
                for d in sessions
            ],
        }

    async def erase(self, user: User) -> None:
        """Delete the person; answers they sent anonymously are kept, unlinked."""
        conversations = (
            await self._session.exec(select(Conversation).where(Conversation.user_id == user.id))
        ).all()
        for conv in conversations:
            if conv.anonymous and conv.status == "submitted":
                await self._session.exec(
                    update(Conversation).where(col(Conversation.id) == conv.id).values(user_id=None)
                )
            else:
                await self._session.exec(
                    delete(Answer).where(col(Answer.conversation_id) == conv.id)
                )
                await self._session.exec(
                    delete(Conversation).where(col(Conversation.id) == conv.id)
                )
        uid = user.id
        for personal in (Follow, Rsvp, ActionGroupMember, PollVote):
            await self._session.exec(delete(personal).where(col(personal.user_id) == uid))
        await self._session.exec(
            delete(PollMessage).where(
                (col(PollMessage.user_id) == uid) | (col(PollMessage.chat_id) == user.chat_id)
            )
        )
        await self._session.exec(
            delete(Delivery).where(
                (col(Delivery.user_id) == uid) | (col(Delivery.chat_id) == user.chat_id)
            )
        )
        await self._session.exec(
            delete(ChatMessage).where(col(ChatMessage.chat_id) == user.chat_id)
        )
        await self._session.exec(
            delete(ProcessedUpdate).where(col(ProcessedUpdate.chat_id) == user.chat_id)
        )
        await self._session.exec(delete(EventDraft).where(col(EventDraft.user_id) == uid))
        for signed_in in (DashboardLink, DashboardSession):  # the web dashboard's sign-ins
            await self._session.exec(delete(signed_in).where(col(signed_in.user_id) == uid))
        for organised in (Event, ActionGroup, Poll):  # what they organised stays, unsigned
            await self._session.exec(
                update(organised)
                .where(col(organised.organiser_id) == uid)
                .values(organiser_id=None)
            )
        # The audit records stay, unsigned (SQLite is not trusted to SET NULL by itself).
        # An invitation's note often names the person it was for, so it goes too.
        await self._session.exec(
            update(StaffInvite)
            .where(col(StaffInvite.used_by_id) == uid)
            .values(used_by_id=None, used_by_name="", note="")
        )
        await self._session.exec(
            update(Broadcast)
            .where(col(Broadcast.sender_id) == uid)
            .values(sender_id=None, sender_name="")
        )
        await self._session.exec(
            update(LoopUpdate).where(col(LoopUpdate.author_id) == uid).values(author_id=None)
        )
        assert uid is not None
        await FundingRepository(self._session).erase_for(uid)
        # Directory entries they added stay for residents, unsigned; a half-made one goes.
        await self._session.exec(
            update(DirectorySuggestion)
            .where(
                col(DirectorySuggestion.entry_id).in_(
                    select(DirectoryEntry.id).where(
                        DirectoryEntry.created_by == uid, DirectoryEntry.status == "draft"
                    )
                )
            )
            .values(entry_id=None)
        )
        await self._session.exec(
            delete(DirectoryEntry).where(
                col(DirectoryEntry.created_by) == uid, col(DirectoryEntry.status) == "draft"
            )
        )
        await self._session.exec(
            update(DirectoryEntry)
            .where(col(DirectoryEntry.created_by) == uid)
            .values(created_by=None)
        )
        await self._session.exec(
            update(DirectorySuggestion)
            .where(col(DirectorySuggestion.decided_by) == uid)
            .values(decided_by=None)
        )
        await self._session.delete(user)
        await self._session.flush()
