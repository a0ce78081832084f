"""Answers, names, searches and payloads that look like SQL are only ever data.

Every query goes through SQLAlchemy with bound parameters, so text such as
``'); DROP TABLE users;--`` is stored verbatim, found verbatim, and every table and
row is still there afterwards.
"""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlmodel import func, select

from bot.bootstrap import App
from storage.models import Answer, Community, User
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.property.support import check_reply
from tests.support.resident import Resident

ATTACKS = [
    "'); DROP TABLE users;--",
    "Robert'); DROP TABLE answers; --",
    "' OR '1'='1",
    "1; DELETE FROM communities WHERE 1=1",
    '" UNION SELECT telegram_id, first_name FROM users --',
    "%'; UPDATE users SET role='admin' WHERE '%'='",
]


async def tables_and_counts(app: App) -> tuple[list[str], int, int, int]:
    async with app.deps.uow() as uow:
        connection = await uow.session.connection()
        names = await connection.run_sync(lambda c: sorted(inspect(c).get_table_names()))
        users = (await uow.session.exec(select(func.count()).select_from(User))).one()
        communities = (await uow.session.exec(select(func.count()).select_from(Community))).one()
        admins = (
            await uow.session.exec(
                select(func.count()).select_from(User).where(User.role == "admin")
            )
        ).one()
    return names, int(users), int(communities), int(admins)


@pytest.mark.parametrize("attack", ATTACKS)
async def test_sql_in_an_answer_and_a_name_is_stored_verbatim_and_harmless(
    app: App, attack: str
) -> None:
    before = await tables_and_counts(app)
    r = Resident(app.deps, 7_930_000_001, name=attack, username="x'--")
    await walk_to_exists(r)
    await r.send(attack)
    for reply in r.replies:
        check_reply(reply)
    assert (await answers_of(app.deps, 7_930_000_001))["exists"].text == attack
    names, users, communities, admins = await tables_and_counts(app)
    assert (names, communities, admins) == (before[0], before[2], before[3])
    assert users == before[1] + 1
    async with app.deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.first_name == attack))).one()
        assert user.username == "x'--" and user.role == "resident"
        found = (await uow.session.exec(select(Answer).where(Answer.text == attack))).all()
        assert len(found) == 1


@pytest.mark.parametrize("attack", ATTACKS)
async def test_sql_in_searches_and_payloads_finds_nothing_and_breaks_nothing(
    app: App, attack: str
) -> None:
    before = await tables_and_counts(app)
    r = Resident(app.deps, 7_930_000_002)
    await r.send("/officer")
    await r.send(attack)  # a place name or postcode search
    for reply in r.replies:
        check_reply(reply)
    await r.send(f"/directory {attack}")
    for reply in r.replies:
        check_reply(reply)
    await r.send(f"/start {attack}")  # a start payload (event check-in, invitation)
    for reply in r.replies:
        check_reply(reply)
    await r.press_data(f"e:open:{attack}"[:64])
    for reply in r.replies:
        check_reply(reply)
    names, users, communities, admins = await tables_and_counts(app)
    assert (names, users, communities, admins) == (before[0], before[1] + 1, before[2], before[3])
