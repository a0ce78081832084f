"""Which messages a page too long for one went out as is in the database
(``chat_messages.page_end``), written with the sent message ids (``SentLog``), so that
any worker, or the same one after a restart, can redo the page on a press.

The transport's side (``bot.transports.render.Pages``) is in
tests/unit/test_render_pages.py; over HTTP, with real worker processes, in
tests/e2e/test_long_pages_e2e.py.
"""

from __future__ import annotations

from sqlmodel import col, select

from bot.bootstrap import App, build_app
from bot.settings import Settings
from handlers.context import Deps
from handlers.safety.chat_log import SentLog, SentReplies, _pages_of, remember_sent
from storage.models import ChatMessage
from tests.support.resident import Resident

CHAT = 5_620_000_001


async def parts(deps: Deps, last: int, chat_id: int = CHAT) -> tuple[int, ...]:
    async with deps.uow() as uow:
        return await uow.chat_messages.page_parts(chat_id, last)


async def logged(deps: Deps, chat_id: int = CHAT) -> list[int]:
    async with deps.uow() as uow:
        rows = await uow.session.exec(
            select(ChatMessage.message_id).where(col(ChatMessage.chat_id) == chat_id)
        )
        return sorted(rows.all())


async def test_a_page_sent_by_one_worker_is_known_to_another(app: App, settings: Settings) -> None:
    await Resident(app.deps, CHAT).send("/start")
    await SentLog().remember(
        app.deps,
        [(CHAT, 10), (CHAT, 11), (CHAT, 12)],
        None,
        [
            (CHAT, 10, 12),
            (CHAT, 11, 12),
        ],
    )
    other = await build_app(settings, apply_migrations=False)  # as another process would
    try:
        assert await parts(other.deps, 12) == (10, 11)
        assert await parts(other.deps, 11) == () and await parts(other.deps, 99) == ()
        # That worker redoes it as two messages, 10 and 12 (11 deleted): only 10 is left.
        await remember_sent(
            other.deps, [(CHAT, 10), (CHAT, 12)], None, [(CHAT, 10, 12)], [(CHAT, 12)]
        )
        assert await parts(app.deps, 12) == (10,)
        # A short answer: one message, no earlier parts.
        await remember_sent(other.deps, [(CHAT, 12)], None, (), [(CHAT, 12)])
        assert await parts(app.deps, 12) == ()
    finally:
        await other.close()
    # The rows stay for the quick exit, whatever page they belonged to.
    assert set(await logged(app.deps)) >= {10, 11, 12}


async def test_the_pages_of_an_unknown_chat_are_not_recorded(deps: Deps) -> None:
    stranger = 5_620_000_002  # never wrote to the bot, or forgotten
    await remember_sent(deps, [(stranger, 1), (stranger, 2)], None, [(stranger, 1, 2)])
    assert await parts(deps, 2, stranger) == () and await logged(deps, stranger) == []


def test_a_page_redone_later_in_the_same_write_drops_what_an_earlier_update_said() -> None:
    batch = [
        SentReplies.of([(CHAT, 1), (CHAT, 2), (CHAT, 3)], 1, [(CHAT, 1, 3), (CHAT, 2, 3)]),
        SentReplies.of([(CHAT, 1), (CHAT, 3)], 2, [(CHAT, 1, 3)], [(CHAT, 3)]),
        SentReplies.of([(-100, 5)], 3, [(-100, 4, 5)], [(-100, 5)]),  # a group: never recorded
    ]
    assert _pages_of(batch) == ({(CHAT, 1): 3}, [(CHAT, 3)])
