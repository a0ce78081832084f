"""A PCSO plans surgeries in the chat, and the community's followers hear of them.

Through the core (``tests.support.resident``) and the delivery engine, over a real
database with the demo communities: a weekly surgery is announced once (not
once a date), to every active follower, muted or not; a moved or cancelled date is
told to followers who are not coming (those coming get the event's own notice); and
cancelling every date is one message.
"""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from bot.bootstrap import App, build_app
from bot.dispatcher import DispatchConfig, Dispatcher
from bot.settings import Settings
from bot.staff_command import grant_role
from handlers.callbacks import EventAction, EventButton, Organiser, OrganiserAction
from handlers.context import Deps
from handlers.inbound import LocationShared
from handlers.markup import to_plain
from handlers.payloads import encode
from handlers.surgeries import notices
from storage.demo.loader import load_demo
from storage.models import Community, Delivery, Event, Follow, User
from tests.support.recording_port import RecordingPort
from tests.support.resident import Resident

WEDNESDAY_4_MARCH = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)  # midday: nobody's quiet hours
FAST = DispatchConfig(rate=10_000, per_chat_interval=0.0, progress_interval=0.0)
PCSO_ID = 7_100_000_001
FOLLOWER, MUTED, COMING, ELSEWHERE, LAPSED = (7_100_000_011 + i for i in range(5))


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(WEDNESDAY_4_MARCH)


@pytest.fixture
def deps(app: App, clock: Clock) -> Deps:
    app.deps = dataclasses.replace(app.deps, clock=clock)
    return app.deps


async def community(deps: Deps, name: str) -> Community:
    async with deps.uow() as uow:
        return (await uow.session.exec(select(Community).where(Community.name == name))).one()


async def follower(deps: Deps, telegram_id: int, name: str, place: str = "Tarvin") -> Resident:
    """A resident who follows ``place``'s team."""
    r = Resident(deps, telegram_id, name=name)
    await r.send("/start")
    team = await community(deps, place)
    assert team.id is not None
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None and user.id is not None
        await uow.follows.follow(user.id, team.id)
        await uow.commit()
    return r


async def set_follow(deps: Deps, telegram_id: int, **values: bool) -> None:
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        follow = (await uow.session.exec(select(Follow).where(Follow.user_id == user.id))).one()
        for name, value in values.items():
            setattr(follow, name, value)
        uow.session.add(follow)
        await uow.commit()


async def pcso(deps: Deps) -> Resident:
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=PCSO_ID, role="pcso", community="Tarvin")
        await uow.commit()
    return Resident(deps, PCSO_ID, name="Pat")


async def plan_weekly_surgery(pat: Resident) -> str:
    """The PCSO's whole /organise flow: no kind or community to choose, theirs is Tarvin."""
    await pat.send("/organise")
    await pat.press("New event")
    assert "What is it called?" in pat.text  # no kind to choose: a PCSO plans surgeries
    await pat.send("Tarvin police surgery")
    await pat.send("next Tuesday 6pm")
    assert "Tuesday 10 March 2026 at 18:00 — is that right?" in pat.text
    await pat.press("Yes")
    await pat.press("Every week on Tuesday")
    await pat.send("Tarvin <Community> Centre")
    await pat.send("High Street, Tarvin")
    await pat._do(LocationShared(sender=pat.sender, latitude=53.199, longitude=-2.86))
    await pat.send("30")
    await pat.send("/skip")  # accessibility
    await pat.send("/skip")  # description
    assert "Check your event" in pat.text and "Community: Tarvin" in pat.text
    await pat.press("Save")
    return pat.text


async def user_id(deps: Deps, telegram_id: int) -> int:
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None and user.id is not None
        return user.id


async def surgery_rows(deps: Deps) -> list[Delivery]:
    async with deps.uow() as uow:
        query = select(Delivery).where(Delivery.kind == notices.KIND).order_by(col(Delivery.id))
        return list((await uow.session.exec(query)).all())


