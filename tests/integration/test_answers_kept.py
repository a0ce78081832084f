"""A conversation's answers are read once per unit of work and kept in step with its
writes (``ConversationRepository``): what it returns is what the database holds."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event

from bot.bootstrap import App
from handlers.context import Deps
from storage.models import Conversation, User


@contextmanager
def counted(app: App) -> Iterator[list[str]]:
    """The SQL statements the application's engine sends meanwhile."""
    sent: list[str] = []
    engine = app.engine.sync_engine

    def record(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def _conversation(deps: Deps, telegram_id: int) -> int:
    async with deps.uow() as uow:
        user = await uow.users.add(User(telegram_id=telegram_id, chat_id=telegram_id))
        assert user.id is not None
        conv = await uow.conversations.start(
            Conversation(user_id=user.id, questionnaire="resident", step="exists")
        )
        assert conv.id is not None
        await uow.conversations.put_answer(conv.id, "exists", text="A hall")
        await uow.conversations.put_answer(conv.id, "needs", choices=["youth"])
        await uow.commit()
        return conv.id


async def test_answers_are_read_once_then_follow_the_writes(app: App, deps: Deps) -> None:
    conv_id = await _conversation(deps, 8_810_000_001)
    async with deps.uow() as uow:
        repo = uow.conversations
        with counted(app) as sent:
            first = await repo.answer(conv_id, "exists")
            second = await repo.answer(conv_id, "needs")
            missing = await repo.answer(conv_id, "vision")
        assert len([s for s in sent if s.lstrip().upper().startswith("SELECT")]) == 1
        assert first is not None and first.text == "A hall"
        assert second is not None and second.choice_list() == ["youth"]
        assert missing is None

        await repo.put_answer(conv_id, "vision", text="Safe streets")
        await repo.put_answer(conv_id, "exists", text="A hall and a park")
        await repo.drop_answer(conv_id, "needs")
        kept = [(a.question, a.text) for a in await repo.answers(conv_id)]
        assert kept == [("exists", "A hall and a park"), ("vision", "Safe streets")]
        await uow.commit()
    async with deps.uow() as uow:
        stored = [(a.question, a.text) for a in await uow.conversations.answers(conv_id)]
    assert stored == kept


async def test_dropping_all_answers_leaves_none_kept(deps: Deps) -> None:
    conv_id = await _conversation(deps, 8_810_000_002)
    async with deps.uow() as uow:
        assert len(await uow.conversations.answers(conv_id)) == 2
        await uow.conversations.drop_answers(conv_id)
        assert await uow.conversations.answers(conv_id) == []
        assert await uow.conversations.answer(conv_id, "exists") is None
        await uow.conversations.put_answer(conv_id, "exists", text="Again")
        await uow.commit()
    async with deps.uow() as uow:
        again = await uow.conversations.answers(conv_id)
    assert [(a.question, a.text) for a in again] == [("exists", "Again")]


async def test_a_new_conversation_has_no_answers_without_asking(app: App, deps: Deps) -> None:
    async with deps.uow() as uow:
        user = await uow.users.add(User(telegram_id=8_810_000_003, chat_id=3))
        assert user.id is not None
        conv = await uow.conversations.start(
            Conversation(user_id=user.id, questionnaire="resident", step="exists")
        )
        assert conv.id is not None
        with counted(app) as sent:
            assert await uow.conversations.answer(conv.id, "exists") is None
        assert sent == []
