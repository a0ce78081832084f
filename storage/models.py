"""The tables. Telegram ids are 64-bit (BigInteger); every timestamp is UTC-aware."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import ConfigDict
from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    Text,
    UniqueConstraint,
)
from sqlalchemy import text as sql_text
from sqlmodel import Field, SQLModel

from storage.clock import utcnow
from storage.types import UTCDateTime
from storage.unchanged import SetsOnlyChanges


def _created() -> datetime:
    return utcnow()


class Table(SQLModel):
    """The base of every table. Pydantic builds a model's validator only when one is
    first used: table objects are made without validation, and building all of them
    at import was about a tenth of a second of every ``chinwag`` command's start."""

    # SQLModel types this as its own TypedDict, a superset of pydantic's.
    model_config = ConfigDict(defer_build=True)  # type: ignore[assignment]


class Force(Table, table=True):
    __tablename__ = "forces"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)
    telephone: str = Field(default="", max_length=64)
    url: str = Field(default="", max_length=300)


class Lpu(Table, table=True):
    """A Local Policing Unit: a group of policing communities."""

    __tablename__ = "lpus"

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="forces.id", index=True)
    slug: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)


class Community(Table, table=True):
    """A policing community (a police.uk "neighbourhood")."""

    __tablename__ = "communities"
    __table_args__ = (UniqueConstraint("force_id", "external_id"),)

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="forces.id", index=True)
    lpu_id: int = Field(foreign_key="lpus.id", index=True)
    slug: str = Field(index=True, unique=True, max_length=80)
    external_id: str | None = Field(default=None, max_length=80)
    name: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    postcode_sectors: str = Field(default="", sa_type=Text)
    centroid_lat: float | None = None
    centroid_lon: float | None = None
    boundary: str = Field(default="", sa_type=Text)  # JSON [[lat, lon], ...], closed or not
    contact: str = Field(default="", sa_type=Text)  # JSON {"email": ..., "telephone": ...}
    url: str = Field(default="", max_length=300)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)

    def sectors(self) -> list[str]:
        return [s for s in self.postcode_sectors.split(",") if s]


class TeamMember(Table, table=True):
    """A member of a community's policing team (fictional in the demo data)."""

    __tablename__ = "team_members"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    name: str = Field(max_length=200)
    rank: str = Field(default="", max_length=80)
    role: str = Field(default="other", max_length=24)  # officer, pcso, sergeant, inspector, other
    email: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=64)
    social: str = Field(default="", sa_type=Text)  # JSON {"twitter": ..., "facebook": ...}
    bio: str = Field(default="", sa_type=Text)
    position: int = 0


class CommunityBase(Table, table=True):
    """Where residents can meet their team: the community base (police station, hub...)."""

    __tablename__ = "community_bases"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    name: str = Field(max_length=200)
    address: str = Field(default="", max_length=400)
    postcode: str = Field(default="", max_length=12)
    latitude: float | None = None
    longitude: float | None = None
    opening_times: str = Field(default="", sa_type=Text)
    accessibility: str = Field(default="", sa_type=Text)


