"""Conversations and their answers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import bindparam, delete, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from storage.clock import utcnow
from storage.models import Answer, Conversation
from storage.plain_sql import execute, table

# The statements every update runs, built once: SQLAlchemy then finds their compiled
# form without working out their cache key again each time.
_ACTIVE_FOR = (
    select(Conversation)
    .where(Conversation.user_id == bindparam("user_id"), Conversation.status == "active")
    .order_by(col(Conversation.id).desc())
)
_ANSWERS = (
    select(Answer)
    .where(Answer.conversation_id == bindparam("conversation_id"))
    .order_by(col(Answer.id))
)
_SAVED_COLUMNS = (
    "step",
    "status",
    "anonymous",
    "reviewing",
    "community_id",
    "submitted_at",
    "updated_at",
    "version",
)
_CONVERSATIONS = table(Conversation)
_SAVE = (
    update(_CONVERSATIONS)
    .where(
        _CONVERSATIONS.c.id == bindparam("conversation_id"),
        _CONVERSATIONS.c.version == bindparam("seen"),
    )
    .values({name: bindparam(name) for name in _SAVED_COLUMNS})
)


class StaleConversation(Exception):
    """Another worker moved this conversation on first (optimistic lock lost)."""


class ConversationRepository:
    """Conversations and their answers, within one unit of work.

    A conversation's answers are read once per unit of work, all together (a handful
    of rows), and kept: a step reads the answer it saves and the one it shows next,
    which used to be a query each. The person's row is held for the whole update
    (``UserRepository.hold``), so nobody else changes their answers meanwhile; the
    writes here keep what is kept up to date.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._answers: dict[int, dict[str, Answer]] = {}  # conversation id: question: row

    async def _answers_of(self, conversation_id: int) -> dict[str, Answer]:
        kept = self._answers.get(conversation_id)
        if kept is None:
            rows = await self._session.exec(_ANSWERS, params={"conversation_id": conversation_id})
            kept = self._answers[conversation_id] = {row.question: row for row in rows}
        return kept

    async def active_for(self, user_id: int) -> Conversation | None:
        return (await self._session.exec(_ACTIVE_FOR, params={"user_id": user_id})).first()

    async def get(self, conversation_id: int) -> Conversation | None:
        return await self._session.get(Conversation, conversation_id)

    async def start(self, conversation: Conversation) -> Conversation:
        self._session.add(conversation)
        await self._session.flush()
        assert conversation.id is not None
        self._answers[conversation.id] = {}
        return conversation

    async def save(self, conversation: Conversation) -> None:
        """Write a changed conversation, failing if another worker changed it since read."""
        seen = conversation.version
        values = {
            "step": conversation.step,
            "status": conversation.status,
            "anonymous": conversation.anonymous,
            "reviewing": conversation.reviewing,
            "community_id": conversation.community_id,
            "submitted_at": conversation.submitted_at,
            "updated_at": utcnow(),
            "version": seen + 1,
        }
        # What the UPDATE below writes counts as loaded, so that neither the flush
        # before it nor a later one writes the same columns again.
        for key in values.keys() - {"updated_at", "version"}:
            set_committed_value(conversation, key, getattr(conversation, key))
        params = {"conversation_id": conversation.id, "seen": seen, **values}
        # Flushed first: the conversation's other changes, and the rows it refers to.
        result = await execute(self._session, _SAVE, params, flush=True)
        if result.rowcount != 1:
            raise StaleConversation(conversation.id)
        for key, value in values.items():
            set_committed_value(conversation, key, value)

    async def answers(self, conversation_id: int) -> Sequence[Answer]:
        """In the order they were first given."""
        kept = await self._answers_of(conversation_id)
        return sorted(kept.values(), key=lambda row: row.id or 0)

    async def answer(self, conversation_id: int, question: str) -> Answer | None:
        return (await self._answers_of(conversation_id)).get(question)

    async def put_answer(
        self,
        conversation_id: int,
        question: str,
        *,
        text: str | None = None,
        choices: Sequence[str] = (),
        language: str | None = None,
        confidence: float | None = None,
    ) -> Answer:
        existing = await self.answer(conversation_id, question)
        row = existing or Answer(conversation_id=conversation_id, question=question)
        row.text = text
        row.choices = ",".join(choices)
        row.language = language
        row.language_confidence = confidence
        row.updated_at = utcnow()
        self._session.add(row)
        await self._session.flush()
        (await self._answers_of(conversation_id))[question] = row
        return row

    async def drop_answer(self, conversation_id: int, question: str) -> None:
        await self._session.exec(
            delete(Answer).where(
                col(Answer.conversation_id) == conversation_id, col(Answer.question) == question
            )
        )
        self._answers.get(conversation_id, {}).pop(question, None)

    async def drop_answers(self, conversation_id: int) -> None:
        await self._session.exec(
            delete(Answer).where(col(Answer.conversation_id) == conversation_id)
        )
        self._answers[conversation_id] = {}
