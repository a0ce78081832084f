"""Organisers through the core: /organise by chat, managing events, and the CLI.

The clock is fixed (``Deps.clock``) so "next Tuesday 6pm" means one date; the
database is a real one (SQLite, or PostgreSQL on that run) with the demo communities.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import subprocess
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import ColumnElement, func
from sqlmodel import SQLModel, col, select

from bot.bootstrap import App
from bot.events_command import import_rows, read_rows
from bot.staff_command import StaffError, grant_role
from handlers.callbacks import (
    DraftAction,
    DraftButton,
    EventAction,
    EventButton,
    Organiser,
    OrganiserAction,
)
from handlers.context import Deps
from handlers.events.recurrence import decode_rule
from handlers.inbound import LocationShared
from handlers.outbound import Document, Notice, Text
from handlers.payloads import encode
from storage.models import (
    ActionGroup,
    Community,
    Delivery,
    Event,
    EventDraft,
    Lpu,
    Rsvp,
    User,
)
from tests.support.cli import run_chinwag
from tests.support.resident import Resident

LONDON = ZoneInfo("Europe/London")
WEDNESDAY_4_MARCH = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
TUESDAY_20_OCTOBER = datetime(2026, 10, 20, 12, 0, tzinfo=UTC)
ORGANISER_ID = 7_000_000_001
LINK_PREFIX = "https://t.me/chinwag_bot?start=ev-"

M = TypeVar("M", bound=SQLModel)
# A condition on a model's column, as where() takes it: SQLModel types Event.title == "x"
# as the bool of the field's own type.
Where = ColumnElement[bool] | bool


def at(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


@pytest.fixture
def deps(app: App) -> Deps:
    return dataclasses.replace(app.deps, clock=at(WEDNESDAY_4_MARCH))


async def grant(
    deps: Deps, telegram_id: int, role: str, *, lpu: str | None = None, community: str | None = None
) -> None:
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=telegram_id, role=role, lpu=lpu, community=community)
        await uow.commit()


async def organiser(deps: Deps, telegram_id: int = ORGANISER_ID, lpu: str = "chester") -> Resident:
    await grant(deps, telegram_id, "organiser", lpu=lpu)
    return Resident(deps, telegram_id, name="Olive")


async def one(deps: Deps, model: type[M], *where: Where) -> M:
    async with deps.uow() as uow:
        return (await uow.session.exec(select(model).where(*where))).one()


async def rows(deps: Deps, model: type[M], *where: Where) -> list[M]:
    async with deps.uow() as uow:
        return list((await uow.session.exec(select(model).where(*where))).all())


async def count(deps: Deps, model: type) -> int:
    async with deps.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(model))).one())


async def community(deps: Deps, name: str) -> Community:
    found = await one(deps, Community, Community.name == name)
    assert isinstance(found, Community)
    return found


async def resident_in(deps: Deps, telegram_id: int, name: str, place: str = "Tarvin") -> Resident:
    r = Resident(deps, telegram_id, name=name)
    await r.send("/start")
    tarvin = await community(deps, place)
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None
        user.community_id = tarvin.id
        uow.session.add(user)
        await uow.commit()
    return r


async def share_location(r: Resident, latitude: float, longitude: float) -> None:
    await r._do(LocationShared(sender=r.sender, latitude=latitude, longitude=longitude))


async def make_surgery(
    org: Resident, *, when: str = "next Tuesday 6pm", repeat: str = "Just once"
) -> list[object]:
    """Walk the whole /organise flow for a surgery in Tarvin; returns the last replies."""
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    await org.send("Tarvin police surgery")
    await org.send(when)
    assert "is that right?" in org.text
    await org.press("Yes")
    await org.press(repeat)
    await org.send("Tarvin Community Centre")
    await org.send("High Street, Tarvin")
    await share_location(org, 53.199, -2.86)
    assert "Location saved" in org.text
    await org.send("30")
    await org.send("Step-free access; hearing loop")
    await org.press("Skip")  # no description
    await org.press("Tarvin")  # the community
    assert "Check your event" in org.text
    return list(await org.press("Save"))


# -- creating by chat ------------------------------------------------------------------


async def test_a_weekly_surgery_by_chat_gets_a_link_a_qr_code_and_eight_dates(deps: Deps) -> None:
    org = await organiser(deps)
    await org.send("/organise")
    assert "Organise" in org.text
    await org.press("New event")
    assert "What kind of event" in org.text
    await org.press("Police surgery")
    await org.send("Tarvin police surgery")
    await org.send("next Tuesday 6pm")
    assert "Tuesday 10 March 2026 at 18:00 — is that right?" in org.text
    await org.press("Yes")
    labels = [b.label for b in org.buttons()]
    assert any("Every week on Tuesday" in label for label in labels)
    assert any("Every month on the second Tuesday" in label for label in labels)
    await org.press("Every week on Tuesday")
    await org.send("Tarvin Community Centre")
    await org.send("High Street, Tarvin")
    location_prompt = org.replies[-1]
    assert isinstance(location_prompt, Text) and location_prompt.request_location
    await share_location(org, 53.199, -2.86)
    await org.send("30")
    await org.send("Step-free access")
    await org.press("Skip")
    await org.press("Tarvin")
    summary = org.text
    assert "Tarvin police surgery" in summary and "Every week on Tuesday" in summary
    assert "Room for 30 people" in summary and "Community: Tarvin" in summary
    replies = await org.press("Save")

    texts = "\n".join(r.text for r in replies if isinstance(r, Text))
    assert "Saved" in texts and "8 dates" in texts
    documents = [r for r in replies if isinstance(r, Document)]
    assert len(documents) == 1 and documents[0].mime_type == "image/png"
    assert documents[0].content.startswith(b"\x89PNG\r\n\x1a\n")
    assert LINK_PREFIX in texts

    series = await one(deps, Event, Event.status == "series")
    assert isinstance(series, Event)
    rule = decode_rule(series.recurrence)
    assert (rule.kind, rule.weekday, f"{rule.time:%H:%M}", rule.tz) == (
        "weekly",
        1,
        "18:00",
        "Europe/London",
    )
    dates = await rows(deps, Event, Event.series_id == series.id)
    dates.sort(key=lambda e: e.starts_at)
    assert len(dates) == 8
    tarvin = await community(deps, "Tarvin")
    for event in dates:
        local = event.starts_at.astimezone(LONDON)
        assert (local.weekday(), local.hour, local.minute) == (1, 18, 0)
        assert event.occurrence_of == local.date()
        assert event.status == "scheduled" and event.source == "chat"
        assert event.community_id == tarvin.id and event.lpu_id is None
        assert event.capacity == 30 and event.latitude == 53.199
        assert event.checkin_token and event.organiser_id is not None
    # The clocks go forward on Sunday 29 March: 18:00 GMT before, 18:00 BST after.
    utc_hours = [(e.starts_at.date(), e.starts_at.hour) for e in dates]
    assert utc_hours[:3] == [(date(2026, 3, d), 18) for d in (10, 17, 24)]
    assert utc_hours[3] == (date(2026, 3, 31), 17)
    assert all(hour == 17 for _, hour in utc_hours[3:])
    assert len({e.checkin_token for e in dates}) == 8
    first = dates[0]
    assert f"{LINK_PREFIX}{first.id}-{first.checkin_token}" in texts
    assert await count(deps, EventDraft) == 0

    # The link checks a resident in.
    visitor = Resident(deps, 5_000_000_077, name="Vic")
    await visitor.send(f"/start ev-{first.id}-{first.checkin_token}")
    assert "You are checked in" in visitor.text


async def test_back_and_cancel_work_in_the_flow(deps: Deps) -> None:
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New event")
    await org.press("Community Conversation")
    await org.send("Tarvin conversation")
    assert "When does it start" in org.text
    await org.send("/back")
    assert "What is it called" in org.text
    await org.send("/back")
    assert "What kind of event" in org.text
    await org.send("/back")
    assert "first step" in org.text
    await org.send("/cancel")
    assert "Nothing was saved" in org.text
    assert await count(deps, EventDraft) == 0
    # With no draft, /cancel is the questionnaire's again.
    await org.send("/cancel")
    assert "nothing to go back to" in org.text.lower()


async def test_typed_answers_work_for_buttons_and_skip(deps: Deps) -> None:
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New event")
    await org.send("police surgery")  # the button's label, typed
    assert "What is it called" in org.text
    await org.send("Drop-in")
    await org.send("tomorrow 10am")
    await org.send("yes")
    await org.send("just once")
    await org.send("Library")
    await org.send("skip")  # address
    await org.send("Skip")  # location, from the reply keyboard
    assert any(isinstance(r, Text) and r.remove_reply_keyboard for r in org.replies)
    await org.send("/skip")  # capacity
    await org.send("/skip")  # access
    await org.send("/skip")  # description
    await org.send("tarvin")  # a community, typed
    assert "Check your event" in org.text and "Community: Tarvin" in org.text


async def test_a_pcso_makes_surgeries_in_their_own_community_only(deps: Deps) -> None:
    await grant(deps, 7_000_000_002, "pcso", community="Tarvin")
    pcso = Resident(deps, 7_000_000_002, name="Sam")
    await pcso.send("/organise")
    await pcso.press("New event")
    assert "What is it called" in pcso.text  # a surgery is the only kind: no question
    await pcso.send("PCSO surgery")
    await pcso.send("next Tuesday 10am")
    await pcso.press("Yes")
    await pcso.press("Just once")
    await pcso.send("Tarvin Library")
    for _ in range(5):
        await pcso.send("/skip")
    assert "Check your event" in pcso.text and "Community: Tarvin" in pcso.text
    await pcso.press("Save")
    event = await one(deps, Event, Event.title == "PCSO surgery")
    assert isinstance(event, Event) and event.kind == "surgery"
    assert event.community_id == (await community(deps, "Tarvin")).id


# -- dates that need a question --------------------------------------------------------


async def test_the_repeated_hour_in_october_asks_which_one(app: App) -> None:
    deps = dataclasses.replace(app.deps, clock=at(TUESDAY_20_OCTOBER))
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New event")
    await org.press("Community event")
    await org.send("Night patrol walk")
    await org.send("25/10/2026 01:30")
    assert "clocks go back" in org.text and "happens twice" in org.text
    labels = [b.label for b in org.buttons()]
    assert any("01:30 BST" in label and "first" in label for label in labels)
    assert any("01:30 GMT" in label and "second" in label for label in labels)
    await org.press("01:30 GMT")
    assert "Sunday 25 October 2026 at 01:30 GMT — is that right?" in org.text
    await org.press("Yes")
    await org.press("Just once")
    await org.send("Tarvin Green")
    for _ in range(5):
        await org.send("/skip")
    assert "Area: Chester" in org.text  # an organiser's LPU, not asked
    await org.press("Save")
    event = await one(deps, Event, Event.title == "Night patrol walk")
    assert isinstance(event, Event)
    assert event.starts_at == datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert event.lpu_id is not None and event.community_id is None


@pytest.mark.parametrize(
    ("typed", "explained"),
    [
        ("25:00 tomorrow", "not on the clock"),
        ("29/3/2026 01:30", "clocks go forward"),
        ("1/3/2026 18:00", "already passed"),
        ("31/2 18:00", "date does not exist"),
        ("next Tuesday", "What time does it start"),
        ("whenever suits", "could not read that"),
        ("1/1/2030 10:00", "more than two years"),
    ],
)
async def test_problems_with_a_date_are_explained(deps: Deps, typed: str, explained: str) -> None:
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New event")
    await org.press("Community Conversation")
    await org.send("Tarvin conversation")
    await org.send(typed)
    assert explained in org.text
    draft = await one(deps, EventDraft, col(EventDraft.id) > 0)
    assert isinstance(draft, EventDraft) and draft.step == "when"


# -- action group meetings --------------------------------------------------------------


async def test_an_action_group_meeting_tells_every_member(deps: Deps) -> None:
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New action group")
    await org.send("Speeding on the A51")
    await org.send("Slowing traffic through Tarvin and Kelsall.")
    assert "has started in Chester" in org.text
    group = await one(deps, ActionGroup, ActionGroup.title == "Speeding on the A51")
    assert isinstance(group, ActionGroup)

    members = [await resident_in(deps, 5_000_000_100 + i, f"Member{i}") for i in range(2)]
    for member in members:
        await member.send("/groups")
        await member.press("Join: Speeding on the A51")
    outsider = await resident_in(deps, 5_000_000_199, "Outsider")

    await org.send("/organise")
    await org.press("My action groups")
    assert "Speeding on the A51" in org.text and "2 members" in org.text

    await org.press("Organiser menu")
    await org.press("New event")
    await org.press("Action Group meeting")
    await org.press("Speeding on the A51")
    await org.send("A51 group: first meeting")
    await org.send("tomorrow 7pm")
    await org.press("Yes")
    await org.press("Just once")
    await org.send("Tarvin Community Centre")
    for _ in range(5):
        await org.send("/skip")
    assert "Action group: Speeding on the A51" in org.text
    replies = await org.press("Save")
    assert "2 members of the group have been told" in "\n".join(
        r.text for r in replies if isinstance(r, Text)
    )

    event = await one(deps, Event, Event.title == "A51 group: first meeting")
    assert isinstance(event, Event) and event.action_group_id == group.id
    notices = await rows(deps, Delivery, Delivery.kind == "message")
    assert len(notices) == 2
    for notice in notices:
        payload = json.loads(notice.payload)
        assert "Speeding on the A51" in payload["text"]
        assert payload["buttons"][0][0]["payload"] == encode(
            EventButton(EventAction.OPEN, event.id or 0)
        )
        assert notice.key.startswith(f"group-meeting:{event.id}:")
    reminders = await rows(deps, Delivery, Delivery.kind == "reminder")
    assert len(reminders) == 4  # a day and an hour before, for each member
    assert {r.due_at for r in reminders} == {
        event.starts_at - timedelta(days=1),
        event.starts_at - timedelta(hours=1),
    }

    await members[0].send("/events")
    assert any("A51 group: first meeting" in b.label for b in members[0].buttons())
    await outsider.send("/events")
    assert not any("A51 group" in b.label for b in outsider.buttons())  # for members


# -- managing: move, cancel, who is coming ---------------------------------------------


async def _going(deps: Deps, r: Resident, event_id: int) -> None:
    await r.press_data(encode(EventButton(EventAction.GOING, event_id)))


async def _one_off(deps: Deps, org: Resident) -> Event:
    await make_surgery(org)
    event = await one(deps, Event, Event.title == "Tarvin police surgery")
    assert isinstance(event, Event)
    return event


async def test_moving_an_event_moves_reminders_and_tells_those_coming(deps: Deps) -> None:
    org = await organiser(deps)
    event = await _one_off(deps, org)
    assert event.id is not None
    coming = await resident_in(deps, 5_000_000_201, "Ann")
    await _going(deps, coming, event.id)
    before = {r.key: r.due_at for r in await rows(deps, Delivery, Delivery.kind == "reminder")}
    assert len(before) == 2

    await org.send("/organise")
    await org.press("My events")
    await org.press("Tarvin police surgery")
    assert "Going: 1" in org.text
    await org.press("Change the time")
    assert "Tuesday 10 March 2026 at 18:00" in org.text  # the time it is now
    await org.send("next Wednesday 7pm")
    assert "Wednesday 11 March 2026 at 19:00 — is that right?" in org.text
    await org.press("Yes")
    assert "is now on Wednesday 11 March 2026 at 19:00" in org.text
    assert "1 person who is coming has been told" in org.text

    moved = await one(deps, Event, Event.id == event.id)
    assert isinstance(moved, Event)
    assert moved.starts_at == datetime(2026, 3, 11, 19, 0, tzinfo=UTC) and moved.version == 2
    after = await rows(deps, Delivery, Delivery.kind == "reminder", Delivery.status == "pending")
    assert {r.key.rsplit(":", 1)[0] for r in after} == {k.rsplit(":", 1)[0] for k in before}
    assert all(r.key.endswith(":v2") for r in after)  # the event's new version
    assert {r.due_at for r in after} == {
        moved.starts_at - timedelta(days=1),
        moved.starts_at - timedelta(hours=1),
    }
    notice = await one(deps, Delivery, Delivery.kind == "event_notice")
    assert isinstance(notice, Delivery)
    assert json.loads(notice.payload)["change"] == "moved" and notice.status == "pending"
    assert await count(deps, EventDraft) == 0


async def test_cancelling_stops_reminders_and_tells_those_coming(deps: Deps) -> None:
    org = await organiser(deps)
    event = await _one_off(deps, org)
    assert event.id is not None
    coming = await resident_in(deps, 5_000_000_202, "<Bob & Co>")
    maybe = await resident_in(deps, 5_000_000_203, "Cat")
    await _going(deps, coming, event.id)
    await maybe.press_data(encode(EventButton(EventAction.MAYBE, event.id)))
    await coming.send(f"/start ev-{event.id}-{event.checkin_token}")  # checked in early

    await org.send("/organise")
    await org.press("My events")
    await org.press("Tarvin police surgery")
    await org.press("Who is coming")
    who = next(r for r in org.replies if isinstance(r, Text))
    assert "&lt;Bob &amp; Co&gt;" in who.text and "<Bob" not in who.text
    assert "Going: 1" in org.text and "Maybe: 1" in org.text and "Checked in: 1" in org.text
    assert "Cat" in org.text

    await org.press("Back to the event")
    await org.press("Cancel the event")
    assert "Everyone who said they are coming will be told" in org.text
    await org.press("Yes, cancel it")
    assert "2 people who were coming have been told" in org.text

    cancelled = await one(deps, Event, Event.id == event.id)
    assert isinstance(cancelled, Event) and cancelled.status == "cancelled"
    reminders = await rows(deps, Delivery, Delivery.kind == "reminder")
    assert reminders and all(r.status == "cancelled" for r in reminders)
    notices = await rows(deps, Delivery, Delivery.kind == "event_notice")
    assert len(notices) == 2
    assert all(json.loads(n.payload)["change"] == "cancelled" for n in notices)
    assert all(n.status == "pending" for n in notices)


async def test_a_pending_notice_is_cancelled_with_the_event(deps: Deps) -> None:
    org = await organiser(deps)
    event = await _one_off(deps, org)
    assert event.id is not None
    await _going(deps, await resident_in(deps, 5_000_000_204, "Dee"), event.id)
    await org.press_data(encode(Organiser(OrganiserAction.MOVE, event.id)))
    await org.send("next Thursday 6pm")
    await org.press("Yes")
    await org.press_data(encode(Organiser(OrganiserAction.CONFIRM_ONE, event.id)))
    notices = {
        json.loads(n.payload)["change"]: n.status
        for n in await rows(deps, Delivery, Delivery.kind == "event_notice")
    }
    assert notices == {"moved": "cancelled", "cancelled": "pending"}


async def test_cancelling_every_date_of_a_series(deps: Deps) -> None:
    org = await organiser(deps)
    await make_surgery(org, repeat="Every week on Tuesday")
    surgery = Event.title == "Tarvin police surgery"
    dates = await rows(deps, Event, surgery, Event.status == "scheduled")
    first = min(dates, key=lambda e: e.starts_at)
    assert first.id is not None
    await org.send("/organise")
    await org.press("My events")
    await org.press_data(encode(Organiser(OrganiserAction.OPEN, first.id)))
    labels = [b.label for b in org.buttons()]
    assert any("Cancel this date" in label for label in labels)
    await org.press("Cancel every date")
    await org.press("Yes, cancel every date")
    statuses = [e.status for e in await rows(deps, Event, surgery)]
    assert statuses == ["cancelled"] * 9  # the series and its eight dates


# -- refusals ---------------------------------------------------------------------------


async def test_a_resident_cannot_organise_or_forge_organiser_buttons(deps: Deps) -> None:
    org = await organiser(deps)
    event = await _one_off(deps, org)
    assert event.id is not None
    deliveries_before = await count(deps, Delivery)
    groups_before = await count(deps, ActionGroup)

    resident = await resident_in(deps, 5_000_000_301, "Rita")
    await resident.send("/organise")
    assert "only for event organisers" in resident.text
    forged = [
        Organiser(OrganiserAction.NEW),
        Organiser(OrganiserAction.NEW_GROUP),
        Organiser(OrganiserAction.EVENTS),
        Organiser(OrganiserAction.WHO, event.id),
        Organiser(OrganiserAction.MOVE, event.id),
        Organiser(OrganiserAction.CONFIRM_ONE, event.id),
        Organiser(OrganiserAction.CONFIRM_SERIES, event.id),
        DraftButton(1, "summary", DraftAction.SAVE),
        DraftButton(1, "kind", DraftAction.KIND, "surgery"),
    ]
    for payload in forged:
        replies = await resident.press_data(encode(payload))
        assert replies and isinstance(replies[0], Notice | Text)
        assert "Tarvin police surgery" not in resident.text  # nothing about the event leaks
    await resident.send("Some free text")  # no draft: the main menu
    assert await count(deps, EventDraft) == 0
    assert await count(deps, Delivery) == deliveries_before
    assert await count(deps, ActionGroup) == groups_before
    still = await one(deps, Event, Event.id == event.id)
    assert isinstance(still, Event) and still.status == "scheduled" and still.version == 1


async def test_staff_outside_the_scope_are_refused(deps: Deps) -> None:
    org = await organiser(deps)
    event = await _one_off(deps, org)
    assert event.id is not None
    await grant(deps, 7_000_000_010, "organiser", lpu="crewe")
    await grant(deps, 7_000_000_011, "pcso", community="Kelsall")
    for telegram_id in (7_000_000_010, 7_000_000_011):
        other = Resident(deps, telegram_id, name="Other")
        await other.send("/organise")
        await other.press("My events")
        assert "Tarvin police surgery" not in other.text
        for action in (OrganiserAction.CONFIRM_ONE, OrganiserAction.MOVE, OrganiserAction.WHO):
            replies = await other.press_data(encode(Organiser(action, event.id)))
            assert isinstance(replies[0], Notice) and "cannot manage" in replies[0].text
    still = await one(deps, Event, Event.id == event.id)
    assert isinstance(still, Event) and still.status == "scheduled"
    assert await count(deps, EventDraft) == 0
    # A PCSO in Tarvin may manage the Tarvin surgery.
    await grant(deps, 7_000_000_012, "pcso", community="Tarvin")
    local = Resident(deps, 7_000_000_012, name="Local")
    await local.press_data(encode(Organiser(OrganiserAction.WHO, event.id)))
    assert "Who is coming" in local.text


async def test_a_role_taken_away_mid_draft_drops_the_draft(deps: Deps) -> None:
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    await grant(deps, ORGANISER_ID, "resident")
    await org.send("A title")
    assert "only for event organisers" in org.text
    assert await count(deps, EventDraft) == 0


async def test_grant_role_checks_the_scope(deps: Deps) -> None:
    async with deps.uow() as uow:
        with pytest.raises(StaffError, match="needs --community"):
            await grant_role(uow, telegram_id=1, role="pcso")
        with pytest.raises(StaffError, match="no LPU"):
            await grant_role(uow, telegram_id=1, role="sergeant", lpu="atlantis")
        with pytest.raises(StaffError, match="not in the LPU"):
            await grant_role(uow, telegram_id=1, role="officer", lpu="crewe", community="Tarvin")
        user = await grant_role(uow, telegram_id=99, role="inspector", community="Tarvin")
        chester = (await uow.session.exec(select(Lpu).where(Lpu.slug == "chester"))).one()
        assert (user.role, user.role_lpu_id) == ("inspector", chester.id)
        assert user.chat_id == 99  # created: they have never messaged the bot


# -- the command line -------------------------------------------------------------------


def chinwag(args: list[str], db_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    settings = {"CHINWAG_DATABASE_URL": db_url, "CHINWAG_TIMEZONE": "Europe/London"}
    return run_chinwag(args, settings, cwd)


def _future(days: int, clock: str = "18:00") -> str:
    return f"{(datetime.now(LONDON) + timedelta(days=days)).date().isoformat()} {clock}"


async def test_cli_staff_and_events(deps: Deps, db_url: str, tmp_path: Path) -> None:
    granted = chinwag(
        ["staff", "grant", "--telegram-id", "4242", "--role", "organiser", "--lpu", "chester"],
        db_url,
        tmp_path,
    )
    assert granted.returncode == 0, granted.stderr
    assert "organiser (LPU Chester)" in granted.stdout
    bad = chinwag(["staff", "grant", "--telegram-id", "4243", "--role", "pcso"], db_url, tmp_path)
    assert bad.returncode == 2 and "needs --community" in bad.stderr
    assert "Traceback" not in bad.stderr
    listing = chinwag(["staff", "list"], db_url, tmp_path)
    assert listing.returncode == 0 and "4242" in listing.stdout and "organiser" in listing.stdout
    user = await one(deps, User, User.telegram_id == 4242)
    assert isinstance(user, User) and user.role == "organiser"

    qr = tmp_path / "qr.png"
    added = chinwag(
        [
            "events", "add", "--title", "Tarvin police surgery", "--kind", "surgery",
            "--community", "Tarvin", "--when", _future(10), "--ends", _future(10, "19:30"),
            "--venue", "Tarvin Library", "--capacity", "20", "--weekly", "--qr", str(qr),
        ],
        db_url,
        tmp_path,
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert "Added event" in added.stdout and "8 dates" in added.stdout
    assert LINK_PREFIX in added.stdout
    assert qr.read_bytes().startswith(b"\x89PNG")
    occurrences = await rows(
        deps, Event, Event.title == "Tarvin police surgery", Event.status == "scheduled"
    )
    assert len(occurrences) == 8
    assert {e.starts_at.astimezone(LONDON).hour for e in occurrences} == {18}
    assert {e.ends_at.astimezone(LONDON).time() for e in occurrences if e.ends_at} == {time(19, 30)}
    series = await one(
        deps, Event, Event.title == "Tarvin police surgery", Event.status == "series"
    )
    assert isinstance(series, Event) and series.ends_at is not None  # for the dates added later

    no_place = chinwag(
        ["events", "add", "--title", "Surgery", "--kind", "surgery", "--lpu", "chester",
         "--when", _future(3)],
        db_url,
        tmp_path,
    )  # fmt: skip
    assert no_place.returncode == 2 and "needs a community" in no_place.stderr
    past = chinwag(
        ["events", "add", "--title", "Old", "--kind", "other", "--lpu", "chester",
         "--when", "2020-01-01 10:00"],
        db_url,
        tmp_path,
    )  # fmt: skip
    assert past.returncode == 2 and "already passed" in past.stderr

    first = min(occurrences, key=lambda e: e.starts_at)
    assert first.id is not None
    async with deps.uow() as uow:  # a resident is going to the first date
        person = await uow.users.add(User(telegram_id=5_000_000_999, chat_id=5_000_000_999))
        assert person.id is not None
        uow.session.add(Rsvp(event_id=first.id, user_id=person.id, status="going"))
        await uow.commit()

    listed = chinwag(["events", "list", "--community", "Tarvin"], db_url, tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = [line for line in listed.stdout.splitlines() if "Tarvin police surgery" in line]
    assert len(lines) == 8
    assert lines[0].split()[0] == str(first.id) and lines[0].split()[-4:] == ["1", "0", "0", "0"]

    cancelled = chinwag(["events", "cancel", str(first.id)], db_url, tmp_path)
    assert cancelled.returncode == 0, cancelled.stderr
    assert "1 person will be told" in cancelled.stdout
    again = chinwag(["events", "cancel", str(first.id)], db_url, tmp_path)
    assert again.returncode == 1 and "already cancelled" in again.stdout
    missing = chinwag(["events", "cancel", "999999"], db_url, tmp_path)
    assert missing.returncode == 1
    notice = await one(deps, Delivery, Delivery.kind == "event_notice")
    assert isinstance(notice, Delivery) and json.loads(notice.payload)["change"] == "cancelled"


async def test_cli_import_keeps_good_rows_and_numbers_the_bad(
    deps: Deps, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "events.csv"
    header = [
        "kind", "title", "community", "lpu", "starts_local", "ends_local", "venue", "address",
        "capacity", "accessibility", "description",
    ]  # fmt: skip
    good_rows = [
        ["surgery", "Kelsall surgery", "Kelsall", "", _future(5, "10:00"), _future(5, "11:00"),
         "Kelsall Library", "Church Street", "15", "Step-free", ""],
        ["conversation", "Chester conversation", "", "chester", _future(6), "", "Town Hall",
         "", "", "", "Have your say"],
    ]  # fmt: skip
    bad_rows = [
        ["surgery", "No place", "", "chester", _future(5), "", "", "", "", "", ""],
        ["party", "Wrong kind", "Tarvin", "", _future(5), "", "", "", "", "", ""],
        ["other", "Bad time", "Tarvin", "", "next week", "", "", "", "", "", ""],
        ["other", "Too many", "Tarvin", "", _future(5), "", "", "", "lots", "", ""],
    ]  # fmt: skip
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerow(good_rows[0])
        for row in bad_rows:
            writer.writerow(row)
        writer.writerow(good_rows[1])

    result = chinwag(["events", "import", str(path)], db_url, tmp_path)
    assert result.returncode == 1, result.stderr
    assert "2 added, 0 updated, 0 unchanged, 4 rejected" in result.stdout
    assert "row 3: a surgery needs a community" in result.stdout
    assert "row 4: kind 'party'" in result.stdout
    assert "row 5: the start 'next week'" in result.stdout
    assert "row 6: capacity 'lots'" in result.stdout
    kelsall = await one(deps, Event, Event.title == "Kelsall surgery")
    assert isinstance(kelsall, Event) and kelsall.capacity == 15 and kelsall.source == "csv"
    assert kelsall.ends_at is not None and kelsall.ends_at - kelsall.starts_at == timedelta(hours=1)

    again = chinwag(["events", "import", str(path)], db_url, tmp_path)
    assert "0 added, 0 updated, 2 unchanged, 4 rejected" in again.stdout
    assert len(await rows(deps, Event, Event.source == "csv")) == 2

    unknown = tmp_path / "unknown.csv"
    unknown.write_text("kind,title,starts_local,colour\n", encoding="utf-8")
    broken = chinwag(["events", "import", str(unknown)], db_url, tmp_path)
    assert broken.returncode == 2 and "unknown column(s) colour" in broken.stderr

    good = tmp_path / "good.csv"
    good.write_text(
        "kind,title,lpu,starts_local\nother,Litter pick," + f"chester,{_future(8)}\n",
        encoding="utf-8",
    )
    assert chinwag(["events", "import", str(good)], db_url, tmp_path).returncode == 0


async def test_import_cleans_text_and_rejects_a_row_too_long(deps: Deps, tmp_path: Path) -> None:
    # A NUL (or a lone surrogate) made PostgreSQL refuse the whole file; SQLite kept it.
    path = tmp_path / "events.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kind", "title", "community", "starts_local", "venue", "description"])
        writer.writerows(
            [
                ["surgery", "Kelsall\x00 surgery", "Kel\x00sall", _future(5), "Li\x00brary",
                 "Drop in\x00\x07, ask us anything"],
                ["other", "T" * 201, "Tarvin", _future(5), "", ""],
                ["other", "Long venue", "Tarvin", _future(5), "V" * 201, ""],
                ["other", "Tarvin litter pick", "Tarvin", _future(6), "Green", ""],
            ]
        )  # fmt: skip
    rows_read = read_rows(path)
    async with deps.uow() as uow:
        summary = await import_rows(uow, rows_read, LONDON, datetime.now(UTC))
        await uow.commit()
    assert str(summary) == "2 added, 0 updated, 0 unchanged, 2 rejected"
    assert summary.errors == [
        "row 3: title is longer than 200 characters",
        "row 4: the venue (200) or address (400 characters) is too long",
    ]
    kelsall = await one(deps, Event, Event.title == "Kelsall surgery")
    assert (kelsall.venue, kelsall.description) == ("Library", "Drop in, ask us anything")
    assert kelsall.community_id == (await community(deps, "Kelsall")).id
    assert kelsall.external_id is not None and "\x00" not in kelsall.external_id
    assert len(await rows(deps, Event, Event.source == "csv")) == 2


async def test_import_keeps_apart_long_titles_that_differ_only_at_their_end(
    deps: Deps, tmp_path: Path
) -> None:
    # The key (place, start, title) was cut to its column's 200 characters: two such
    # rows made one event, and the second "updated" the first.
    path = tmp_path / "events.csv"
    first, second = "A" * 194 + " one", "A" * 194 + " two"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kind", "title", "community", "starts_local"])
        writer.writerows(
            [["other", first, "Tarvin", _future(5)], ["other", second, "Tarvin", _future(5)]]
        )
    for expected in ("2 added, 0 updated, 0 unchanged, 0 rejected",
                     "0 added, 0 updated, 2 unchanged, 0 rejected"):  # fmt: skip
        async with deps.uow() as uow:
            summary = await import_rows(uow, read_rows(path), LONDON, datetime.now(UTC))
            await uow.commit()
        assert str(summary) == expected
    events = await rows(deps, Event, Event.source == "csv")
    assert sorted(e.title for e in events) == [first, second]
    assert all(e.external_id is not None and len(e.external_id) <= 200 for e in events)


async def test_import_finds_an_event_imported_under_a_cut_key(deps: Deps, tmp_path: Path) -> None:
    # Keys were once cut to 200 characters. Such an event is found again by its
    # title under the cut key and re-keyed, not added a second time; another row
    # that the cut had made the same event is added as its own.
    path = tmp_path / "events.csv"
    first, second = "A" * 194 + " one", "A" * 194 + " two"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kind", "title", "community", "starts_local", "venue"])
        writer.writerow(["other", first, "Tarvin", _future(5), "Hall"])
    async with deps.uow() as uow:
        await import_rows(uow, read_rows(path), LONDON, datetime.now(UTC))
        await uow.commit()
    old = await one(deps, Event, Event.title == first)
    assert old.external_id is not None
    whole = f"tarvin|{_future(5)}|{first}"
    assert old.external_id != whole[:200]  # today's key ends in a digest
    async with deps.uow() as uow:  # as an earlier version stored it
        event = await uow.session.get(Event, old.id)
        assert event is not None
        event.external_id = whole[:200]
        uow.session.add(event)
        await uow.commit()
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["kind", "title", "community", "starts_local", "venue"])
        writer.writerows(
            [["other", second, "Tarvin", _future(5), "Hall"],
             ["other", first, "Tarvin", _future(5), "Library"]]
        )  # fmt: skip
    async with deps.uow() as uow:
        summary = await import_rows(uow, read_rows(path), LONDON, datetime.now(UTC))
        await uow.commit()
    assert str(summary) == "1 added, 1 updated, 0 unchanged, 0 rejected"
    again = await one(deps, Event, Event.title == first)
    assert (again.id, again.venue, again.external_id) == (old.id, "Library", old.external_id)
    assert len(await rows(deps, Event, Event.source == "csv")) == 2


async def test_forget_takes_an_organisers_draft_with_it(deps: Deps) -> None:
    org = await organiser(deps)
    event = await _one_off(deps, org)
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    await org.send("A half-made surgery")
    assert await count(deps, EventDraft) == 1
    await org.send("/forget")
    await org.press("Yes, delete it")
    assert "deleted what we held" in org.text
    assert await count(deps, EventDraft) == 0
    kept = await one(deps, Event, Event.id == event.id)
    assert isinstance(kept, Event) and kept.organiser_id is None  # the event stays, unsigned


def test_in_the_repeated_hour_a_first_time_already_gone_is_not_offered() -> None:
    """Regression: two aware times in one zone compare equal whatever their fold."""
    from zoneinfo import ZoneInfo

    from handlers.events.dates import Problem
    from handlers.events.organise.when import which_one_question
    from storage.models import EventDraft

    london = ZoneInfo("Europe/London")
    wall = datetime(2026, 10, 25, 1, 30)
    between = datetime(2026, 10, 25, 0, 45, tzinfo=UTC)  # after 01:30 BST, before 01:30 GMT
    page = which_one_question(
        EventDraft(id=1, user_id=1, step="when"),
        Problem("ambiguous", wall),
        wall,
        london,
        between,
        [],
    )
    labels = [b.label for row in page.buttons for b in row]
    assert any("01:30 GMT" in label for label in labels)
    assert not any("01:30 BST" in label for label in labels)
