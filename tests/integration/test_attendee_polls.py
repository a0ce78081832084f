"""Attendee polls: an organiser polls the people going to an event, sees the tally,
closes the poll and exports it; residents cannot send polls, even with forged buttons."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.bootstrap import App
from handlers.callbacks import EventAction, EventButton, PollAction, PollButton
from handlers.deliveries import SentMessage, compose, load_composers, record_sent
from handlers.inbound import PollAnswer
from handlers.outbound import Document
from handlers.outbound import Poll as PollReply
from handlers.payloads import encode
from storage.models import Community, Delivery, Event, Poll, User
from tests.support.resident import Resident

ORGANISER_ID = 7_700_000_001


async def organiser_and_event(app: App) -> tuple[Resident, Event]:
    organiser = Resident(app.deps, ORGANISER_ID, "Olive")
    await organiser.send("/start")
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        user = (await uow.session.exec(select(User).where(User.telegram_id == ORGANISER_ID))).one()
        user.role, user.role_lpu_id = "organiser", tarvin.lpu_id
        event = Event(
            kind="conversation",
            title="Tarvin Community Conversation",
            lpu_id=tarvin.lpu_id,
            community_id=tarvin.id,
            starts_at=datetime.now(UTC) + timedelta(days=3),
            organiser_id=user.id,
            venue="Community Centre",
        )
        uow.session.add_all([user, event])
        await uow.commit()
    return organiser, event


async def deliver_polls(app: App) -> dict[int, str]:
    """What the dispatcher does for poll rows: compose, 'send', record the copy."""
    load_composers()
    telegram_ids: dict[int, str] = {}
    async with app.deps.uow() as uow:
        rows = (await uow.session.exec(select(Delivery).where(Delivery.kind == "poll"))).all()
        for row in rows:
            replies = await compose(app.deps, uow, row)
            assert replies is not None and isinstance(replies[0], PollReply)
            assert replies[0].question == "What should we talk about first?"
            telegram_ids[row.chat_id] = f"tg-poll-{row.chat_id}"
            await record_sent(app.deps, uow, row, (SentMessage(1, telegram_ids[row.chat_id]),))
        await uow.commit()
    return telegram_ids


async def test_an_organiser_polls_attendees_and_exports_the_results(app: App) -> None:
    organiser, event = await organiser_and_event(app)
    residents = [Resident(app.deps, 7_700_000_100 + i, f"R{i}") for i in range(3)]
    for r in residents[:2]:
        await r.press_data(encode(EventButton(EventAction.GOING, event.id or 0)))
    await residents[2].press_data(encode(EventButton(EventAction.NO, event.id or 0)))

    await organiser.send("/poll")
    await organiser.press("Tarvin Community Conversation")
    await organiser.send("What should we talk about first?\nSpeeding\nLitter\nYouth club")
    assert "It will go to 2 people." in organiser.text
    await organiser.press("Anonymous or named")  # stays named after two toggles
    await organiser.press("Anonymous or named")
    await organiser.press("Send the poll")
    assert "Sending to 2 people." in organiser.text

    ids = await deliver_polls(app)
    assert set(ids) == {residents[0].sender.chat_id, residents[1].sender.chat_id}
    for r, choice in ((residents[0], 0), (residents[1], 2)):
        await r._do(
            PollAnswer(
                sender=r.sender, update_id=None, poll_id=ids[r.sender.chat_id], option_ids=(choice,)
            )
        )
    await organiser.press("Refresh results")
    assert "Speeding: 1 (50%)" in organiser.text and "Youth club: 1 (50%)" in organiser.text
    await organiser.press("Close the poll")
    assert "This poll is closed." in organiser.text
    late = residents[0]
    await late._do(
        PollAnswer(sender=late.sender, poll_id=ids[late.sender.chat_id], option_ids=(1,))
    )
    await organiser.press("Export CSV")
    document = next(r for r in organiser.replies if isinstance(r, Document))
    rows = list(csv.reader(io.StringIO(document.content.decode())))
    assert rows[1:4] == [["Speeding", "1"], ["Litter", "0"], ["Youth club", "1"]]
    assert ["R0", "Speeding"] in rows and ["R1", "Youth club"] in rows


async def test_a_resident_cannot_send_a_poll_even_with_forged_buttons(app: App) -> None:
    _, event = await organiser_and_event(app)
    resident = Resident(app.deps, 7_700_000_200)
    await resident.send("/poll")
    assert "Only organisers" in resident.text
    await resident.press_data(encode(PollButton(PollAction.AUDIENCE_EVENT, 0, event.id or 0)))
    assert "You cannot do that." in str(resident.replies)
    async with app.deps.uow() as uow:
        poll = Poll(question="Q", options='["a", "b"]', event_id=event.id, status="draft")
        uow.session.add(poll)
        await uow.commit()
    await resident.press_data(encode(PollButton(PollAction.SEND, poll.id or 0)))
    assert "You cannot do that." in str(resident.replies)
    async with app.deps.uow() as uow:
        assert (await uow.session.exec(select(Delivery))).all() == []
        assert (await uow.polls.get(poll.id or 0)).status == "draft"  # type: ignore[union-attr]
