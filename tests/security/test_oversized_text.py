"""Text far longer than anything expected (over 4096 characters, 100,000) is handled cleanly.

Decided: a free-text answer, a broadcast, an event title, a poll or a search that is
too long is refused with a message saying the limit (nothing stored, nothing cut
silently); a name or username from Telegram is stored cut to its column (128 and
64 characters), as Telegram's own limits are far below that; an amount of money is
refused above £10 million. Whatever is refused, the reply is one Telegram accepts,
and the bot carries on.
"""

from __future__ import annotations

import time

import pytest
from sqlmodel import select

from bot.bootstrap import App
from bot.staff_command import grant_role
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.payloads import encode
from storage.models import Broadcast, FundingPot, User
from tests.integration.test_resident_conversation import answers_of, walk_to_exists
from tests.property.support import check_reply
from tests.security.world import ORGANISER, changed, fingerprint, seed, shown
from tests.support.resident import Resident

HUGE = ("Lorem ipsum dolor sit amet " * 4000)[:100_000]
SIZES = [4097, 100_000]


async def refused_cleanly(app: App, person: Resident, text: str) -> str:
    before = await fingerprint(app.deps)
    started = time.monotonic()
    replies = await person.send(text)
    assert time.monotonic() - started < 5, "a long text must not stall the bot"
    assert replies
    for reply in replies:
        check_reply(reply)
    assert changed(before, await fingerprint(app.deps)) == {}
    return shown(replies)


@pytest.mark.parametrize("size", SIZES)
async def test_an_answer_too_long_is_refused_with_the_limit(app: App, size: int) -> None:
    r = Resident(app.deps, 7_920_000_001)
    await walk_to_exists(r)
    text = await refused_cleanly(app, r, HUGE[:size])
    assert "That is too long" in text and f"{size:,}" in text
    assert "exists" not in await answers_of(app.deps, 7_920_000_001)
    await r.send("The village hall")  # and the conversation carries on
    assert (await answers_of(app.deps, 7_920_000_001))["exists"].text == "The village hall"


@pytest.mark.parametrize("size", SIZES)
async def test_a_huge_community_name_or_search_is_answered_quickly(app: App, size: int) -> None:
    r = Resident(app.deps, 7_920_000_002)
    await r.send("/start")
    await r.press("Have your say")
    await r.press("Start")
    await r.press("I agree")
    started = time.monotonic()
    for reply in await r.send(HUGE[:size]):
        check_reply(reply)
    for reply in await r.send(f"/directory {HUGE[:size]}"):
        check_reply(reply)
    assert time.monotonic() - started < 10


async def test_a_huge_name_and_username_are_stored_cut_to_their_columns(app: App) -> None:
    r = Resident(app.deps, 7_920_000_003, name=HUGE, username="u" * 1000)
    for reply in await r.send("/start"):
        check_reply(reply)
    for reply in await r.send("/start"):  # an existing user is updated the same way
        check_reply(reply)
    async with app.deps.uow() as uow:
        user = (await uow.session.exec(select(User).where(User.telegram_id == 7_920_000_003))).one()
    assert user.first_name == HUGE[:128] and user.username == "u" * 64


@pytest.mark.parametrize("size", SIZES)
async def test_a_huge_broadcast_is_refused(app: App, size: int) -> None:
    async with app.deps.uow() as uow:
        await grant_role(uow, telegram_id=7_920_000_004, role="pcso", community="Tarvin")
        await uow.commit()
    pcso = Resident(app.deps, 7_920_000_004, "Sam")
    await pcso.send("/broadcast")
    text = await refused_cleanly(app, pcso, HUGE[:size])
    assert "too long" in text.lower()
    async with app.deps.uow() as uow:
        assert (await uow.session.exec(select(Broadcast))).one().text == ""


async def test_a_huge_event_title_and_poll_are_refused(app: App) -> None:
    await seed(app.deps)
    org = Resident(app.deps, ORGANISER, "Olu")
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    assert "characters" in await refused_cleanly(app, org, HUGE)
    await org.send("/cancel")
    await org.send("/poll")
    await org.press("Speeding")
    assert "characters" in await refused_cleanly(app, org, f"Question?\n{HUGE}\nNo")


@pytest.mark.parametrize("amount", ["1e30", "1e999999999", "£100,000,000", "sNaN"])
async def test_an_enormous_amount_for_a_pot_is_refused(app: App, amount: str) -> None:
    world = await seed(app.deps)
    org = Resident(app.deps, ORGANISER, "Olu")
    await org.press_data(encode(FundingButton(FundingAction.NEW_POT, world.lpu_id)))
    await org.send("Chester safer streets")  # the title; the amount comes next
    text = await refused_cleanly(app, org, amount)  # 1e30 once broke the database write
    assert "Please send an amount in pounds" in text
    async with app.deps.uow() as uow:
        drafts = (
            await uow.session.exec(select(FundingPot).where(FundingPot.status == "draft"))
        ).all()
    assert all(p.amount_pence == 0 for p in drafts)