class PostcodeCache(Table, table=True):
    """postcodes.io answers, kept so a postcode is looked up once."""

    __tablename__ = "postcode_cache"

    postcode: str = Field(primary_key=True, max_length=12)  # normalised, e.g. "CH3 8EH" or "CH3"
    latitude: float | None = None
    longitude: float | None = None
    police_force: str = Field(default="", max_length=120)
    found: bool = True
    fetched_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Follow(Table, table=True):
    """A resident follows a community's team (receives its broadcasts and news)."""

    __tablename__ = "follows"
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    community_id: int = Field(foreign_key="communities.id", index=True)
    active: bool = True
    muted: bool = False  # still follows (surgeries, news of events) but no broadcasts
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Event(Table, table=True):
    """A meeting residents can go to: a surgery, an action group, a Community Conversation.

    Times are stored in UTC; ``timezone`` is the zone the organiser meant, so a
    "18:00" meeting stays at 18:00 local time across the clock change.
    """

    __tablename__ = "events"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        # One row per date of a series, however many workers top the series up at once.
        UniqueConstraint("series_id", "occurrence_of", name="uq_events_series_date"),
    )

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(default="other", max_length=24)  # conversation, action_group, surgery, other
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    community_id: int | None = Field(default=None, foreign_key="communities.id", index=True)
    lpu_id: int | None = Field(default=None, foreign_key="lpus.id", index=True)
    starts_at: datetime = Field(sa_type=UTCDateTime, index=True)
    ends_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    timezone: str = Field(default="Europe/London", max_length=64)
    venue: str = Field(default="", max_length=200)
    address: str = Field(default="", max_length=400)
    latitude: float | None = None
    longitude: float | None = None
    accessibility: str = Field(default="", sa_type=Text)
    capacity: int | None = None
    status: str = Field(default="scheduled", max_length=16)  # scheduled, cancelled, series
    organiser_id: int | None = Field(default=None, foreign_key="users.id")
    action_group_id: int | None = Field(default=None, foreign_key="action_groups.id", index=True)
    series_id: int | None = Field(default=None, foreign_key="events.id", index=True)
    recurrence: str = Field(default="", max_length=200)  # encoded rule, on the series row only
    occurrence_of: date | None = None  # the rule's original date, for moved occurrences
    checkin_token: str = Field(default="", max_length=16)
    version: int = 1  # rises when time or place changes: reminders follow it
    source: str = Field(default="chat", max_length=24)  # chat, csv, police-uk
    external_id: str | None = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class User(SetsOnlyChanges, Table, table=True):
    """Someone who has talked to the bot."""

    __tablename__ = "users"

    id: int | None = Field(default=None, primary_key=True)
    telegram_id: int = Field(sa_column=Column(BigInteger, unique=True, index=True, nullable=False))
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    first_name: str = Field(default="", max_length=128)
    username: str | None = Field(default=None, max_length=64)
    language: str = Field(default="en", max_length=8)
    role: str = Field(default="resident", max_length=24)
    community_id: int | None = Field(default=None, foreign_key="communities.id")
    # What free text means now, outside a questionnaire (e.g. "officer": a postcode).
    awaiting: str = Field(default="", max_length=32)
    role_lpu_id: int | None = Field(default=None, foreign_key="lpus.id")  # staff scope
    role_community_id: int | None = Field(default=None, foreign_key="communities.id")
    reminder_offsets: str = Field(default="1440,60", max_length=64)  # minutes before; "" = off
    quiet_hours: str = Field(default="21:00-08:00", max_length=16)  # local time; "" = off
    declined_languages: str = Field(default="", max_length=64)  # "pl,uk": not asked again
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Conversation(SetsOnlyChanges, Table, table=True):
    """One run through a questionnaire: where the user is, and how they chose to answer.

    ``user_id`` becomes ``NULL`` when a resident who answered anonymously asks to be
    forgotten: the answers stay, with nothing left that points to a person.

    ``version`` rises with every change, so two workers handling two updates of one
    user at once cannot both move the conversation on (optimistic locking).
    """

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_user_status", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    questionnaire: str = Field(max_length=40)
    step: str = Field(max_length=40)
    status: str = Field(default="active", max_length=16)
    anonymous: bool = False
    reviewing: bool = False
    community_id: int | None = Field(default=None, foreign_key="communities.id")
    version: int = 1
    started_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Answer(Table, table=True):
    """One answer, saved the moment it is given; changing it overwrites this row."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("conversation_id", "question"),)

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversations.id", index=True)
    question: str = Field(max_length=40)
    text: str | None = Field(default=None, sa_type=Text)
    choices: str = Field(default="", max_length=1000)
    language: str | None = Field(default=None, max_length=8)
    language_confidence: float | None = None
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)

    def choice_list(self) -> list[str]:
        return [c for c in self.choices.split(",") if c]


class ProcessedUpdate(Table, table=True):
    """Telegram update ids already handled: a re-delivered update is skipped.

    ``replies`` holds the replies the update produced (JSON, ``handlers.reply_codec``),
    committed with the update: if the worker dies before Telegram hears that the
    update was taken, Telegram sends it again and the replies are sent then, instead
    of being lost. They are kept for minutes only, and ``chat_id`` says whose they are.
    ``processed_at`` is when the update was handled, or when its kept replies were
    last handed out again to a re-delivery.
    """

    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))
    replies: str | None = Field(default=None, sa_type=Text)


class Rsvp(Table, table=True):
    """A resident's answer to an event: going, maybe, no, or waiting for a place."""

    __tablename__ = "rsvps"
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    event_id: int = Field(foreign_key="events.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    status: str = Field(max_length=12)  # going, maybe, no, waitlist
    checked_in_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class ActionGroup(Table, table=True):
    """An Action Group following up a Community Conversation topic in an LPU."""

    __tablename__ = "action_groups"

    id: int | None = Field(default=None, primary_key=True)
    lpu_id: int = Field(foreign_key="lpus.id", index=True)
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    organiser_id: int | None = Field(default=None, foreign_key="users.id")
    status: str = Field(default="open", max_length=16)  # open, closed
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class ActionGroupMember(Table, table=True):
    __tablename__ = "action_group_members"
    __table_args__ = (UniqueConstraint("group_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="action_groups.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    active: bool = True
    joined_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Delivery(Table, table=True):
    """One message to one person, due at a time: a reminder, a notice, a poll, a broadcast.

    The row is the truth: the scheduler only wakes the dispatcher, which claims due
    rows, sends them and records the outcome. ``key`` makes scheduling idempotent
    (e.g. ``reminder:42:7:60`` for event 42, user 7, an hour before).
    """

    __tablename__ = "deliveries"
    __table_args__ = (Index("ix_deliveries_due", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)
    kind: str = Field(max_length=24)  # reminder, notice, poll, broadcast
    user_id: int | None = Field(default=None, foreign_key="users.id", index=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    due_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(
        default="pending", max_length=12
    )  # pending, sending, sent, failed, missed, cancelled
    attempts: int = 0
    payload: str = Field(default="", sa_type=Text)  # JSON: what to send, or what to compose it from
    urgent: bool = False
    quiet: bool = False  # held during the recipient's quiet hours unless urgent
    broadcast_id: int | None = Field(default=None, foreign_key="broadcasts.id", index=True)
    claimed_by: str = Field(default="", max_length=64)
    claimed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    last_error: str = Field(default="", max_length=300)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Poll(Table, table=True):
    """An attendee poll, sent as a native Telegram poll to each recipient."""

    __tablename__ = "polls"

    id: int | None = Field(default=None, primary_key=True)
    question: str = Field(max_length=300)
    options: str = Field(sa_type=Text)  # JSON list of up to 10 strings
    allows_multiple: bool = False
    anonymous: bool = False
    event_id: int | None = Field(default=None, foreign_key="events.id")
    action_group_id: int | None = Field(default=None, foreign_key="action_groups.id")
    organiser_id: int | None = Field(default=None, foreign_key="users.id")
    status: str = Field(default="open", max_length=12)  # open, closed
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class PollMessage(Table, table=True):
    """One recipient's copy of a poll: Telegram gives each copy its own poll id."""

    __tablename__ = "poll_messages"

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    telegram_poll_id: str = Field(max_length=64, unique=True)
    counts: str = Field(default="", max_length=200)  # anonymous polls: latest option counts, JSON


class PollVote(Table, table=True):
    __tablename__ = "poll_votes"
    __table_args__ = (UniqueConstraint("poll_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    poll_id: int = Field(foreign_key="polls.id", index=True)
    user_id: int = Field(foreign_key="users.id", index=True)
    option_ids: str = Field(default="", max_length=64)  # "0,2"; "" = vote retracted
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class EventDraft(Table, table=True):
    """An organiser's event (or action group) being put together in the chat, one per user.

    ``data`` is JSON of the answers so far; ``version`` rises with every change, so two
    workers cannot both move the draft on. It goes when the organiser does (cascade).
    """

    __tablename__ = "event_drafts"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), unique=True, nullable=False
        )
    )
    step: str = Field(max_length=32)
    data: str = Field(default="{}", sa_type=Text)
    version: int = 1
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class StaffInvite(Table, table=True):
    """A one-time link that gives whoever opens it a staff role and area.

    Only a hash of the token is kept: a copy of the database cannot be used to join.
    """

    __tablename__ = "staff_invites"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    role: str = Field(max_length=24)
    lpu_id: int | None = Field(default=None, foreign_key="lpus.id")
    community_id: int | None = Field(default=None, foreign_key="communities.id")
    note: str = Field(default="", max_length=200)  # who it is meant for, as the admin wrote it
    created_by: str = Field(default="", max_length=120)  # "cli" or a staff member's name
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_by_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    used_by_name: str = Field(default="", max_length=200)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Broadcast(Table, table=True):
    """A message from a team to its followers: the draft, the send, and the audit record.

    Status: ``draft`` (being written), ``scheduled``, ``sending``, ``sent`` or
    ``cancelled``. Each recipient gets a ``deliveries`` row (``broadcast_id``); the
    counts here are written when the broadcast ends, so the record outlives them.
    """

    __tablename__ = "broadcasts"

    id: int | None = Field(default=None, primary_key=True)
    sender_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    sender_name: str = Field(default="", max_length=200)
    sender_role: str = Field(default="", max_length=24)
    audience: str = Field(default="community", max_length=16)  # community, lpu
    community_id: int | None = Field(default=None, foreign_key="communities.id")
    lpu_id: int | None = Field(default=None, foreign_key="lpus.id")
    text: str = Field(default="", sa_type=Text)
    photo: str = Field(default="", max_length=200)  # a Telegram file_id
    latitude: float | None = None
    longitude: float | None = None
    urgent: bool = False
    status: str = Field(default="draft", max_length=12)
    step: str = Field(default="text", max_length=16)  # while a draft: what it waits for
    version: int = 1
    scheduled_for: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    total: int = 0
    sent_count: int = 0
    blocked_count: int = 0
    failed_count: int = 0
    status_chat_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    status_message_id: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    progress_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class SendSlot(Table, table=True):
    """The shared send-rate limiter: the next free moment (epoch seconds) per key.

    ``global`` spaces every bulk message; ``chat:<id>`` spaces messages to one chat.
    Every worker process reserves its slots here, so the rate is shared, not multiplied.
    """

    __tablename__ = "send_slots"

    key: str = Field(primary_key=True, max_length=40)
    next_at: float = 0.0


PAGE_PARTS_ONLY = "page_end IS NOT NULL"


class ChatMessage(Table, table=True):
    """A message in a private chat, either way, kept 48 hours for the quick exit.

    Telegram lets a bot delete messages in a private chat for 48 hours; these rows
    say which ones to delete. Nothing of the message's content is kept.

    A text too long for one message goes as several, the buttons on the last
    (``bot.transports.render``); each earlier part's row has ``page_end``, the id of
    that last message, so that a press on its buttons, on whichever worker, can redo
    the whole page. An edited message is recorded again (a row each time it is sent
    or edited); a redone page's old rows lose their ``page_end``.
    """

    __tablename__ = "chat_messages"
    __table_args__ = (
        Index("ix_chat_messages_chat_sent", "chat_id", "sent_at"),
        Index(
            "ix_chat_messages_page_end",
            "chat_id",
            "page_end",
            sqlite_where=sql_text(PAGE_PARTS_ONLY),
            postgresql_where=sql_text(PAGE_PARTS_ONLY),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    from_bot: bool = False
    page_end: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    sent_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime, index=True)


class LoopUpdate(Table, table=True):
    """A "you said, we did" update: what was done about a theme, or a group's work.

    Sent (through the delivery engine) to the residents who took part in the LPU's
    Community Conversation, or to the group's members, and shown in the next
    report. ``lpu_id`` is empty for a force-wide update about a theme.
    """

    __tablename__ = "loop_updates"

    id: int | None = Field(default=None, primary_key=True)
    lpu_id: int | None = Field(default=None, foreign_key="lpus.id", index=True)
    action_group_id: int | None = Field(default=None, foreign_key="action_groups.id")
    theme: str = Field(default="", max_length=200)  # what residents said, or the group's title
    text: str = Field(default="", sa_type=Text)  # what was done
    author_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    status: str = Field(default="draft", max_length=12)  # draft, sent, discarded
    recipients: int = 0
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DirectoryEntry(Table, table=True):
    """A club, group, support service, scheme, advice site or community base residents can use.

    It serves one community, one LPU, or (both empty) the whole force. ``status`` is
    ``draft`` while an organiser puts it together in the chat, then ``active`` or
    ``retired``; ``created_by`` is cleared when that person's data is forgotten.
    """

    __tablename__ = "directory_entries"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    category: str = Field(default="other", max_length=24)
    description: str = Field(default="", sa_type=Text)
    where_when: str = Field(default="", sa_type=Text)
    contact: str = Field(default="", sa_type=Text)
    community_id: int | None = Field(default=None, foreign_key="communities.id", index=True)
    lpu_id: int | None = Field(default=None, foreign_key="lpus.id", index=True)
    accessibility: str = Field(default="", sa_type=Text)
    languages: str = Field(default="", max_length=200)
    keywords: str = Field(default="", sa_type=Text)
    status: str = Field(default="active", max_length=12)  # draft, active, retired
    source: str = Field(default="chat", max_length=12)  # chat, csv, suggestion, dashboard
    created_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class DirectorySuggestion(Table, table=True):
    """A name residents gave in "what already exists" answers, waiting for an organiser.

    ``normalised`` is the name folded for matching (one row per name); ``mentions``
    counts the answers that named it. Accepting links it to a directory entry.
    """

    __tablename__ = "directory_suggestions"
    __table_args__ = (UniqueConstraint("normalised", name="uq_directory_suggestions_normalised"),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    normalised: str = Field(max_length=200)
    mentions: int = 0
    first_seen: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    status: str = Field(default="pending", max_length=12)  # pending, accepted, dismissed
    entry_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("directory_entries.id", ondelete="SET NULL"), nullable=True
        ),
    )
    decided_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    )
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


def _user_fk() -> Column[int]:
    return Column(Integer, ForeignKey("users.id", ondelete="SET NULL"), nullable=True)


class FundingPot(Table, table=True):
    """A pot of money (seized from criminals) that a community or an LPU gives out.

    ``balance_pence`` is what is left; approvals take from it in one conditional
    UPDATE, and the CHECK constraint keeps it from ever going below zero.
    Opening and closing dates are local (Europe/London) days, both included.
    """

    __tablename__ = "funding_pots"
    __table_args__ = (CheckConstraint("balance_pence >= 0", name="ck_funding_pots_balance"),)

    id: int | None = Field(default=None, primary_key=True)
    community_id: int | None = Field(default=None, foreign_key="communities.id", index=True)
    lpu_id: int | None = Field(default=None, foreign_key="lpus.id", index=True)
    title: str = Field(default="", max_length=200)
    purpose: str = Field(default="", sa_type=Text)
    criteria: str = Field(default="", sa_type=Text)
    amount_pence: int = 0
    balance_pence: int = 0
    opens_on: date
    closes_on: date
    status: str = Field(default="open", max_length=12)  # draft, open, closed, discarded
    created_by: int | None = Field(default=None, sa_column=_user_fk())
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


# Which rows the one-draft-per-applicant-and-pot index covers (the same in the migration).
DRAFT_ONLY = "status = 'draft'"


class FundingApplication(Table, table=True):
    """A bid for a pot, filled in one question at a time (``step``) and then reviewed.

    Status: ``draft``, ``submitted``, ``question`` (the organiser asked something),
    ``approved``, ``declined`` or ``withdrawn``. ``version`` goes up on every
    decision, so two organisers cannot decide the same application twice.
    ``decided_by`` is the organiser who last acted on it (asked, approved, declined).
    An applicant has at most one draft for each pot (a partial unique index): two
    presses of "Apply" at once, on two workers, start one draft and both carry on with it.
    """

    __tablename__ = "funding_applications"
    __table_args__ = (
        Index(
            "uq_funding_applications_one_draft",
            "applicant_id",
            "pot_id",
            unique=True,
            sqlite_where=sql_text(DRAFT_ONLY),
            postgresql_where=sql_text(DRAFT_ONLY),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    pot_id: int = Field(foreign_key="funding_pots.id", index=True)
    applicant_id: int | None = Field(default=None, sa_column=_user_fk())
    action_group_id: int | None = Field(default=None, foreign_key="action_groups.id")
    status: str = Field(default="draft", max_length=12)
    step: str = Field(default="project_name", max_length=24)
    project_name: str = Field(default="", max_length=200)
    problem: str = Field(default="", sa_type=Text)
    beneficiaries: str = Field(default="", sa_type=Text)
    cost_breakdown: str = Field(default="", sa_type=Text)
    requested_pence: int = 0
    partners: str = Field(default="", sa_type=Text)
    contact: str = Field(default="", sa_type=Text)
    question: str = Field(default="", sa_type=Text)
    answer: str = Field(default="", sa_type=Text)
    decided_amount_pence: int | None = None
    decision_reason: str = Field(default="", sa_type=Text)
    decided_by: int | None = Field(default=None, sa_column=_user_fk())
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    submitted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1


class LeaderLease(Table, table=True):
    """Which worker leads a shared job (the delivery dispatcher), and until when.

    Used where the database has no session-scoped locks (SQLite); PostgreSQL uses
    an advisory lock instead. Times are wall-clock epoch seconds, since workers on
    several machines take part. ``woken_at`` is moved on by a worker that is not the
    leader when it has just scheduled something due now, so the leader looks at once.
    """

    __tablename__ = "leader_leases"

    name: str = Field(primary_key=True, max_length=40)
    holder: str = Field(default="", max_length=64)
    expires_at: float = 0.0
    woken_at: float = 0.0


class DashboardLink(Table, table=True):
    """A single-use sign-in link to the web dashboard, sent by the bot on ``/dashboard``.

    Only the SHA-256 of its token is kept, as for staff invitations. It is used by one
    conditional UPDATE, so a link signs in once even when opened twice at once.
    """

    __tablename__ = "dashboard_links"

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DashboardSession(Table, table=True):
    """A signed-in browser: the SHA-256 of the id in its cookie, its CSRF token, and
    the notice of the form it last sent.

    The role is not kept here: every request reads it from ``users`` again.
    """

    __tablename__ = "dashboard_sessions"

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(max_length=64, unique=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # What the last form did (``bot.web.notices``): JSON, shown once by the page it led to.
    notice: str | None = Field(default=None, sa_type=Text)
