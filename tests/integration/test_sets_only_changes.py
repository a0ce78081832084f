"""A column set to the value it already holds leaves the row clean (no empty flush)."""

from __future__ import annotations

from sqlalchemy import inspect

from handlers.context import Deps
from storage.models import User


async def test_an_equal_value_is_not_a_change_and_a_different_one_is(deps: Deps) -> None:
    async with deps.uow() as uow:
        await uow.users.add(User(telegram_id=8_800_000_001, chat_id=1, first_name="Ann"))
        await uow.commit()
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(8_800_000_001)
        assert user is not None
        state = inspect(user)
        user.first_name, user.chat_id, user.awaiting, user.username = "Ann", 1, "", None
        assert not state.modified and user not in uow.session.dirty
        user.chat_id = True  # equal to 1, but not the same type: written as given
        assert state.modified
        user.chat_id = 1
        user.first_name = "Anna"
        await uow.commit()
    async with deps.uow() as uow:
        again = await uow.users.by_telegram_id(8_800_000_001)
        assert again is not None and (again.first_name, again.chat_id) == ("Anna", 1)


async def test_a_new_object_keeps_what_it_is_given(deps: Deps) -> None:
    user = User(telegram_id=8_800_000_002, chat_id=2)
    user.awaiting = ""
    user.first_name = "Bo"
    assert (user.awaiting, user.first_name) == ("", "Bo")
    async with deps.uow() as uow:
        await uow.users.add(user)
        await uow.commit()
    async with deps.uow() as uow:
        stored = await uow.users.by_telegram_id(8_800_000_002)
        assert stored is not None and stored.first_name == "Bo"
