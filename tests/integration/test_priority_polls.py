"""From themes to priorities: a poll made from the top themes, with its results in the report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from bot.bootstrap import App
from handlers.callbacks import PollAction, PollButton
from handlers.events import polls
from handlers.outbound import Text
from handlers.payloads import encode
from handlers.reports.build import build_report
from handlers.reports.figures import FEWER
from storage.models import Community, Event, Poll, User
from storage.repositories.reports import ReportScope
from tests.support.answers import generate_answers
from tests.support.resident import Resident

ORGANISER_ID = 7_900_000_001


async def _organiser_and_event(app: App) -> tuple[Resident, Event]:
    organiser = Resident(app.deps, ORGANISER_ID, "Olive")
    await organiser.send("/start")
    async with app.deps.uow() as uow:
        await generate_answers(uow, people=60)
        first = (await uow.session.exec(select(Community).order_by(col(Community.id)))).first()
        assert first is not None
        user = (await uow.session.exec(select(User).where(User.telegram_id == ORGANISER_ID))).one()
        user.role, user.role_lpu_id = "organiser", first.lpu_id
        event = Event(
            kind="conversation",
            title="Community Conversation",
            lpu_id=first.lpu_id,
            community_id=first.id,
            starts_at=datetime.now(UTC) + timedelta(days=3),
            organiser_id=user.id,
        )
        uow.session.add_all([user, event])
        await uow.commit()
    return organiser, event


async def test_top_themes_become_a_poll_whose_results_reach_the_report(app: App) -> None:
    organiser, event = await _organiser_and_event(app)
    assert event.id is not None
    await organiser.press_data(encode(PollButton(PollAction.AUDIENCE_EVENT, 0, event.id)))
    async with app.deps.uow() as uow:
        poll = (await uow.session.exec(select(Poll).order_by(col(Poll.id).desc()))).first()
    assert poll is not None and poll.id is not None
    replies = await organiser.press_data(encode(PollButton(PollAction.THEMES, poll.id)))
    preview = next(r for r in replies if isinstance(r, Text))
    assert "Which of these should we work on first?" in preview.text
    await organiser.press_data(encode(PollButton(PollAction.SEND, poll.id)))

    async with app.deps.uow() as uow:
        poll = await uow.polls.get(poll.id)
        assert poll is not None and poll.status == "open"
        options = polls.options_of(poll)
        assert 2 <= len(options) <= 8
        voters = (await uow.session.exec(select(User).where(User.first_name != "Olive"))).all()
        for n, voter in enumerate(voters[:9]):
            assert voter.id is not None and poll.id is not None
            await uow.polls.vote(poll.id, voter.id, [0] if n < 7 else [1])
        await uow.commit()
    async with app.deps.uow() as uow:
        report = await build_report(
            uow, ReportScope(lpu_id=event.lpu_id), now=datetime.now(UTC), tz=app.deps.timezone
        )
    [result] = report.polls
    assert result.question == "Which of these should we work on first?"
    assert [f.value for f in result.options[:2]] == [7, FEWER]


async def test_a_resident_cannot_fill_a_poll_from_themes(app: App) -> None:
    _organiser, event = await _organiser_and_event(app)
    async with app.deps.uow() as uow:
        poll = Poll(question="", options="[]", event_id=event.id, status="draft", organiser_id=1)
        await uow.polls.add(poll)
        await uow.commit()
    assert poll.id is not None
    resident = Resident(app.deps, 7_900_000_002, "Rae")
    await resident.send("/start")
    await resident.press_data(encode(PollButton(PollAction.THEMES, poll.id)))
    async with app.deps.uow() as uow:
        again = await uow.polls.get(poll.id)
    assert again is not None and again.question == ""
