"""An organiser's two messages at once, on two workers, while adding a directory entry:
each answer is saved as given, to its own part (never both to the same one)."""

from __future__ import annotations

import asyncio

from bot.bootstrap import build_app
from bot.settings import Settings
from handlers.dispatch import handle
from handlers.inbound import TextMessage
from storage.models import DirectoryEntry
from tests.integration.test_directory import PCSO_ID, staff

ROUNDS = 3  # several, so the race is really run


async def test_two_answers_at_once_on_two_workers_fill_two_parts(settings: Settings) -> None:
    first = await build_app(settings, apply_migrations=False)
    second = await build_app(settings, apply_migrations=False)
    try:
        pcso = await staff(first.deps, PCSO_ID, "pcso", community="tarvin")
        for n in range(ROUNDS):
            await pcso.send("/organise")
            await pcso.press("Directory")
            await pcso.press("Add an entry")
            await pcso.send(f"Tarvin Club {n}")
            await pcso.press("Befriending")
            assert "Describe it" in pcso.text
            a = TextMessage(sender=pcso.sender, update_id=895_000_000 + 2 * n, text=f"A{n}")
            b = TextMessage(sender=pcso.sender, update_id=895_000_001 + 2 * n, text=f"B{n}")
            await asyncio.gather(handle(first.deps, a), handle(second.deps, b))
            async with first.deps.uow() as uow:
                user = await uow.users.by_telegram_id(PCSO_ID)
                assert user is not None and user.id is not None
                entry = await uow.directory.draft_for(user.id)
                assert isinstance(entry, DirectoryEntry) and entry.name == f"Tarvin Club {n}"
                got = {entry.description, entry.where_when}
                entry.status = "retired"  # out of the way of the next round
                uow.session.add(entry)
                await uow.commit()
            assert got == {f"A{n}", f"B{n}"}, got
    finally:
        await first.close()
        await second.close()
