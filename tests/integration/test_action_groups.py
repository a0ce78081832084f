"""Action groups for residents (/groups): join, leave, member counts, meetings in /events."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from bot.bootstrap import App
from bot.transports.render import Origin, deliver
from handlers.callbacks import GroupAction, GroupButton
from handlers.context import Deps
from handlers.outbound import Notice, Text
from handlers.payloads import encode
from storage.models import ActionGroup, ActionGroupMember, Community, Delivery, Event, Lpu
from tests.support.recording_port import ApiFailure, RecordingPort
from tests.support.resident import Resident

NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
CALLBACK_NOTICE_LIMIT = 200  # the Bot API's answerCallbackQuery text: 0-200 characters


@pytest.fixture
def deps(app: App) -> Deps:
    return dataclasses.replace(app.deps, clock=lambda: NOW)


async def add_group(deps: Deps, title: str, lpu: str, status: str = "open") -> int:
    async with deps.uow() as uow:
        row = (await uow.session.exec(select(Lpu).where(Lpu.slug == lpu))).one()
        assert row.id is not None
        group = await uow.groups.add(
            ActionGroup(lpu_id=row.id, title=title, description="Slower traffic.", status=status)
        )
        await uow.commit()
        assert group.id is not None
        return group.id


async def add_meeting(deps: Deps, group_id: int, title: str) -> int:
    async with deps.uow() as uow:
        event = await uow.events.add(
            Event(
                kind="action_group",
                title=title,
                action_group_id=group_id,
                starts_at=NOW + timedelta(days=3),
                venue="Tarvin Community Centre",
                checkin_token="abcdefgh1234",
            )
        )
        await uow.commit()
        assert event.id is not None
        return event.id


async def resident(
    deps: Deps, telegram_id: int, name: str, place: str | None = "Tarvin"
) -> Resident:
    r = Resident(deps, telegram_id, name=name)
    await r.send("/start")
    if place is not None:
        async with deps.uow() as uow:
            community = (
                await uow.session.exec(select(Community).where(Community.name == place))
            ).one()
            user = await uow.users.by_telegram_id(telegram_id)
            assert user is not None
            user.community_id = community.id
            uow.session.add(user)
            await uow.commit()
    return r


async def members(deps: Deps, group_id: int) -> int:
    async with deps.uow() as uow:
        return await uow.groups.member_count(group_id)


def labels(r: Resident) -> list[str]:
    return [b.label for b in r.buttons()]


async def test_groups_need_a_community_first(deps: Deps) -> None:
    r = await resident(deps, 5_100_000_001, "Ann", place=None)
    await r.send("/groups")
    assert "tell me where you live" in r.text


async def test_only_open_groups_in_the_residents_lpu_are_listed(deps: Deps) -> None:
    await add_group(deps, "Speeding on the A51", "chester")
    await add_group(deps, "Litter in Crewe", "crewe")
    await add_group(deps, "Old closed group", "chester", status="closed")
    r = await resident(deps, 5_100_000_002, "Ben")
    await r.send("/groups")
    assert "Action groups in Chester" in r.text
    assert "Speeding on the A51 · 0 members" in r.text
    assert "Litter in Crewe" not in r.text and "Old closed group" not in r.text
    assert "Join: Speeding on the A51" in labels(r)


async def test_no_groups_says_so(deps: Deps) -> None:
    r = await resident(deps, 5_100_000_003, "Cy")
    await r.send("/groups")
    assert "no action groups in Chester yet" in r.text


async def test_join_and_leave_with_member_counts(deps: Deps) -> None:
    group_id = await add_group(deps, "Speeding on the A51", "chester")
    ann = await resident(deps, 5_100_000_011, "Ann")
    ben = await resident(deps, 5_100_000_012, "Ben", place="Kelsall")  # also in Chester LPU

    await ann.send("/groups")
    replies = await ann.press("Join: Speeding on the A51")
    assert isinstance(replies[0], Notice) and "You have joined" in replies[0].text
    assert "1 member · you are a member" in ann.text
    assert "Leave: Speeding on the A51" in labels(ann)
    # An old Join button, pressed again: still one membership.
    await ann.press_data(encode(GroupButton(GroupAction.JOIN, group_id)))
    assert await members(deps, group_id) == 1

    await ben.send("/groups")
    assert "1 member" in ben.text and "you are a member" not in ben.text
    await ben.press("Join: Speeding on the A51")
    assert "2 members" in ben.text
    assert await members(deps, group_id) == 2

    replies = await ann.press_data(encode(GroupButton(GroupAction.LEAVE, group_id)))
    assert isinstance(replies[0], Notice) and "You have left" in replies[0].text
    assert "1 member" in ann.text and "Join: Speeding on the A51" in labels(ann)
    assert await members(deps, group_id) == 1
    async with deps.uow() as uow:
        rows = (await uow.session.exec(select(func.count()).select_from(ActionGroupMember))).one()
    assert rows == 2  # leaving keeps the row, inactive: rejoining reuses it


async def test_groups_elsewhere_or_closed_cannot_be_joined_by_a_forged_button(
    deps: Deps,
) -> None:
    crewe = await add_group(deps, "Litter in Crewe", "crewe")
    closed = await add_group(deps, "Old closed group", "chester", status="closed")
    r = await resident(deps, 5_100_000_021, "Dee")
    for group_id in (crewe, closed, 999_999):
        replies = await r.press_data(encode(GroupButton(GroupAction.JOIN, group_id)))
        assert isinstance(replies[0], Notice) and "not in the list" in replies[0].text
    assert await members(deps, crewe) == 0 and await members(deps, closed) == 0


async def test_members_see_the_groups_meetings_in_events(deps: Deps) -> None:
    group_id = await add_group(deps, "Speeding on the A51", "chester")
    event_id = await add_meeting(deps, group_id, "A51 group meeting")
    member = await resident(deps, 5_100_000_031, "Eve")
    other = await resident(deps, 5_100_000_032, "Fay")

    await member.send("/events")
    assert not any("A51 group meeting" in label for label in labels(member))
    await member.send("/groups")
    await member.press("Join: Speeding on the A51")
    # Joining schedules reminders for the meetings already planned.
    async with deps.uow() as uow:
        reminders = (
            await uow.session.exec(select(Delivery).where(Delivery.kind == "reminder"))
        ).all()
    assert {r.key.split(":")[1] for r in reminders} == {str(event_id)}
    assert len(reminders) == 2

    await member.send("/events")
    assert any("A51 group meeting" in label for label in labels(member))
    await member.press("A51 group meeting")
    assert "Tarvin Community Centre" in member.text
    await other.send("/events")
    assert not any("A51 group meeting" in label for label in labels(other))

    await member.press_data(encode(GroupButton(GroupAction.LEAVE, group_id)))
    await member.send("/events")
    assert not any("A51 group meeting" in label for label in labels(member))


async def test_group_titles_are_escaped(deps: Deps) -> None:
    await add_group(deps, "<b>Fast & Furious</b>", "chester")
    r = await resident(deps, 5_100_000_041, "Gus")
    await r.send("/groups")
    page = next(reply for reply in r.replies if isinstance(reply, Text))
    assert "&lt;b&gt;Fast &amp; Furious&lt;/b&gt;" in page.text
    assert "Join: <b>Fast & Furious</b>" in labels(r)  # a button label is plain text


class AnswerRecordingPort(RecordingPort):
    """Records the answers to button presses; refuses one over 200 characters, as the
    Bot API does ("MESSAGE_TOO_LONG"), which leaves the button spinning."""

    def __init__(self) -> None:
        super().__init__()
        self.answers: list[str] = []

    async def answer_callback(self, callback_id: str, text: str, alert: bool) -> None:
        if len(text) > CALLBACK_NOTICE_LIMIT:
            raise ApiFailure(400, "Bad Request: MESSAGE_TOO_LONG")
        self.answers.append(text)


async def test_joining_a_group_with_a_long_title_still_answers_the_press(deps: Deps) -> None:
    title = ("Speeding and parking near the primary school " * 5)[:200]
    await add_group(deps, title, "chester")
    r = await resident(deps, 5_100_000_051, "Hal")
    await r.send("/groups")
    replies = await r.press("Join: Speeding and parking")
    assert isinstance(replies[0], Notice) and len(replies[0].text) > CALLBACK_NOTICE_LIMIT

    port = AnswerRecordingPort()
    await deliver(port, replies, Origin(5_100_000_051, message_id=5, callback_id="cb"))  # type: ignore[arg-type]
    [answer] = port.answers
    assert answer.startswith("You have joined Speeding and parking")
    assert len(answer) <= CALLBACK_NOTICE_LIMIT and answer.endswith("…")
