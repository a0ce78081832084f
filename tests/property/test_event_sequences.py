"""Any interleaving of what several residents do never breaks the bot.

Hypothesis writes a script of inbound events for four people (each with a
different Telegram language; the fourth is an organiser): texts (postcodes, place names, numbers, emoji,
markup, huge texts), commands from the bot's command list and unknown ones,
button presses (the buttons the bot just sent that resident, buttons it sent
another resident, buttons from older messages, tampered and forged payloads),
locations inside and outside the force, contacts, poll answers and poll counts,
photos, stickers, messages in group chats, and updates delivered twice. The
script runs through ``handlers.dispatch.handle`` on a real migrated database.

After every step: ``handle`` returned (it never raises); every reply is one
Telegram would accept (``tests.property.support.check_reply``); a re-delivered
update changed nothing and only handed out its kept replies again; and every conversation of these
residents is valid, read back from the database (see ``check_conversations``).

Each example uses new Telegram ids, so examples share one database without
meeting. ``CHINWAG_PROPERTY_EXAMPLES`` raises the number of examples for a
longer local run (the default keeps ``tests/property`` well under 90 s).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import col, select

from bot.bootstrap import App
from bot.staff_command import grant_role
from handlers.callbacks import StartQuestionnaire, StepAction, StepButton
from handlers.commands import command_list
from handlers.context import Deps
from handlers.dispatch import handle
from handlers.inbound import (
    ButtonPress,
    Command,
    ContactShared,
    InboundEvent,
    LocationShared,
    PhotoShared,
    PollAnswer,
    PollState,
    Sender,
    TextMessage,
    Unsupported,
)
from handlers.officers.locator import Location, LocatorUnavailable
from handlers.outbound import Edit, OutboundReply, Text
from handlers.payloads import decode
from storage.models import Answer, Conversation, Poll, PollMessage, User
from tests.property.support import check_reply

EXAMPLES = int(os.environ.get("CHINWAG_PROPERTY_EXAMPLES", "30"))
LANGUAGES = ("en", "pl", "ar", None)  # the last falls back to the default
SEEDED_POLL = "property-poll"
STATUSES = {"active", "submitted", "cancelled"}

_ids = itertools.count(8_600_000_000, 10)
_updates = itertools.count(860_000_000)


class FakeLocator:
    """postcodes.io without the network: a few known postcodes, one that is down."""

    KNOWN: ClassVar[dict[str, Location]] = {
        "CH3 8EH": Location(53.196, -2.763, "Cheshire Constabulary"),
        "M1 1AE": Location(53.479, -2.235, "Greater Manchester Police"),
        "SW1A 1AA": Location(51.501, -0.142, "Metropolitan Police Service"),
    }

    async def postcode(self, postcode: str) -> Location | None:
        if postcode == "ZZ9 9ZZ":
            raise LocatorUnavailable("down")
        return self.KNOWN.get(postcode)

    async def outcode(self, outcode: str) -> Location | None:
        return self.KNOWN.get({"M1": "M1 1AE", "SW1A": "SW1A 1AA"}.get(outcode, ""))


# -- the script ---------------------------------------------------------------------

COMMANDS = [name for name, _ in command_list("en")] + [
    "organise",
    "broadcast",
    "poll",
    "report",
    "wedid",
    "team",
    "menu",
    "lang",
    "nosuchcommand",
    "start",
]
START_PAYLOADS = ["", "ev-1-AAAAAAAA", "staff-" + "A" * 43, "garbage", "ev-999999-zzzzzzzz"]
TEXTS = [
    "CH3 8EH",
    "ch38eh",
    "CH3",
    "M1 1AE",
    "SW1A 1AA",
    "ZZ9 9ZZ",
    "XX1",
    "Tarvin",
    "Tarvn",
    "Chester",
    "Kelsall",
    "Speeding",
    "42",
    "0",
    "-1",
    "1",
    "😀🚓🏡",
    "👨\u200d👩\u200d👧",
    "<b>bold</b> & <a href='https://evil.example'>x</a>",
    "*bold* [x](tg://user?id=1)",
    "'); DROP TABLE users;--",
    "\u202eevil\u202c",
    "\x00\x1b[31m\r\n",
    "Help me, someone has a knife",
    "Mae angen mwy o oleuadau stryd ar y ffordd fawr yn y pentref.",
    "Potrzebujemy więcej patroli policji wieczorem w naszej okolicy.",
    "نحتاج إلى المزيد من الدوريات في الحي في المساء",
    "22:30-06:30",
    "next Tuesday 6pm",
    "£250",
    "A village hall, a football club and Neighbourhood Watch.",
    "x" * 5000,
    "word " * 2000,
]
texts = st.one_of(
    st.sampled_from(TEXTS),
    st.text(max_size=40),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=300),
)
coordinates = st.one_of(
    st.sampled_from([(53.196, -2.763), (53.19, -2.89), (51.5, -0.12), (0.0, 0.0), (90.0, 180.0)]),
    st.tuples(
        st.floats(-90, 90, allow_nan=False, allow_infinity=False),
        st.floats(-180, 180, allow_nan=False, allow_infinity=False),
    ),
)
# The first person does most (so that some scripts get deep into a questionnaire),
# then the organiser.
user_index = st.sampled_from([0, 0, 0, 1, 2, 3, 3])
small = st.integers(0, 50)

# Each step is a tuple: (kind, who, *arguments); presses name buttons by position,
# so the same script means the same presses however the replies look.
steps = st.one_of(
    st.tuples(st.just("text"), user_index, texts),
    st.tuples(st.just("onwards"), user_index),
    st.tuples(st.just("hurry"), user_index, st.integers(2, 12)),  # that many "onwards"
    st.tuples(
        st.just("command"), user_index, st.sampled_from(COMMANDS), st.sampled_from(START_PAYLOADS)
    ),
    # Pressing what the bot just sent is the commonest thing people do: weighted up,
    # and the first buttons (Have your say, Start, I agree...) most of all.
    st.tuples(st.just("press"), user_index, st.just(0)),
    st.tuples(st.just("press"), user_index, st.just(0)),
    st.tuples(st.just("press"), user_index, small),
    st.tuples(st.just("press"), user_index, small),
    st.tuples(st.just("text"), user_index, texts),
    st.tuples(st.just("press_other"), user_index, user_index, small),
    st.tuples(st.just("press_stale"), user_index, small, small),
    st.tuples(st.just("press_tampered"), user_index, small, st.integers(-3, 3)),
    st.tuples(
        st.just("press_forged"),
        user_index,
        st.one_of(
            st.text(max_size=70),
            st.sampled_from(
                [
                    "m:home",
                    "s:1:welcome:n:-",
                    "og:menu:0",
                    "dr:1:kind:k:surgery",
                    "p:send:1:0",
                    "fd:ok:1:0",
                ]
            ),
        ),
    ),
    st.tuples(st.just("location"), user_index, coordinates),
    st.tuples(st.just("contact"), user_index, st.text(max_size=20)),
    st.tuples(st.just("poll_answer"), user_index, st.lists(st.integers(-2, 12), max_size=12)),
    st.tuples(st.just("poll_state"), user_index, st.lists(st.integers(0, 10**6), max_size=12)),
    st.tuples(st.just("photo"), user_index, texts),
    st.tuples(st.just("sticker"), user_index),
    st.tuples(st.just("group"), user_index, texts),
    st.tuples(st.just("replay"), user_index),
)


# -- running it ----------------------------------------------------------------------


@dataclass
class Person:
    sender: Sender
    keyboards: list[list[str]] = field(default_factory=list)  # payloads, newest last
    last: InboundEvent | None = None


@dataclass
class Seen:
    """What a conversation looked like at the last check."""

    version: int
    status: str
    state: tuple[Any, ...]


def _payloads(replies: Sequence[OutboundReply]) -> list[str]:
    return [
        b.payload
        for r in replies
        if isinstance(r, Text | Edit) and r.chat_id is None
        for row in r.buttons
        for b in row
        if b.url is None
    ]


def _tamper(data: str, delta: int) -> str:
    """The same payload with its numbers moved by ``delta`` (another row's id)."""
    parts = data.split(":")
    moved = [str(int(p) + delta) if p.lstrip("-").isdigit() else p for p in parts]
    return ":".join(moved) if moved != parts else data + ":" + str(delta)


ONWARDS = {StepAction.NEXT, StepAction.CONSENT, StepAction.DONE, StepAction.SUBMIT}


def _onwards(base: dict[str, Any], who: Person) -> InboundEvent:
    """What someone keen to finish would do next: the button that moves on, else an answer."""
    pressed = who.last.data if isinstance(who.last, ButtonPress) else None
    for data in who.keyboards[-1] if who.keyboards else []:
        button = decode(data)
        if data == pressed:  # it did not move on last time: answer in words instead
            break
        if isinstance(button, StartQuestionnaire) or (
            isinstance(button, StepButton) and button.action in ONWARDS and button.value != "no"
        ):
            return ButtonPress(**base, data=data, callback_id="cb")
    if not who.keyboards:
        return Command(**base, name="start")
    answer = "Tarvin" if base["update_id"] % 2 else "More for young people in the evenings"
    return TextMessage(**base, text=answer)


def _event(step: tuple[Any, ...], people: list[Person]) -> InboundEvent | None:
    kind = step[0]
    who: Person = people[step[1]]
    sender, update = who.sender, next(_updates)
    base: dict[str, Any] = {"sender": sender, "update_id": update, "message_id": update % 1000}

    def press(source: list[str], index: int) -> ButtonPress:
        data = source[index % len(source)] if source else "m:home"
        return ButtonPress(**base, data=data, callback_id=f"cb{update}")

    if kind == "text":
        return TextMessage(**base, text=step[2])
    if kind == "command":
        return Command(**base, name=step[2], payload=step[3])
    if kind == "press":
        return press(who.keyboards[-1] if who.keyboards else [], step[2])
    if kind == "onwards":
        return _onwards(base, who)
    if kind == "press_other":
        other = people[step[2]]
        return press(other.keyboards[-1] if other.keyboards else [], step[3])
    if kind == "press_stale":
        older = who.keyboards[-1 - step[2] % len(who.keyboards)] if who.keyboards else []
        return press(older, step[3])
    if kind == "press_tampered":
        current = who.keyboards[-1] if who.keyboards else ["m:home"]
        data = _tamper(current[step[2] % len(current)] if current else "m:home", step[3])
        return ButtonPress(**base, data=data, callback_id="cb")
    if kind == "press_forged":
        return ButtonPress(**base, data=step[2], callback_id="cb")
    if kind == "location":
        return LocationShared(**base, latitude=step[2][0], longitude=step[2][1])
    if kind == "contact":
        return ContactShared(**base, phone_number=step[2], contact_user_id=sender.telegram_id)
    if kind == "poll_answer":
        return PollAnswer(**base, poll_id=SEEDED_POLL, option_ids=tuple(step[2]))
    if kind == "poll_state":
        return PollState(**base, poll_id=SEEDED_POLL, counts=tuple(step[2]))
    if kind == "photo":
        return PhotoShared(**base, file_id="AgACAgQAAxkBAAIB", caption=step[2])
    if kind == "sticker":
        return Unsupported(**base, kind="sticker")
    if kind == "group":
        group = dataclasses.replace(sender, chat_id=-sender.chat_id, chat_type="supergroup")
        return TextMessage(**{**base, "sender": group}, text=step[2])
    assert kind == "replay"
    return who.last


async def _snapshot(deps: Deps, telegram_ids: list[int]) -> dict[int, tuple[Any, ...]]:
    """Every conversation of these people, with its answers, as plain values."""
    async with deps.uow() as uow:
        users = (
            await uow.session.exec(select(User).where(col(User.telegram_id).in_(telegram_ids)))
        ).all()
        user_ids = [u.id for u in users]
        convs = (
            await uow.session.exec(
                select(Conversation).where(col(Conversation.user_id).in_(user_ids))
            )
        ).all()
        found: dict[int, tuple[Any, ...]] = {}
        for conv in convs:
            assert conv.id is not None
            answers = (
                await uow.session.exec(
                    select(Answer)
                    .where(Answer.conversation_id == conv.id)
                    .order_by(col(Answer.question))
                )
            ).all()
            found[conv.id] = (
                conv.user_id,
                conv.questionnaire,
                conv.step,
                conv.status,
                conv.anonymous,
                conv.reviewing,
                conv.community_id,
                conv.version,
                conv.submitted_at,
                tuple((a.question, a.text, a.choices) for a in answers),
            )
        return found


def check_conversations(
    deps: Deps, now: dict[int, tuple[Any, ...]], before: dict[int, Seen]
) -> dict[int, Seen]:
    """The invariants of every conversation; returns what to compare the next check with.

    - its questionnaire exists, and so does its step in that questionnaire;
    - its status is one of active, submitted, cancelled;
    - every answer is to a question of that questionnaire, at most one per question
      (the schema's unique constraint says so too);
    - a cancelled conversation keeps no answers ("Nothing you answered ... kept");
    - a submitted one has a time and every required answer, and never changes again;
    - its version never goes backwards, and rises whenever anything changes;
    - a person has at most one active conversation (``active_for`` reads the newest;
      an older one left active would be lost).
    """
    active_per_user: dict[int | None, int] = {}
    seen: dict[int, Seen] = {}
    for conv_id, state in now.items():
        user_id, questionnaire_id, step_id, status, *_, version, submitted_at, answers = state
        questionnaire = deps.questionnaires.get(questionnaire_id)
        assert questionnaire is not None, state
        assert questionnaire.step(step_id) is not None, state
        assert status in STATUSES, state
        questions = {q.id for q in questionnaire.questions}
        asked = [question for question, _, _ in answers]
        assert set(asked) <= questions and len(asked) == len(set(asked)), state
        if status == "cancelled":
            assert answers == (), state
        if status == "submitted":
            assert submitted_at is not None, state
            required = {q.id for q in questionnaire.questions if not q.optional}
            assert required <= set(asked), state
        if status == "active":
            active_per_user[user_id] = active_per_user.get(user_id, 0) + 1
        old = before.get(conv_id)
        if old is not None:
            assert version >= old.version, (old, state)
            if old.status == "submitted":
                assert state == old.state, f"a submitted conversation changed: {old} → {state}"
            if state[1:7] != old.state[1:7]:
                assert version > old.version, (old, state)
        seen[conv_id] = Seen(version, status, state)
    assert all(n <= 1 for n in active_per_user.values()), active_per_user
    return seen


async def _seed_poll(deps: Deps) -> None:
    """An open poll whose copy id the script answers, so votes and counts land somewhere."""
    async with deps.uow() as uow:
        exists = (
            await uow.session.exec(
                select(PollMessage).where(PollMessage.telegram_poll_id == SEEDED_POLL)
            )
        ).first()
        if exists:
            return
        poll = Poll(question="Which first?", options=json.dumps(["Parking", "Litter", "Speeding"]))
        poll.allows_multiple = True
        uow.session.add(poll)
        await uow.session.flush()
        assert poll.id is not None
        uow.session.add(PollMessage(poll_id=poll.id, chat_id=1, telegram_poll_id=SEEDED_POLL))
        await uow.commit()


def _expanded(script: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for step in script:
        out.extend([("onwards", step[1])] * step[2] if step[0] == "hurry" else [step])
    return out


class StepClock:
    """The bot's clock, a minute on at every step: a re-delivery comes well after the
    update it repeats, as Telegram's do, never while it might still be in flight."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def tick(self) -> None:
        self.now += timedelta(minutes=1)


async def run_script(deps: Deps, script: list[tuple[Any, ...]]) -> None:
    clock = StepClock()
    deps = dataclasses.replace(deps, clock=clock)
    base = next(_ids)
    people = [
        Person(Sender(base + i, base + i, f"Person {i}", f"person{i}", language))
        for i, language in enumerate(LANGUAGES)
    ]
    ids = [p.sender.telegram_id for p in people]
    async with deps.uow() as uow:  # the last is an organiser: staff flows interleave too
        await grant_role(uow, telegram_id=ids[-1], role="organiser", lpu="chester")
        await uow.commit()
    before = check_conversations(deps, await _snapshot(deps, ids), {})
    # replies of each update, never confirmed sent (looked up by any event's update_id)
    kept: dict[int | None, list[OutboundReply]] = {}
    for step in _expanded(script):
        event = _event(step, people)
        if event is None:  # a replay before anything was sent
            continue
        replay = step[0] == "replay"
        clock.tick()
        replies = await handle(deps, event)
        for reply in replies:
            check_reply(reply)
        now = await _snapshot(deps, ids)
        if replay:
            # A re-delivery changes nothing; it hands out the replies kept with the
            # update again (never confirmed sent here), every time: none is lost.
            assert now == {k: v.state for k, v in before.items()}, "a replay changed something"
            assert replies == kept.get(event.update_id, []), "a replay was answered anew"
        elif replies and event.update_id is not None:
            kept[event.update_id] = replies
        before = check_conversations(deps, now, before)
        who = people[step[1]]
        if not isinstance(event, PollState):
            who.last = event
        sent = _payloads(replies)
        if sent:
            who.keyboards = [*who.keyboards[-5:], sent]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(script=st.lists(steps, min_size=10, max_size=50))
async def test_any_interleaving_of_events_keeps_every_conversation_valid(
    app: App, script: list[tuple[Any, ...]]
) -> None:
    deps = dataclasses.replace(app.deps, postcode_locator=FakeLocator())
    await _seed_poll(deps)
    await run_script(deps, script)


async def test_a_whole_conversation_by_its_own_buttons_stays_valid(app: App) -> None:
    """The happy path through the same checks: the script machinery itself is sound."""
    deps = dataclasses.replace(app.deps, postcode_locator=FakeLocator())
    script: list[tuple[Any, ...]] = [
        ("command", 0, "start", ""),
        ("press", 0, 0),  # Have your say
        ("press", 0, 0),  # Start
        ("press", 0, 0),  # I agree
        ("text", 0, "Tarvn"),
        ("text", 0, "A village hall"),
        ("replay", 0),
        ("text", 0, "Something for teenagers"),
        ("press", 0, 0),  # the first issue
        ("text", 0, "Parking by the school"),
        ("text", 0, "Safer streets"),
        ("text", 0, "Nothing else"),
    ]
    await run_script(deps, script)
    async with deps.uow() as uow:
        conv = (
            await uow.session.exec(select(Conversation).order_by(col(Conversation.id).desc()))
        ).first()
        assert conv is not None and conv.step == "review"
