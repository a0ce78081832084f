"""The tables. Telegram ids are 64-bit (BigInteger); every timestamp is UTC-aware."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.clock import utcnow
from storage.types import UTCDateTime


def _created() -> datetime:
    return utcnow()


class Force(SQLModel, table=True):
    __tablename__ = "forces"

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)


class Lpu(SQLModel, table=True):
    """A Local Policing Unit: a group of policing communities."""

    __tablename__ = "lpus"

    id: int | None = Field(default=None, primary_key=True)
    force_id: int = Field(foreign_key="forces.id", index=True)
    slug: str = Field(index=True, unique=True, max_length=64)
    name: str = Field(max_length=200)


class Community(SQLModel, table=True):
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


class User(SQLModel, table=True):
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
    created_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)


class Conversation(SQLModel, table=True):
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


class Answer(SQLModel, table=True):
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


class ProcessedUpdate(SQLModel, table=True):
    """Telegram update ids already handled: a re-delivered update is skipped."""

    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    processed_at: datetime = Field(default_factory=_created, sa_type=UTCDateTime)