async def dates(deps: Deps) -> list[Event]:
    async with deps.uow() as uow:
        query = (
            select(Event)
            .where(Event.title == "Tarvin police surgery", Event.series_id != None)  # noqa: E711
            .order_by(col(Event.starts_at))
        )
        return list((await uow.session.exec(query)).all())


def texts(port: RecordingPort, chat_id: int) -> list[str]:
    return [to_plain(c.text) for c in port.to(chat_id, "sendMessage")]


async def test_a_pcso_plans_moves_and_cancels_and_followers_hear_once(
    app: App, deps: Deps, clock: Clock
) -> None:
    plain = await follower(deps, FOLLOWER, "Fay")
    muted = await follower(deps, MUTED, "Mo")
    coming = await follower(deps, COMING, "Cal")
    await follower(deps, ELSEWHERE, "Eli", place="Chester City Centre")
    await follower(deps, LAPSED, "Lou")
    await set_follow(deps, MUTED, muted=True)  # no broadcasts; surgeries still come
    await set_follow(deps, LAPSED, active=False)
    pat = await pcso(deps)
    async with deps.uow() as uow:  # the PCSO follows their own team too: not told
        me = await uow.users.by_telegram_id(PCSO_ID)
        tarvin = await community(deps, "Tarvin")
        assert me is not None and me.id is not None and tarvin.id is not None
        await uow.follows.follow(me.id, tarvin.id)
        await uow.commit()

    saved = await plan_weekly_surgery(pat)
    assert "Saved" in saved and "8 dates" in saved
    assert "3 followers of the team will be told" in saved

    rows = await surgery_rows(deps)
    assert len(rows) == 3  # one a follower, not one a date
    assert all(r.quiet and not r.urgent and r.status == "pending" for r in rows)
    told = {r.user_id for r in rows}
    assert told == {await user_id(deps, t) for t in (FOLLOWER, MUTED, COMING)}

    port = RecordingPort()
    dispatcher = Dispatcher(app, port, "test", clock, FAST)
    assert await dispatcher.run_due() == 3
    for r in (plain, muted, coming):
        received = [t for t in texts(port, r.sender.chat_id) if "New police surgery" in t]
        assert len(received) == 1
        notice = received[0]
        assert "Tarvin police surgery" in notice and "Tue 10 Mar, 18:00" in notice
        assert "Every week on Tuesday" in notice
        assert "Tarvin <Community> Centre, High Street, Tarvin" in notice
    for nobody in (ELSEWHERE, LAPSED, PCSO_ID):
        assert texts(port, nobody) == []
    call = port.to(plain.sender.chat_id, "sendMessage")[0]
    assert "&lt;Community&gt;" in call.text  # the venue as typed, escaped
    labels = [b.label for row in call.buttons for b in row]
    assert labels == ["Open the event", "✅ Going", "👮 The Tarvin team"]

    # Saving again (or a second worker) adds nothing; nor does another run.
    async with deps.uow() as uow:
        assert await notices.announce_new(uow, await dates(deps), clock.now) == 0
        await uow.commit()
    assert await dispatcher.run_due() == 0

    # The notice's buttons work: say going, open the date.
    first, second, *_ = await dates(deps)
    assert first.id is not None and second.id is not None
    going = port.to(COMING, "sendMessage")[0].buttons[0][1]
    assert going.payload == encode(EventButton(EventAction.GOING, first.id))
    await coming.press_data(going.payload)
    assert "You said you are going" in coming.text
    await coming.press_data(encode(EventButton(EventAction.OPEN, first.id)))
    assert "You said you are going" in coming.text

    # The PCSO moves the first date: those coming hear from the event, the rest from us.
    await pat.send("/organise")
    await pat.press("My events")
    await pat.press_data(encode(Organiser(OrganiserAction.OPEN, first.id)))
    await pat.press("Change the time")
    await pat.send("12/3 18:00")
    await pat.press("Yes")
    assert "is now on Thursday 12 March 2026 at 18:00" in pat.text
    sent_before = len(port.calls)
    await dispatcher.run_due()
    news = port.calls[sent_before:]
    assert sorted(c.chat_id for c in news) == sorted([FOLLOWER, MUTED, COMING])
    for r in (plain, muted):
        moved = [t for t in texts(port, r.sender.chat_id) if "Police surgery moved" in t]
        assert len(moved) == 1 and "Now: Thu 12 Mar, 18:00" in moved[0]
    assert not [t for t in texts(port, COMING) if "Police surgery moved" in t]
    assert [t for t in texts(port, COMING) if "Changed:" in t]  # the event's own notice

    # One date cancelled.
    await pat.press_data(encode(Organiser(OrganiserAction.OPEN, second.id)))
    await pat.press("Cancel this date")
    await pat.press("Yes, cancel it")
    sent_before = len(port.calls)
    await dispatcher.run_due()
    cancelled = [to_plain(c.text) for c in port.calls[sent_before:]]
    assert sorted(c.chat_id for c in port.calls[sent_before:]) == sorted([FOLLOWER, MUTED, COMING])
    assert all(
        "Tarvin police surgery on Tue 17 Mar, 18:00 will not take place" in t for t in cancelled
    )

    # Every date cancelled: one message each; who was coming to a date hears from the event.
    await pat.press_data(encode(Organiser(OrganiserAction.OPEN, first.id)))
    await pat.press("Cancel every date")
    await pat.press("Yes, cancel every date")
    sent_before = len(port.calls)
    await dispatcher.run_due()
    ended = port.calls[sent_before:]
    assert sorted(c.chat_id for c in ended) == sorted([FOLLOWER, MUTED, COMING])
    for r in (plain, muted):
        last = texts(port, r.sender.chat_id)[-1]
        assert "every date still to come is cancelled" in last
    assert "Cancelled:" in texts(port, COMING)[-1]
    assert await dispatcher.run_due() == 0


