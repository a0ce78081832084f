"""/mydata returns everything held about a resident; /forget leaves no trace of them."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlmodel import SQLModel
from sqlmodel import select as sqlmodel_select

from handlers.context import Deps
from handlers.outbound import Document
from storage.models import Answer, Conversation, User
from tests.integration.test_resident_conversation import walk_to_exists
from tests.support.resident import Resident

TELEGRAM_ID = 8_123_456_789
NAME = "Zebedee"
USERNAME = "zeb_on_telegram"


async def submit_anonymously(r: Resident) -> None:
    await r.send("/start")
    await r.press("Have your say")
    await r.press("Start")
    await r.press("keep me anonymous")
    await r.send("Tarvin")
    for answer in ("Anonymous exists", "Anonymous needs", "Anonymous issues", "Anonymous future"):
        await r.send(answer)
    await r.press("Skip")
    await r.press("Send my answers")
    assert "Thank you" in r.text


async def test_mydata_returns_every_answer_and_the_profile(deps: Deps) -> None:
    r = Resident(deps, TELEGRAM_ID, NAME, username=USERNAME)
    await submit_anonymously(r)
    await walk_to_exists(r)
    await r.send("Named answer in progress")
    replies = await r.send("/mydata")
    document = next(x for x in replies if isinstance(x, Document))
    data = json.loads(document.content)
    assert data["profile"]["telegram_id"] == TELEGRAM_ID
    assert data["profile"]["username"] == USERNAME and data["profile"]["community"] == "Tarvin"
    texts = [a["text"] for conv in data["conversations"] for a in conv["answers"]]
    assert "Anonymous exists" in texts and "Named answer in progress" in texts
    assert [c["anonymous"] for c in data["conversations"]] == [True, False]


async def all_cells(deps: Deps) -> list[tuple[str, object]]:
    cells: list[tuple[str, object]] = []
    async with deps.uow() as uow:
        for table in SQLModel.metadata.sorted_tables:
            # sqlmodel types exec() for its own select()s, not a Core select of a Table
            rows = (await uow.session.exec(select(table))).all()  # type: ignore[call-overload]
            cells.extend((table.name, value) for row in rows for value in row)
    return cells


async def test_forget_leaves_no_trace_and_keeps_only_anonymous_answers(deps: Deps) -> None:
    r = Resident(deps, TELEGRAM_ID, NAME, username=USERNAME)
    await submit_anonymously(r)
    await walk_to_exists(r)
    await r.send("Named answer in progress")
    await r.send("/forget")
    assert "cannot be undone" in r.text
    await r.press("Yes, delete it")
    assert "deleted what we held" in r.text

    for table, value in await all_cells(deps):
        assert value not in (TELEGRAM_ID, NAME, USERNAME), f"{table} still holds {value!r}"
        assert not (isinstance(value, str) and (NAME in value or USERNAME in value)), table
    async with deps.uow() as uow:
        answers = (await uow.session.exec(sqlmodel_select(Answer))).all()
        # (an answer without text, which would not match, as "")
        assert sorted(a.text or "" for a in answers) == sorted(
            [
                "Tarvin",
                "Anonymous exists",
                "Anonymous needs",
                "Anonymous issues",
                "Anonymous future",
            ]
        )
        conversations = (await uow.session.exec(sqlmodel_select(Conversation))).all()
        assert [(c.user_id, c.anonymous) for c in conversations] == [(None, True)]
        users = sqlmodel_select(func.count()).select_from(User)
        assert (await uow.session.exec(users)).one() == 0


async def test_keeping_the_data_deletes_nothing(deps: Deps) -> None:
    r = Resident(deps, TELEGRAM_ID, NAME)
    await walk_to_exists(r)
    await r.send("/forget")
    await r.press("No, keep it")
    assert "Nothing has been deleted" in r.text
    await r.send("/mydata")
    assert any(isinstance(x, Document) for x in r.replies)
