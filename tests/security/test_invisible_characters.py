"""Control characters, direction overrides and zero-width characters in names and answers.

Decided (``handlers.shown_text``): what people type and what Telegram says their
name is are stored as given (answers after ``clean``, which drops control
characters but line breaks and tabs; names without NUL, which PostgreSQL cannot
store, and which made every update of such a person fail there); where they are shown, to the person, to staff
or to other residents, direction controls, invisible characters and other control
characters are taken out, names are kept on one line, and a right-to-left name
inside a left-to-right sentence is isolated. So a name cannot reorder, hide or
forge a line of what others read.
"""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.bootstrap import App
from handlers.callbacks import Organiser, OrganiserAction
from handlers.outbound import Text
from handlers.payloads import encode
from handlers.shown_text import DIRECTION_CONTROLS, FSI, INVISIBLE, PDI, neutral, one_line
from storage.models import Rsvp, User
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.property.support import check_reply
from tests.security.world import ORGANISER, seed
from tests.support.resident import Resident

OVERRIDE = "\u202e"  # right-to-left override
HIDDEN = "\u200b\ufeff\u2060"
FAMILY = "👨\u200d👩\u200d👧"
TRICKY_NAME = f"Sam{OVERRIDE}{HIDDEN}\x00\x1b[31m"


def sneaky(text: str) -> list[str]:
    """The characters in ``text`` that could reorder or hide part of a line."""
    return [
        f"U+{ord(ch):04X}"
        for ch in text
        if ch in DIRECTION_CONTROLS - {FSI, PDI}
        or ch in INVISIBLE
        or (unicodedata.category(ch) == "Cc" and ch not in "\n\t")
    ]


async def test_a_name_with_an_override_is_stored_as_given_and_shown_without_it(
    app: App,
) -> None:
    r = Resident(app.deps, 7_800_000_001, name=TRICKY_NAME)
    await r.send("/start")
    await r.press("Have your say")
    await r.send("/start")  # "Welcome back, {name}"
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(7_800_000_001)
        # As given, but for NUL, which a PostgreSQL text column cannot hold.
        assert user is not None and user.first_name == TRICKY_NAME.replace("\x00", "")
    [reply] = [x for x in r.replies if isinstance(x, Text)]
    check_reply(reply)
    assert "Welcome back, Sam[31m." in r.text
    assert sneaky(reply.text) == []


async def test_a_name_with_a_lone_surrogate_is_stored_without_it(app: App) -> None:
    # JSON can carry half of a UTF-16 pair ("\ud800"); no database can store it, and
    # every update from that person would fail.
    r = Resident(app.deps, 7_800_000_002, name="Al\ud800ex\udfff", username="al\ud83dex")
    await r.send("/start")
    assert "What would you like to do?" in r.text
    async with app.deps.uow() as uow:
        user = await uow.users.by_telegram_id(7_800_000_002)
        assert user is not None and (user.first_name, user.username) == ("Alex", "alex")


async def test_who_is_coming_keeps_each_name_on_its_own_and_in_its_direction(app: App) -> None:
    world = await seed(app.deps)
    names = {
        7_800_000_011: f"Ali{OVERRIDE}",
        7_800_000_012: "محمد",
        7_800_000_013: "Eve\n⏳ Waiting list: Mallory",
        7_800_000_014: f"Zo{HIDDEN}ë {FAMILY}",
    }
    async with app.deps.uow() as uow:
        for telegram_id, name in names.items():
            user = await uow.users.add(
                User(telegram_id=telegram_id, chat_id=telegram_id, first_name=name)
            )
            assert user.id is not None
            uow.session.add(Rsvp(event_id=world.event, user_id=user.id, status="going"))
        await uow.commit()
    organiser = Resident(app.deps, ORGANISER, "Olu")
    [reply] = await organiser.press_data(encode(Organiser(OrganiserAction.WHO, world.event)))
    assert isinstance(reply, Text)
    check_reply(reply)
    assert sneaky(reply.text) == []
    [going] = [line for line in reply.text.split("\n") if "Going</b>:" in line]
    assert "Ali" in going and f"{FSI}محمد{PDI}" in going
    assert "Eve ⏳ Waiting list: Mallory" in going  # one line: it forges no heading
    assert f"Zoë {FAMILY}" in going  # the family emoji keeps its joiners
    assert "Waiting list</b>" not in reply.text


async def test_answers_keep_what_was_typed_and_are_shown_neutral(app: App) -> None:
    r = Resident(app.deps, 7_800_000_021)
    await walk_to_exists(r)
    typed = f"Hall{OVERRIDE}{HIDDEN} \x00\x1bclub\r\nand {FAMILY}\tfun"
    await r.send(typed)
    stored = (await answers_of(app.deps, 7_800_000_021))["exists"].text
    assert stored == f"Hall{OVERRIDE}{HIDDEN} club\nand {FAMILY}\tfun"  # clean() only
    await r.send("/start")
    await r.press("Continue")
    for _ in range(5):
        if "Please check your answers" in r.text:
            break
        await r.press("Skip") if "Skip" in str(r.buttons()) else await r.send("Answer")
    assert "Please check your answers" in r.text  # where every answer is shown back
    review = next(x for x in r.replies if isinstance(x, Text) and "check your answers" in x.text)
    check_reply(review)
    assert sneaky(review.text) == []
    assert "Hall club" in r.text and FAMILY in r.text


async def test_a_right_to_left_name_is_isolated_in_a_left_to_right_sentence(app: App) -> None:
    r = Resident(app.deps, 7_800_000_031, name="محمد")
    await r.send("/start")
    await r.press("Have your say")
    await r.send("/start")
    assert f"Welcome back, {FSI}محمد{PDI}." in r.text
    async with app.deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == 7_800_000_031))).one()
        assert user.first_name == "محمد"  # stored as given


@settings(max_examples=300, deadline=None, database=None)
@given(st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=60))
def test_neutral_text_hides_nothing_and_changes_nothing_else(text: str) -> None:
    shown = neutral(text)
    assert sneaky(shown) == [] and not (set(shown) & DIRECTION_CONTROLS)
    assert neutral(shown) == shown
    ordinary = [
        ch
        for ch in text
        if ch not in DIRECTION_CONTROLS
        and ch not in INVISIBLE
        and ch not in "\u200c\u200d"
        and (unicodedata.category(ch) != "Cc" or ch in "\n\t")
    ]
    assert [ch for ch in shown if ch not in "\u200c\u200d"] == ordinary
    name = one_line(text)
    assert "\n" not in name and "\r" not in name and name == name.strip()
