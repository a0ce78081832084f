"""HTML and Markdown typed into every free-text field is stored as typed and shown as typed.

One string carries the attempts: tags Telegram renders (``<b>``, ``<a href>``), a
stray closing tag (``</code>``), HTML entities that must stay literal (``&amp;``,
``&#60;``), and Markdown (``*bold*``, ``[x](tg://user?id=1)``), which means nothing
in HTML mode but must not be turned into anything either. For every field people
write (conversation answers, first names shown to staff, funding applications and
an organiser's question, broadcasts, event titles and venues and the surgery notice
that followers get, funding pots opened in the chat, directory entries,
"you said, we did" updates, poll questions) the test checks what is STORED (exactly
what was typed) and what is SENT: valid Telegram HTML whose visible text holds the
string literally, with no formatting starting or ending inside it and no link to
where it points.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

from sqlmodel import col, select

from bot.bootstrap import App
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.staff_command import grant_role
from handlers.callbacks import EventAction, EventButton, Organiser, OrganiserAction
from handlers.deliveries import compose
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.inbound import LocationShared
from handlers.outbound import Edit, OutboundReply, Poll, Text
from handlers.payloads import encode
from handlers.reports.buttons import LoopAction, LoopButton
from handlers.surgeries.notices import KIND as SURGERY
from storage.models import (
    Broadcast,
    Delivery,
    DirectoryEntry,
    Event,
    EventDraft,
    FundingApplication,
    FundingPot,
    LoopUpdate,
    Rsvp,
    User,
)
from storage.models import Poll as PollRow
from tests.fakes.html_check import parse_html, utf16_len
from tests.integration.test_broadcasts import add_followers
from tests.integration.test_funding_chat import APPLICANT, group_member, lpu_pot
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.property.support import check_reply
from tests.security.world import ORGANISER, seed
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

INJECTION = (
    '<b>bold</b> <a href="https://evil.example/x">click</a> </code><i>it '
    "&amp; &#60;b&#62; *star* _under_ [x](tg://user?id=1)"
)
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)  # a Monday, outside quiet hours
FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0, progress_interval=0.0)


def assert_inert(html: str, injected: str = INJECTION) -> None:
    """``html`` is sendable, shows ``injected`` literally, and lets it format nothing."""
    plain, entities = parse_html(html)
    assert injected in plain, f"not shown as typed: {plain!r}"
    start = utf16_len(plain[: plain.index(injected)])
    end = start + utf16_len(injected)
    for entity in entities:
        e_start, e_end = entity["offset"], entity["offset"] + entity["length"]
        assert not start < e_start < end and not start < e_end < end, (entity, plain)
        assert "evil.example" not in entity.get("url", "") and entity["type"] != "text_mention"


def sent_html(replies: list[OutboundReply]) -> list[str]:
    for reply in replies:
        check_reply(reply)
    return [r.text for r in replies if isinstance(r, Text | Edit)]


def assert_shown(replies: list[OutboundReply], injected: str = INJECTION) -> None:
    """Every reply is sendable, and those that show ``injected`` show it inertly."""
    showing = [h for h in sent_html(replies) if injected in parse_html(h)[0]]
    assert showing, f"{injected!r} is not shown in {sent_html(replies)}"
    for html in showing:
        assert_inert(html, injected)


@dataclasses.dataclass
class Clock:
    now: datetime = NOON

    def __call__(self) -> datetime:
        return self.now


def at_noon(app: App) -> App:
    app.deps = dataclasses.replace(app.deps, clock=Clock())
    return app


async def delivered_to(app: App, chat_id: int) -> list[str]:
    port = RecordingPort()
    await Dispatcher(app, port, "test", Clock(), FAST).run_due()
    return [c.text for c in port.to(chat_id)]


async def test_a_conversation_answer(app: App) -> None:
    r = Resident(app.deps, 7_900_000_001)
    await walk_to_exists(r)
    await r.send(INJECTION)
    assert (await answers_of(app.deps, 7_900_000_001))["exists"].text == INJECTION
    await r.send("/back")
    assert_shown(r.replies)  # the question shows the answer given so far


async def test_a_first_name_shown_to_the_person_and_to_staff(app: App) -> None:
    world = await seed(app.deps)
    name = INJECTION[:60]
    r = Resident(app.deps, 7_900_000_002, name=name)
    await r.send("/start")
    await r.press("Have your say")
    replies = await r.send("/start")
    assert_shown(replies, name)
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(7_900_000_002)
        assert user is not None and user.first_name == name
        assert user.id is not None
        uow.session.add(Rsvp(event_id=world.event, user_id=user.id, status="going"))
        await uow.commit()
    organiser = Resident(app.deps, ORGANISER, "Olu")
    replies = await organiser.press_data(encode(Organiser(OrganiserAction.WHO, world.event)))
    assert_shown(replies, name)


async def test_a_funding_application_and_the_organisers_question(app: App) -> None:
    app = at_noon(app)
    await lpu_pot(app)
    applicant = await group_member(app)  # a member of an action group in the pot's LPU
    await applicant.send("/funding")
    await applicant.press("Chester LPU fund")
    await applicant.press("Apply")
    for answer in [INJECTION, INJECTION, "Everyone", "Two signs", "£300", "-", INJECTION]:
        await applicant.send(answer)
    assert_shown(applicant.replies)  # the summary before sending
    await applicant.press("Send it")
    async with app.deps.uow() as uow:
        stored = (await uow.session.exec(select(FundingApplication))).one()
    assert (stored.project_name, stored.problem, stored.contact) == (INJECTION,) * 3

    organiser = Resident(app.deps, 6_300_000_002, "Olu")  # lpu_pot made them an organiser
    await organiser.send("/funding")
    await organiser.press("Applications to review")
    sent_html(organiser.replies)
    assert any(INJECTION[:20] in b.label for b in organiser.buttons())  # labels are plain
    await organiser.press(INJECTION[:20])
    assert_shown(organiser.replies)
    await organiser.press("Ask a question")
    await organiser.send(INJECTION)
    [question] = await delivered_to(app, APPLICANT)
    assert_inert(question)


async def test_a_broadcast(app: App) -> None:
    app = at_noon(app)
    [follower] = await add_followers(app, "Tarvin", 1)
    async with app.deps.uow() as uow:
        await grant_role(uow, telegram_id=7_900_000_004, role="pcso", community="Tarvin")
        await uow.commit()
    pcso = Resident(app.deps, 7_900_000_004, "Sam")
    await pcso.send("/broadcast")
    await pcso.send(INJECTION)
    assert_shown(pcso.replies)  # the preview
    await pcso.press("Send now")
    [copy] = [t for t in await delivered_to(app, follower)]
    assert_inert(copy)
    async with app.deps.uow() as uow:
        assert (await uow.session.exec(select(Broadcast))).one().text == INJECTION


async def test_an_event_title_and_venue(app: App) -> None:
    world = await seed(app.deps)
    app = at_noon(app)
    title, venue = INJECTION[:100], (INJECTION[100:] + INJECTION[:60]).strip()
    [follower] = await add_followers(app, "Tarvin", 1)  # told of the new surgery
    org = Resident(app.deps, ORGANISER, "Olu")
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    await org.send(title)
    await org.send("next Tuesday 6pm")
    await org.press("Yes")
    await org.press("Just once")
    await org.send(venue)
    await org.send(INJECTION)  # the address
    await org._do(LocationShared(sender=org.sender, latitude=53.199, longitude=-2.86))
    await org.send("30")
    await org.send(INJECTION)  # accessibility
    await org.send(INJECTION)  # description
    await org.press("Tarvin")
    assert_shown(org.replies, title)  # the summary
    await org.press("Save")
    async with app.deps.uow() as uow:
        event = (await uow.session.exec(select(Event).where(col(Event.id) != world.event))).one()
    assert (event.title, event.venue, event.address) == (title, venue, INJECTION)
    assert event.description == INJECTION and event.accessibility == INJECTION
    resident = Resident(app.deps, 7_900_000_005)
    await resident.send("/start")
    replies = await resident.press_data(encode(EventButton(EventAction.OPEN, event.id or 0)))
    for shown in (title, venue, INJECTION):
        assert_shown(replies, shown)
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(follower)
        assert user is not None
        [notice] = (
            await uow.session.exec(
                select(Delivery).where(Delivery.kind == SURGERY, Delivery.user_id == user.id)
            )
        ).all()
        assert_shown(await compose(app.deps, uow, notice) or [], title)


async def test_a_directory_entry(app: App) -> None:
    async with app.deps.uow() as uow:
        await grant_role(uow, telegram_id=7_900_000_006, role="pcso", community="tarvin")
        await uow.commit()
    pcso = Resident(app.deps, 7_900_000_006, "Sam")
    await pcso.send("/organise")
    await pcso.press("Directory")
    await pcso.press("Add an entry")
    await pcso.send(INJECTION)
    await pcso.press("Befriending")
    await pcso.send(INJECTION)  # description
    await pcso.send(INJECTION)  # where and when
    await pcso.send(INJECTION)  # contact
    await pcso.send(INJECTION)  # accessibility
    await pcso.press("Skip")  # languages
    await pcso.press("Skip")  # keywords
    assert_shown(pcso.replies)
    async with app.deps.uow() as uow:
        entry = (
            await uow.session.exec(select(DirectoryEntry).where(DirectoryEntry.name == INJECTION))
        ).one()
    assert entry.description == entry.contact == entry.where_when == INJECTION
    resident = Resident(app.deps, 7_900_000_007)
    await resident.send("/start")
    replies = await resident.press_data(
        encode(DirectoryButton(DirectoryAction.ENTRY, entry.id or 0))
    )
    assert_shown(replies)


async def test_a_you_said_we_did_update_and_a_poll(app: App) -> None:
    world = await seed(app.deps)
    organiser = Resident(app.deps, ORGANISER, "Olu")
    async with app.deps.uow() as uow:
        member = await uow.users.by_telegram_id(7_700_000_002)  # in the seeded group
        assert member is not None
        # The seeded half-written event would take the organiser's text first.
        await uow.session.delete(await uow.session.get(EventDraft, world.event_draft))
        await uow.commit()
    await organiser.send("/wedid")
    await organiser.press_data(encode(LoopButton(LoopAction.GROUP, world.group)))
    await organiser.send(INJECTION)
    assert_shown(organiser.replies)  # the preview
    async with app.deps.uow() as uow:
        update = (
            await uow.session.exec(select(LoopUpdate).where(LoopUpdate.text == INJECTION))
        ).one()
    await organiser.press_data(encode(LoopButton(LoopAction.SEND, update.id or 0)))
    async with app.deps.uow() as uow:
        [row] = (
            await uow.session.exec(
                select(Delivery).where(Delivery.kind == "loop", Delivery.user_id == member.id)
            )
        ).all()
        message = await compose(app.deps, uow, row) or []
    assert_shown(message)

    question = INJECTION[:90]
    await organiser.send("/poll")
    await organiser.press("Speeding")  # the seeded action group
    await organiser.send(f"{question}\n{INJECTION[:99]}\n*two*")
    assert_shown(organiser.replies, question)
    async with app.deps.uow() as uow:
        poll = (await uow.session.exec(select(PollRow).where(PollRow.question == question))).one()
    assert json.loads(poll.options) == [INJECTION[:99], "*two*"]
    # A native poll is plain text: it is sent as typed, not escaped.
    sent = [r for r in organiser.replies if isinstance(r, Poll)]
    assert all("&lt;" not in p.question for p in sent)


async def test_a_username_is_never_shown_as_a_link(app: App) -> None:
    r = Resident(app.deps, 7_900_000_008, name="Lee", username="evil</a><a href='x'>")
    replies = await r.send("/start")
    for html in sent_html(replies):
        _, entities = parse_html(html)
        assert all(e["type"] != "text_link" or e.get("url") != "x" for e in entities)
    async with app.deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == 7_900_000_008))).one()
    assert user.username == "evil</a><a href='x'>"


async def test_a_funding_pot_opened_in_the_chat(app: App) -> None:
    world = await seed(app.deps)
    org = Resident(app.deps, ORGANISER, "Olu")
    await org.press_data(encode(FundingButton(FundingAction.NEW_POT, world.lpu_id)))
    for answer in [INJECTION, "£500", INJECTION, INJECTION, "31/03/2030"]:
        await org.send(answer)  # title, amount, purpose, criteria, closing day
    assert_shown(org.replies)  # the summary before opening
    async with app.deps.uow() as uow:
        pot = (
            await uow.session.exec(select(FundingPot).where(FundingPot.title == INJECTION))
        ).one()
    assert pot.purpose == pot.criteria == INJECTION
    assert_shown(await org.press("Open the pot"))
    resident = Resident(app.deps, 7_900_000_009)
    await resident.send("/start")
    async with app.deps.uow() as uow:  # a resident of Tarvin, in the pot's LPU
        user = await uow.users.by_telegram_id(7_900_000_009)
        assert user is not None
        user.community_id = world.community_id
        uow.session.add(user)
        await uow.commit()
    assert_shown(await resident.press_data(encode(FundingButton(FundingAction.POT, pot.id or 0))))
