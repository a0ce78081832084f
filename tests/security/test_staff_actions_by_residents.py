"""Every staff command and every staff button, sent by a resident, is refused.

The buttons name real rows (``tests.security.world.seed``): an event, polls, a
broadcast, a "you said, we did" draft, directory entries and suggestions, pots and
an application. For each, the resident gets a refusal that Telegram would show,
nothing at all changes in the database (the resident's own row included: no
half-started flow is left waiting for their text), and the refusal is logged at
WARNING as ``staff action refused`` with the payload's prefix and never its values.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.bootstrap import App
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.callbacks import (
    DraftAction,
    DraftButton,
    Organiser,
    OrganiserAction,
    PollAction,
    PollButton,
)
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.funding.buttons import FundingAction, FundingButton
from handlers.payloads import encode
from handlers.reports.buttons import LoopAction, LoopButton
from tests.property.support import check_reply
from tests.security.world import World, changed, fingerprint, seed
from tests.support.resident import Resident

RESIDENT = 7_700_000_100
STAFF_COMMANDS = [
    "organise",
    "organize",
    "broadcast",
    "poll",
    "report",
    "report csv",
    "wedid",
    "dashboard",
]

# The directory and funding payloads also carry residents' own actions (browse,
# search, apply, answer): only the staff ones are listed here.
STAFF_DIRECTORY = [
    DirectoryAction.ORGANISE,
    DirectoryAction.ADD,
    DirectoryAction.PICK,
    DirectoryAction.RETIRE,
    DirectoryAction.EDIT,
    DirectoryAction.FIELD,
    DirectoryAction.RECATEGORISE,
    DirectoryAction.SET_CATEGORY,
    DirectoryAction.SUGGESTIONS,
    DirectoryAction.ACCEPT,
    DirectoryAction.LINK,
    DirectoryAction.DISMISS,
    DirectoryAction.VIEW,
    DirectoryAction.SKIP,
    DirectoryAction.AREA,
    DirectoryAction.SET_COMMUNITY,
    DirectoryAction.SET_LPU,
]
STAFF_FUNDING = [
    FundingAction.REVIEW,
    FundingAction.OPEN,
    FundingAction.APPROVE,
    FundingAction.AMOUNT,
    FundingAction.DECLINE,
    FundingAction.ASK,
    FundingAction.NEW_POT,
    FundingAction.OPEN_POT,
    FundingAction.DROP_POT,
]
RESIDENTS_DIRECTORY = [
    DirectoryAction.HOME,
    DirectoryAction.CATEGORY,
    DirectoryAction.ENTRY,
    DirectoryAction.SEARCH,
]
RESIDENTS_FUNDING = [
    FundingAction.HOME,
    FundingAction.POT,
    FundingAction.APPLY,
    FundingAction.RESUME,
    FundingAction.SUBMIT,
    FundingAction.LATER,
    FundingAction.ANSWER,
]


@pytest.mark.parametrize(
    ("kind", "staff", "residents"),
    [
        (DirectoryAction, STAFF_DIRECTORY, RESIDENTS_DIRECTORY),
        (FundingAction, STAFF_FUNDING, RESIDENTS_FUNDING),
    ],
)
def test_every_action_is_listed_as_staff_or_residents(
    kind: type[DirectoryAction] | type[FundingAction],
    staff: list[Any],
    residents: list[Any],
) -> None:
    # A new action must be placed here: a staff one is then tried by a resident below.
    assert sorted(staff + residents) == sorted(kind)
    assert not set(staff) & set(residents)


def _organiser(action: OrganiserAction, w: World) -> Any:
    return Organiser(action, w.event)


def _draft(action: DraftAction, w: World) -> Any:
    return DraftButton(w.event_draft, "title", action, "surgery")


def _poll(action: PollAction, w: World) -> Any:
    poll = (
        w.open_poll
        if action in (PollAction.RESULTS, PollAction.CLOSE, PollAction.EXPORT)
        else w.draft_poll
    )
    target = w.group if action is PollAction.AUDIENCE_GROUP else w.event
    return PollButton(action, poll, target)


def _broadcast(action: BroadcastAction, w: World) -> Any:
    target = w.community_id if action is BroadcastAction.COMMUNITY else w.lpu_id
    return BroadcastButton(action, w.broadcast, target, 1)


def _loop(action: LoopAction, w: World) -> Any:
    target = {LoopAction.GROUP: w.group, LoopAction.THEME: 0}.get(action, w.loop_update)
    return LoopButton(action, target)


def _directory(action: DirectoryAction, w: World) -> Any:
    item = (
        w.suggestion
        if action
        in (
            DirectoryAction.ACCEPT,
            DirectoryAction.LINK,
            DirectoryAction.DISMISS,
            DirectoryAction.VIEW,
        )
        else w.entry
    )
    return DirectoryButton(action, item, w.entry if action is DirectoryAction.LINK else 1)


def _funding(action: FundingAction, w: World) -> Any:
    target = {
        FundingAction.NEW_POT: w.lpu_id,
        FundingAction.OPEN_POT: w.draft_pot,
        FundingAction.DROP_POT: w.draft_pot,
    }.get(action, w.application)
    return FundingButton(action, target, 1)


BUTTONS: list[tuple[str, Callable[[Any, World], Any], Any]] = [
    *[(f"og:{a.value}", _organiser, a) for a in OrganiserAction],
    *[(f"dr:{a.value}", _draft, a) for a in DraftAction],
    *[(f"p:{a.value}", _poll, a) for a in PollAction],
    *[(f"bc:{a.value}", _broadcast, a) for a in BroadcastAction],
    *[(f"yw:{a.value}", _loop, a) for a in LoopAction],
    *[(f"dy:{a.value}", _directory, a) for a in STAFF_DIRECTORY],
    *[(f"fd:{a.value}", _funding, a) for a in STAFF_FUNDING],
]


@pytest.fixture
async def world(app: App) -> World:
    return await seed(app.deps)


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == "staff action refused"]


async def _resident(app: App) -> Resident:
    resident = Resident(app.deps, RESIDENT, "Rae")
    await resident.send("/start")
    return resident


@pytest.mark.parametrize("command", STAFF_COMMANDS)
async def test_a_staff_command_from_a_resident_is_refused_and_logged(
    app: App, world: World, command: str, caplog: pytest.LogCaptureFixture
) -> None:
    resident = await _resident(app)
    before = await fingerprint(app.deps)
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        replies = await resident.send("/" + command)
    assert replies, "a refusal says so"
    for reply in replies:
        check_reply(reply)
    assert changed(before, await fingerprint(app.deps)) == {}
    [record] = refusals(caplog)
    assert record.role == "resident"  # type: ignore[attr-defined]
    assert record.payload == "/" + command.split()[0]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("name", "build", "action"), BUTTONS, ids=[b[0] for b in BUTTONS])
async def test_a_staff_button_from_a_resident_is_refused_and_logged(
    app: App,
    world: World,
    name: str,
    build: Callable[[Any, World], Any],
    action: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    resident = await _resident(app)
    data = encode(build(action, world))
    before = await fingerprint(app.deps)
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        replies = await resident.press_data(data)
    assert replies, "a refusal says so"
    for reply in replies:
        check_reply(reply)
    assert changed(before, await fingerprint(app.deps)) == {}
    logged = refusals(caplog)
    assert logged, f"{data} was refused without a log line"
    prefix = data.split(":")[0]
    assert all(r.payload == prefix for r in logged)  # type: ignore[attr-defined]
    assert all(data not in r.getMessage() for r in caplog.records)