async def test_news_of_a_surgery_waits_for_the_morning_and_shows_it_as_it_is_then(
    app: App, deps: Deps, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)  # Tuesday night
    await follower(deps, FOLLOWER, "Fay")
    pat = await pcso(deps)
    await pat.send("/organise")
    await pat.press("New event")
    await pat.send("Tarvin police surgery")
    await pat.send("Thursday 6pm")
    await pat.press("Yes")
    await pat.press("Just once")
    await pat.send("Tarvin Library")
    for _ in range(5):  # address, map location, capacity, accessibility, description
        await pat.send("/skip")
    await pat.press("Save")
    assert "1 follower of the team will be told" in pat.text

    port = RecordingPort()
    dispatcher = Dispatcher(app, port, "test", clock, FAST)
    await dispatcher.run_due()
    assert port.calls == []  # held: it is night for the follower
    (row,) = await surgery_rows(deps)
    assert row.status == "pending" and row.due_at == datetime(2026, 3, 4, 8, 0, tzinfo=UTC)

    # Moved before the morning: the follower still gets one message, with the new time.
    (event,) = [e for e in await all_events(deps)]
    await pat.press_data(encode(Organiser(OrganiserAction.MOVE, event.id or 0)))
    await pat.send("Friday 7pm")
    await pat.press("Yes")
    assert len(await surgery_rows(deps)) == 1

    clock.now = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    assert await dispatcher.run_due() == 1
    (message,) = texts(port, FOLLOWER)
    assert "New police surgery" in message and "Fri 6 Mar, 19:00" in message


async def all_events(deps: Deps) -> list[Event]:
    async with deps.uow() as uow:
        return list((await uow.session.exec(select(Event))).all())


