"""Closing the loop: an organiser's "you said, we did" update reaches the right people
through the delivery engine, in their language, and appears in the next report."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import col, select

from bot.bootstrap import App
from handlers.deliveries import compose
from handlers.outbound import Edit, Notice, OutboundReply, Text
from handlers.payloads import encode
from handlers.reports.build import build_report
from handlers.reports.buttons import LoopAction, LoopButton
from storage.models import ActionGroup, ActionGroupMember, Community, Delivery, LoopUpdate, User
from storage.repositories.reports import ReportScope
from tests.support.answers import generate_answers
from tests.support.resident import Resident

ORGANISER_ID = 7_950_000_001


def text_of(reply: OutboundReply) -> str:
    """The text of a reply that has one (a Text, an Edit or a Notice)."""
    assert isinstance(reply, Text | Edit | Notice), reply
    return reply.text


async def _organiser(app: App) -> tuple[Resident, int]:
    organiser = Resident(app.deps, ORGANISER_ID, "Olive")
    await organiser.send("/start")
    async with app.deps.uow() as uow:
        await generate_answers(uow, people=40)
        first = (await uow.session.exec(select(Community).order_by(col(Community.id)))).first()
        assert first is not None
        user = (await uow.session.exec(select(User).where(User.telegram_id == ORGANISER_ID))).one()
        user.role, user.role_lpu_id = "organiser", first.lpu_id
        uow.session.add(user)
        await uow.commit()
    return organiser, first.lpu_id


async def _deliveries(app: App) -> list[Delivery]:
    async with app.deps.uow() as uow:
        query = select(Delivery).where(Delivery.kind == "loop").order_by(col(Delivery.id))
        return list((await uow.session.exec(query)).all())


async def test_a_theme_update_reaches_everyone_who_took_part_and_the_report(app: App) -> None:
    organiser, lpu_id = await _organiser(app)
    replies = await organiser.send("/wedid")
    assert "You said, we did" in text_of(replies[0])
    await organiser.press_data(encode(LoopButton(LoopAction.THEME, 0)))
    replies = await organiser.send("The council cleared the canal path and added two bins.")
    preview = next(r for r in replies if isinstance(r, Text))
    assert "It will go to 40 people." in preview.text
    async with app.deps.uow() as uow:
        update = (await uow.session.exec(select(LoopUpdate))).one()
    assert update.id is not None
    replies = await organiser.press_data(encode(LoopButton(LoopAction.SEND, update.id)))
    assert isinstance(replies[0], Edit) and "40" in replies[0].text

    rows = await _deliveries(app)
    assert len(rows) == 40 and all(r.quiet and not r.urgent for r in rows)
    async with app.deps.uow() as uow:
        polish = (await uow.session.exec(select(User).where(User.language == "pl"))).first()
        assert polish is not None
        mine = next(r for r in rows if r.user_id == polish.id)
        [message] = await compose(app.deps, uow, mine) or []
    assert isinstance(message, Text)
    assert "canal path" in message.text and "You said, we did" not in message.text

    async with app.deps.uow() as uow:
        report = await build_report(
            uow, ReportScope(lpu_id=lpu_id), now=datetime.now(UTC), tz=app.deps.timezone
        )
    [note] = report.updates
    assert note.text.startswith("The council cleared")
    assert note.reached.value == 40
    assert note.reached in report.figures()


async def test_a_group_update_goes_to_its_members_only(app: App) -> None:
    organiser, lpu_id = await _organiser(app)
    async with app.deps.uow() as uow:
        group = ActionGroup(lpu_id=lpu_id, title="Speeding on the A51")
        uow.session.add(group)
        await uow.session.flush()
        assert group.id is not None
        members = (await uow.session.exec(select(User).limit(3))).all()
        uow.session.add_all(
            [ActionGroupMember(group_id=group.id, user_id=m.id) for m in members if m.id]
        )
        await uow.commit()
    assert group.id is not None
    await organiser.press_data(encode(LoopButton(LoopAction.GROUP, group.id)))
    await organiser.send("Speed signs are up on the A51.")
    async with app.deps.uow() as uow:
        update = (await uow.session.exec(select(LoopUpdate))).one()
    assert update.id is not None
    await organiser.press_data(encode(LoopButton(LoopAction.SEND, update.id)))
    assert len(await _deliveries(app)) == 3


async def test_residents_are_refused(app: App) -> None:
    resident = Resident(app.deps, 7_950_000_002, "Rae")
    await resident.send("/start")
    replies = await resident.send("/wedid")
    assert "Only organisers" in text_of(replies[0])
    await resident.press_data(encode(LoopButton(LoopAction.THEME, 0)))
    async with app.deps.uow() as uow:
        assert (await uow.session.exec(select(LoopUpdate))).first() is None
