"""Staff invitations through the CLI and the core, and staff actions refused on the server.

``chinwag staff invite`` runs as a real process against a real database; the person
then opens the link through the core (``tests.support.resident``), as Telegram would
send ``/start staff-<token>``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import re
import subprocess
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from handlers.callbacks import (
    DraftAction,
    DraftButton,
    GroupAction,
    GroupButton,
    Organiser,
    OrganiserAction,
    PollAction,
    PollButton,
)
from handlers.context import Deps
from handlers.outbound import Document, Notice
from handlers.payloads import encode
from handlers.staff.tokens import invite_payload, new_invite_token
from storage.models import (
    ActionGroup,
    ActionGroupMember,
    Broadcast,
    Community,
    Delivery,
    Event,
    EventDraft,
    Lpu,
    Poll,
    StaffInvite,
    User,
)
from tests.integration.test_organiser_events import (
    WEDNESDAY_4_MARCH,
    M,
    Where,
    at,
    grant,
    make_surgery,
    organiser,
    resident_in,
)
from tests.support.cli import run_chinwag
from tests.support.resident import Resident

BOT = "chinwag_test_bot"
Named = TypeVar("Named", Community, Lpu)
LINK = re.compile(rf"https://t\.me/{BOT}\?start=(staff-[A-Za-z0-9_\-]+)")
START = re.compile(r"/start (staff-[A-Za-z0-9_\-]+)")
SAM = 6_100_000_001
NOT_WORKING = "This invitation link does not work. Ask whoever sent it for a new one."


def chinwag(
    args: list[str], db_url: str, cwd: Path, *, bot_username: str | None = BOT
) -> subprocess.CompletedProcess[str]:
    settings = {"CHINWAG_DATABASE_URL": db_url, "CHINWAG_TIMEZONE": "Europe/London"}
    if bot_username:
        settings["CHINWAG_BOT_USERNAME"] = bot_username
    return run_chinwag(args, settings, cwd)


def invite_by_cli(db_url: str, cwd: Path, *args: str) -> str:
    """``chinwag staff invite ...``; returns the ``staff-...`` payload of its link."""
    made = chinwag(["staff", "invite", *args], db_url, cwd)
    assert made.returncode == 0, made.stderr
    found = LINK.search(made.stdout)
    assert found, made.stdout
    return found.group(1)


async def new_invite(
    deps: Deps,
    role: str = "pcso",
    hours: int = 72,
    *,
    lpu_id: int | None = None,
    community_id: int | None = None,
) -> str:
    """An invitation made straight in the database; returns its payload."""
    token = new_invite_token()
    async with deps.uow() as uow:
        await uow.invites.create(
            token,
            role=role,
            expires_at=deps.clock() + timedelta(hours=hours),
            lpu_id=lpu_id,
            community_id=community_id,
        )
        await uow.commit()
    return invite_payload(token)


async def user(deps: Deps, telegram_id: int) -> User:
    async with deps.uow() as uow:
        found = await uow.users.by_telegram_id(telegram_id)
    assert found is not None
    return found


async def invites(deps: Deps) -> list[StaffInvite]:
    async with deps.uow() as uow:
        return list(
            (await uow.session.exec(select(StaffInvite).order_by(col(StaffInvite.id)))).all()
        )


async def named(deps: Deps, model: type[Named], name: str) -> Named:
    async with deps.uow() as uow:
        return (await uow.session.exec(select(model).where(model.name == name))).one()


async def count(deps: Deps, model: type) -> int:
    async with deps.uow() as uow:
        return int((await uow.session.exec(select(func.count()).select_from(model))).one())


def refusals(caplog: pytest.LogCaptureFixture, message: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == message]


# -- joining ---------------------------------------------------------------------------


async def test_a_cli_invitation_makes_a_resident_a_pcso_once(
    deps: Deps, db_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    payload = invite_by_cli(
        db_url, tmp_path, "--role", "pcso", "--community", "Tarvin", "--note", "for Sam Jones"
    )
    sam = Resident(deps, SAM, name="Sam", username="sam_pcso")
    await sam.send("/start")
    await sam.send(f"/start {payload}")
    assert "Welcome to the team, Sam" in sam.text
    assert "Your role: PCSO" in sam.text and "Your area: Tarvin, in the Chester LPU" in sam.text
    assert "/organise: plan police surgeries in your community" in sam.text
    assert "Organiser menu" in [b.label.split(" ", 1)[1] for b in sam.buttons()]

    tarvin = await named(deps, Community, "Tarvin")
    chester = await named(deps, Lpu, "Chester")
    assert isinstance(tarvin, Community) and isinstance(chester, Lpu)
    joined = await user(deps, SAM)
    assert (joined.role, joined.role_community_id, joined.role_lpu_id) == (
        "pcso",
        tarvin.id,
        chester.id,
    )
    [invite] = await invites(deps)
    assert invite.used_by_id == joined.id and invite.used_by_name == "Sam @sam_pcso"
    assert invite.used_at is not None and invite.note == "for Sam Jones"
    assert payload.removeprefix("staff-") not in invite.token_hash  # only the hash is kept

    await sam.send("/organise")  # the role works at once
    assert "New event" in [b.label.split(" ", 1)[1] for b in sam.buttons()]

    # The link works once: someone else is refused, in the words an unknown link gets.
    with caplog.at_level(logging.INFO, logger="handlers.staff.accept"):
        eve = Resident(deps, SAM + 1, name="Eve")
        await eve.send(f"/start {payload}")
        used_text = eve.text
        await eve.send(f"/start staff-{new_invite_token()}")
        assert eve.text == used_text and NOT_WORKING in used_text
    assert (await user(deps, SAM + 1)).role == "resident"
    logged = refusals(caplog, "staff invitation refused")
    assert [(r.reason, r.user_id) for r in logged] == [  # type: ignore[attr-defined]
        ("used", (await user(deps, SAM + 1)).id),
        ("unknown", (await user(deps, SAM + 1)).id),
    ]
    for record in caplog.records:  # never the token
        assert payload.removeprefix("staff-") not in json.dumps(record.__dict__, default=str)

    await sam.send(f"/start {payload}")  # Sam again: told so, nothing changes
    assert "already used this invitation" in sam.text

    listing = chinwag(["staff", "list"], db_url, tmp_path)
    assert listing.returncode == 0, listing.stderr
    assert re.search(r"pcso\s+community Tarvin\s+Sam @sam_pcso", listing.stdout)
    assert re.search(r"#1\s+pcso\s+community Tarvin\s+used by Sam @sam_pcso", listing.stdout)
    assert "(for Sam Jones)" in listing.stdout


async def test_an_expired_invitation_is_refused(deps: Deps) -> None:
    payload = await new_invite(deps, hours=1)
    later = dataclasses.replace(deps, clock=at(deps.clock() + timedelta(hours=1, seconds=1)))
    sam = Resident(later, SAM, name="Sam")
    await sam.send(f"/start {payload}")
    assert "This invitation has expired" in sam.text
    assert (await user(deps, SAM)).role == "resident"
    [invite] = await invites(deps)
    assert invite.used_at is None and invite.used_by_id is None


async def test_the_use_is_conditional_on_the_time_too(deps: Deps) -> None:
    """Even if a stale read said valid, the UPDATE itself refuses an expired invitation."""
    payload = await new_invite(deps, hours=1)
    async with deps.uow() as uow:
        invite = await uow.invites.find_valid(payload.removeprefix("staff-"), deps.clock())
        assert invite is not None
        too_late = deps.clock() + timedelta(hours=2)
        assert not await uow.invites.use(invite, user_id=1, name="x", now=too_late)
        assert await uow.invites.find_valid(payload.removeprefix("staff-"), too_late) is None


async def test_a_revoked_invitation_is_refused_and_revoke_reports_clearly(
    deps: Deps, db_url: str, tmp_path: Path
) -> None:
    made = chinwag(
        ["staff", "invite", "--role", "sergeant", "--lpu", "chester"],
        db_url,
        tmp_path,
        bot_username=None,
    )
    assert made.returncode == 0, made.stderr
    assert "CHINWAG_BOT_USERNAME is not set" in made.stdout
    assert re.search(r"Expires: \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d (GMT|BST)", made.stdout)
    found = START.search(made.stdout)
    assert found, made.stdout
    payload = found.group(1)

    revoked = chinwag(["staff", "revoke", "--invite", "1"], db_url, tmp_path)
    assert revoked.returncode == 0 and "Invitation 1 is revoked" in revoked.stdout
    again = chinwag(["staff", "revoke", "--invite", "1"], db_url, tmp_path)
    assert again.returncode == 0 and "already revoked" in again.stdout

    sam = Resident(deps, SAM, name="Sam")
    await sam.send(f"/start {payload}")
    assert "This invitation has been withdrawn" in sam.text
    assert (await user(deps, SAM)).role == "resident"

    listing = chinwag(["staff", "list"], db_url, tmp_path)
    assert re.search(r"#1\s+sergeant\s+LPU Chester\s+revoked ", listing.stdout)

    missing = chinwag(["staff", "revoke", "--invite", "99"], db_url, tmp_path)
    assert missing.returncode == 2 and missing.stderr.strip().count("\n") == 0
    assert "no invitation has the number 99" in missing.stderr and not missing.stdout


async def test_cli_arguments_are_checked_as_for_grant(
    deps: Deps, db_url: str, tmp_path: Path
) -> None:
    cases = [
        (["staff", "invite", "--role", "pcso"], "needs --community"),
        (["staff", "invite", "--role", "inspector", "--lpu", "atlantis"], "no LPU"),
        (
            ["staff", "invite", "--role", "officer", "--lpu", "crewe", "--community", "Tarvin"],
            "not in the LPU",
        ),
        (["staff", "invite", "--role", "admin", "--lpu", "chester"], "takes no"),
        (["staff", "invite", "--role", "pcso", "--community", "Narnia"], "no community"),
        (["staff", "invite", "--role", "admin", "--expires-hours", "0"], "--expires-hours"),
        (["staff", "invite", "--role", "admin", "--note", "x" * 201], "--note"),
        (["staff", "revoke", "--telegram-id", "123"], "no user has the Telegram id 123"),
    ]
    for args, why in cases:
        done = chinwag(args, db_url, tmp_path)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert why in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    for args in (
        ["staff", "invite", "--role", "resident"],  # an invitation is for a staff role
        ["staff", "revoke"],
        ["staff", "revoke", "--invite", "1", "--telegram-id", "2"],
    ):
        done = chinwag(args, db_url, tmp_path)
        assert done.returncode == 2 and "Traceback" not in done.stderr
    assert await invites(deps) == []


async def test_revoking_a_role_makes_them_a_resident_again(
    deps: Deps, db_url: str, tmp_path: Path
) -> None:
    payload = invite_by_cli(db_url, tmp_path, "--role", "pcso", "--community", "Tarvin")
    sam = Resident(deps, SAM, name="Sam")
    await sam.send(f"/start {payload}")
    used = chinwag(["staff", "revoke", "--invite", "1"], db_url, tmp_path)
    assert used.returncode == 2 and "already used by Sam" in used.stderr

    taken = chinwag(["staff", "revoke", "--telegram-id", str(SAM)], db_url, tmp_path)
    assert taken.returncode == 0, taken.stderr
    assert "resident again (was pcso, community Tarvin)" in taken.stdout
    gone = await user(deps, SAM)
    assert (gone.role, gone.role_lpu_id, gone.role_community_id) == ("resident", None, None)
    await sam.send("/organise")
    assert "only for event organisers" in sam.text
    again = chinwag(["staff", "revoke", "--telegram-id", str(SAM)], db_url, tmp_path)
    assert again.returncode == 0 and "no role to take away" in again.stdout


async def test_someone_already_staff_gets_the_new_role_and_is_told(deps: Deps) -> None:
    await grant(deps, SAM, "pcso", community="Tarvin")
    chester = await named(deps, Lpu, "Chester")
    assert isinstance(chester, Lpu) and chester.id is not None
    payload = await new_invite(deps, "inspector", lpu_id=chester.id)
    sam = Resident(deps, SAM, name="Sam")
    await sam.send(f"/start {payload}")
    assert "You already had a role (PCSO, Tarvin, in the Chester LPU)" in sam.text
    assert "Your role: inspector" in sam.text and "Your area: the Chester LPU" in sam.text
    assert "start action groups" in sam.text
    promoted = await user(deps, SAM)
    assert (promoted.role, promoted.role_lpu_id, promoted.role_community_id) == (
        "inspector",
        chester.id,
        None,
    )


# -- two at once -------------------------------------------------------------------------


async def test_two_people_opening_one_link_at_once_only_one_joins(deps: Deps) -> None:
    payload = await new_invite(deps, "organiser")
    people = [Resident(deps, SAM + n, name=f"P{n}") for n in range(2)]
    await asyncio.gather(*(p.send(f"/start {payload}") for p in people))
    roles = sorted([(await user(deps, SAM + n)).role for n in range(2)])
    assert roles == ["organiser", "resident"]
    assert sum("Welcome to the team" in p.text for p in people) == 1
    assert sum(NOT_WORKING in p.text for p in people) == 1
    [invite] = await invites(deps)
    winner = next(p for p in people if "Welcome" in p.text)
    assert invite.used_by_id == (await user(deps, winner.sender.telegram_id)).id


async def test_two_workers_that_both_read_it_valid_cannot_both_use_it(deps: Deps) -> None:
    payload = await new_invite(deps, "organiser")
    token = payload.removeprefix("staff-")
    async with deps.uow() as uow:
        one = await uow.users.add(User(telegram_id=SAM, chat_id=SAM))
        two = await uow.users.add(User(telegram_id=SAM + 1, chat_id=SAM + 1))
        await uow.commit()
    assert one.id is not None and two.id is not None
    first, second = deps.uow(), deps.uow()
    async with first, second:
        now = deps.clock()
        mine = await first.invites.find_valid(token, now)
        theirs = await second.invites.find_valid(token, now)
        assert mine is not None and theirs is not None  # both read it as unused
        assert await first.invites.use(mine, user_id=one.id, name="First", now=now)
        await first.commit()
        assert not await second.invites.use(theirs, user_id=two.id, name="Second", now=now)
        await second.commit()
    [invite] = await invites(deps)
    assert (invite.used_by_id, invite.used_by_name) == (one.id, "First")


# -- forged and replayed buttons ---------------------------------------------------------


async def test_forged_staff_buttons_are_refused_logged_and_change_nothing(
    app_deps_at_march: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    deps = app_deps_at_march
    org = await organiser(deps)
    await make_surgery(org)
    event = await one_row(deps, Event, Event.title == "Tarvin police surgery")
    await org.send("/organise")
    await org.press("New event")  # a real draft, waiting at "kind"
    draft = await one_row(deps, EventDraft)
    crewe = await named(deps, Lpu, "Crewe")
    assert isinstance(crewe, Lpu) and crewe.id is not None
    async with deps.uow() as uow:
        far_group = await uow.groups.add(ActionGroup(lpu_id=crewe.id, title="Crewe speeding"))
        await uow.commit()
    assert event.id and draft.id and far_group.id
    rita = await resident_in(deps, 5_000_000_401, "Rita")
    await grant(deps, 5_000_000_402, "pcso", community="Kelsall")
    kelsall_pcso = Resident(deps, 5_000_000_402, name="Kim")
    snapshot = await state(deps)

    forged = [
        (rita, DraftButton(draft.id, draft.step, DraftAction.KIND, "surgery"), "dr"),
        (rita, DraftButton(draft.id, "summary", DraftAction.SAVE), "dr"),
        (rita, Organiser(OrganiserAction.NEW), "og"),
        (rita, Organiser(OrganiserAction.NEW_GROUP), "og"),
        (rita, Organiser(OrganiserAction.CONFIRM_ONE, event.id), "og"),
        (rita, Organiser(OrganiserAction.WHO, event.id), "og"),
        (rita, GroupButton(GroupAction.JOIN, far_group.id), "ag"),
        (rita, PollButton(PollAction.AUDIENCE_EVENT, 0, event.id), "p"),
        (kelsall_pcso, Organiser(OrganiserAction.CONFIRM_ONE, event.id), "og"),
        (kelsall_pcso, Organiser(OrganiserAction.MOVE, event.id), "og"),
        (kelsall_pcso, PollButton(PollAction.AUDIENCE_EVENT, 0, event.id), "p"),
    ]
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        for who, payload, prefix in forged:
            caplog.clear()
            replies = await who.press_data(encode(payload))
            assert replies and isinstance(replies[0], Notice), payload
            assert "Tarvin police surgery" not in who.text
            [record] = refusals(caplog, "staff action refused")
            person = await user(deps, who.sender.telegram_id)
            assert record.levelno == logging.WARNING
            assert (record.user_id, record.role, record.payload) == (  # type: ignore[attr-defined]
                person.id,
                person.role,
                prefix,
            )
            assert record.action  # type: ignore[attr-defined]
        caplog.clear()
        await rita.send("/organise")
        [record] = refusals(caplog, "staff action refused")
        assert (record.action, record.payload) == ("organise", "/organise")  # type: ignore[attr-defined]

    assert await state(deps) == snapshot
    assert (await user(deps, 5_000_000_401)).role == "resident"


async def test_a_replayed_save_or_cancel_does_nothing_twice(app_deps_at_march: Deps) -> None:
    deps = app_deps_at_march
    org = await organiser(deps)
    await org.send("/organise")
    await org.press("New event")
    await org.press("Police surgery")
    await org.send("Tarvin police surgery")
    await org.send("next Tuesday 6pm")
    await org.press("Yes")
    await org.press("Just once")
    await org.send("Tarvin Community Centre")
    for _step in ("address", "location", "capacity", "accessibility", "description"):
        await org.send("skip")
    await org.press("Tarvin")
    assert "Check your event" in org.text
    save = org.find("Save").payload
    await org.press_data(save)
    assert "Saved" in org.text
    assert await all_rows(deps, EventDraft) == []  # the draft went with the save
    replies = await org.press_data(save)  # the same button again
    assert [r.text for r in replies if isinstance(r, Notice)] == [
        "That button is from an earlier message."
    ]
    events = await all_rows(deps, Event, Event.title == "Tarvin police surgery")
    assert len(events) == 1

    # A button from an earlier step of a draft that has moved on is refused, and the
    # draft is shown where it is.
    await org.send("/organise")
    await org.press("New event")
    kind_button = org.find("Police surgery").payload
    await org.press("Police surgery")
    draft = await one_row(deps, EventDraft)
    replies = await org.press_data(kind_button)
    assert isinstance(replies[0], Notice) and "earlier message" in replies[0].text
    assert len(replies) > 1  # the question the draft is on now, again
    same = await one_row(deps, EventDraft)
    assert (same.step, same.version, same.data) == (draft.step, draft.version, draft.data)

    # Cancelling an event twice tells the people coming once.
    await resident_in(deps, 5_000_000_501, "Rita")
    rita = await user(deps, 5_000_000_501)
    async with deps.uow() as uow:
        await uow.rsvps.put(events[0].id or 0, rita.id or 0, "going")
        await uow.commit()
    confirm = encode(Organiser(OrganiserAction.CONFIRM_ONE, events[0].id or 0))
    await org.press_data(confirm)
    assert "Cancelled" in org.text
    await org.press_data(confirm)
    assert isinstance(org.replies[0], Notice) and "has been cancelled" in org.replies[0].text
    notices = await all_rows(deps, Delivery, Delivery.kind == "event_notice")
    assert len(notices) == 1


# -- data rights -------------------------------------------------------------------------


async def test_mydata_lists_the_invitation_and_forget_erases_its_traces(deps: Deps) -> None:
    chester = await named(deps, Lpu, "Chester")
    assert isinstance(chester, Lpu) and chester.id is not None
    token = new_invite_token()
    async with deps.uow() as uow:
        await uow.invites.create(
            token,
            role="sergeant",
            lpu_id=chester.id,
            note="Zebedee Quill, new sergeant",
            created_by="cli",
            expires_at=deps.clock() + timedelta(hours=1),
        )
        await uow.commit()
    zeb = Resident(deps, 8_123_456_001, name="Zebedee", username="zeb_q")
    await zeb.send(f"/start {invite_payload(token)}")
    me = await user(deps, 8_123_456_001)
    async with deps.uow() as uow:
        uow.session.add(
            Broadcast(sender_id=me.id, sender_name="Zebedee", sender_role="sergeant", text="Hi")
        )
        await uow.commit()

    replies = await zeb.send("/mydata")
    document = next(r for r in replies if isinstance(r, Document))
    exported = json.loads(document.content)["staff_invitations_used"]
    assert exported == [
        {
            "invitation": 1,
            "role": "sergeant",
            "community": None,
            "used_at": exported[0]["used_at"],
            "recorded_as": "Zebedee @zeb_q",
        }
    ]
    assert exported[0]["used_at"]

    await zeb.send("/forget")
    await zeb.press("Yes, delete it")
    [invite] = await invites(deps)
    assert (invite.used_by_id, invite.used_by_name, invite.note) == (None, "", "")
    assert invite.used_at is not None and invite.role == "sergeant"  # the audit stays
    [broadcast] = await all_rows(deps, Broadcast)
    assert (broadcast.sender_id, broadcast.sender_name) == (None, "")
    assert await user_or_none(deps, 8_123_456_001) is None


# -- helpers -----------------------------------------------------------------------------


@pytest.fixture
def app_deps_at_march(deps: Deps) -> Deps:
    """The clock on Wednesday 4 March 2026, so "next Tuesday 6pm" is one date."""
    return dataclasses.replace(deps, clock=at(WEDNESDAY_4_MARCH))


async def all_rows(deps: Deps, model: type[M], *where: Where) -> list[M]:
    async with deps.uow() as uow:
        return list((await uow.session.exec(select(model).where(*where))).all())


async def one_row(deps: Deps, model: type[M], *where: Where) -> M:
    [row] = await all_rows(deps, model, *where)
    return row


async def user_or_none(deps: Deps, telegram_id: int) -> User | None:
    async with deps.uow() as uow:
        return await uow.users.by_telegram_id(telegram_id)


async def state(deps: Deps) -> dict[str, object]:
    """What a forged button could have changed."""

    def plain(rows: Sequence[SQLModel]) -> list[dict[str, object]]:
        return [r.model_dump() for r in rows]

    return {
        "events": plain(await all_rows(deps, Event)),
        "drafts": plain(await all_rows(deps, EventDraft)),
        "groups": plain(await all_rows(deps, ActionGroup)),
        "members": plain(await all_rows(deps, ActionGroupMember)),
        "polls": plain(await all_rows(deps, Poll)),
        "deliveries": plain(await all_rows(deps, Delivery)),
        "staff": sorted(
            (u.telegram_id, u.role, u.role_lpu_id, u.role_community_id)
            for u in await all_rows(deps, User)
            if u.role != "resident"
        ),
    }