async def test_a_notice_about_a_surgery_cancelled_before_it_went_is_not_sent(
    app: App, deps: Deps, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)
    await follower(deps, FOLLOWER, "Fay")
    pat = await pcso(deps)
    await plan_weekly_surgery(pat)
    (series,) = [e for e in await all_events(deps) if e.status == "series"]
    first = (await dates(deps))[0]
    await pat.press_data(encode(Organiser(OrganiserAction.CANCEL_SERIES, first.id or 0)))
    await pat.press("Yes, cancel every date")
    rows = await surgery_rows(deps)
    assert [json.loads(r.payload)["change"] for r in rows] == ["new"]  # never heard of it
    assert json.loads(rows[0].payload)["event_id"] == series.id

    clock.now += timedelta(hours=10)
    port = RecordingPort()
    assert await Dispatcher(app, port, "test", clock, FAST).run_due() == 1
    assert port.calls == []
    assert (await surgery_rows(deps))[0].status == "cancelled"


async def test_only_surgeries_are_announced(app: App, deps: Deps, clock: Clock) -> None:
    await follower(deps, FOLLOWER, "Fay")
    async with deps.uow() as uow:
        tarvin = await community(deps, "Tarvin")
        event = Event(
            kind="conversation",
            title="Community Conversation",
            community_id=tarvin.id,
            starts_at=clock.now + timedelta(days=3),
        )
        await uow.events.add(event)
        assert await notices.announce_new(uow, [event], clock.now) == 0
        user = (await uow.session.exec(select(User).where(User.telegram_id == FOLLOWER))).one()
        assert user.quiet_hours == "21:00-08:00"


@pytest.mark.postgres
async def test_the_fan_out_on_postgres_once_per_follower(postgres_url: str) -> None:
    """The one ``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` on PostgreSQL, with
    64-bit chat ids; who is coming and who has a notice waiting are left out."""
    app = await build_app(Settings(database_url=postgres_url, flood_limit=100_000))
    try:
        async with app.deps.uow() as uow:
            await load_demo(uow)
            await uow.commit()
        deps = dataclasses.replace(app.deps, clock=lambda: WEDNESDAY_4_MARCH)
        for telegram_id, name in ((FOLLOWER, "Fay"), (MUTED, "Mo"), (COMING, "Cal")):
            await follower(deps, telegram_id, name)
        tarvin = await community(deps, "Tarvin")
        async with deps.uow() as uow:
            event = await uow.events.add(
                Event(
                    kind="surgery",
                    title="Surgery",
                    community_id=tarvin.id,
                    starts_at=WEDNESDAY_4_MARCH + timedelta(days=6),
                )
            )
            assert event.id is not None
            coming = await uow.users.by_telegram_id(COMING)
            assert coming is not None and coming.id is not None
            await uow.rsvps.put(event.id, coming.id, "going")
            assert await notices.announce_new(uow, [event], WEDNESDAY_4_MARCH) == 3
            assert await notices.announce_new(uow, [event], WEDNESDAY_4_MARCH) == 0
            event.version = 2
            # Moved: Cal is coming (told by the event), the others' first notice still waits.
            assert await notices.announce_moved(uow, event, WEDNESDAY_4_MARCH) == 0
            await uow.commit()
        rows = await surgery_rows(deps)
        assert sorted(r.chat_id for r in rows) == sorted([FOLLOWER, MUTED, COMING])
        assert all(r.key.startswith(f"surgery:{event.id}:new:1:") for r in rows)
    finally:
        await app.close()


async def test_a_follower_who_unfollows_before_the_notice_goes_does_not_get_it(
    app: App, deps: Deps, clock: Clock
) -> None:
    clock.now = datetime(2026, 3, 3, 22, 30, tzinfo=UTC)  # held until the morning
    await follower(deps, FOLLOWER, "Fay")
    await follower(deps, LAPSED, "Lou")
    pat = await pcso(deps)
    await plan_weekly_surgery(pat)
    assert len(await surgery_rows(deps)) == 2
    await set_follow(deps, LAPSED, active=False)  # unfollowed in the night

    clock.now = datetime(2026, 3, 4, 8, 0, tzinfo=UTC)
    port = RecordingPort()
    await Dispatcher(app, port, "test", clock, FAST).run_due()
    assert len(texts(port, FOLLOWER)) == 1
    assert texts(port, LAPSED) == []
