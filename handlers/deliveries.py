"""What a delivery row says, at the moment it is sent: a registry of composers.

A row of the ``deliveries`` table (``storage.models.Delivery``) is one message to
one person, due at a time. Its ``kind`` names a *composer*: an async function that
turns the row into replies, in the recipient's language, when the row is sent (not
when it was scheduled), so a reminder shows the event as it is now. A composer
returns ``None`` when the row has become obsolete (the event was cancelled or
moved, the resident said they cannot go): the dispatcher then records it as
``cancelled`` and sends nothing.

Composers read; they do not write (their unit of work is never committed). A kind
that needs to remember what was sent (a poll's Telegram id, say) registers an
``after_sent`` hook, which runs in the transaction that records the row as sent.

Three more hooks let features take part in a dispatcher run without the
dispatcher knowing them:

- ``before_run``: work that turns into rows, run (and committed) before each run
  claims anything, e.g. a scheduled broadcast whose time has come is fanned out;
- ``hold``: a row may be held back for a while (quiet hours): the hook returns when
  it may go, and the dispatcher puts it back as pending until then;
- ``progress``: replies about the run itself (a broadcast's status message, edited),
  asked for every few seconds during a run and once at its end.

This module is framework-neutral: the dispatcher (``bot.dispatcher``) sends the
replies through whichever transport is running.
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.context import Deps
from handlers.i18n import use_locale
from handlers.language import bidi
from handlers.outbound import Button, Keyboard, OutboundReply, Text
from storage.models import Delivery, User
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

Composer = Callable[
    [Deps, UnitOfWork, Delivery, User | None], Awaitable[list[OutboundReply] | None]
]


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One message the Bot API accepted for a delivery (``poll_id`` for a poll)."""

    message_id: int
    poll_id: str | None = None


AfterSent = Callable[[Deps, UnitOfWork, Delivery, tuple[SentMessage, ...]], Awaitable[None]]
BeforeRun = Callable[[Deps, UnitOfWork, datetime], Awaitable[int]]
Hold = Callable[[Deps, UnitOfWork, Delivery, datetime], Awaitable[datetime | None]]
Progress = Callable[[Deps, UnitOfWork, datetime, bool], Awaitable[list[OutboundReply]]]

_composers: dict[str, Composer] = {}
_after_sent: dict[str, AfterSent] = {}
_before_run: dict[str, BeforeRun] = {}
_holds: dict[str, Hold] = {}
_progress: dict[str, Progress] = {}

# Modules of other features that register composers when imported. They are
# imported here by name (``load_composers``), not with ``import`` statements, so
# that this module does not depend on them and a feature not yet written (or left
# out of a deployment) is simply absent.
COMPOSER_MODULES = (
    "handlers.events.reminders",
    "handlers.events.polls",
    "handlers.broadcasts.delivery",
    "handlers.quiet_hours",
    "handlers.surgeries",
    "handlers.reports.loop",
)


class UnknownKind(LookupError):
    """No composer is registered for a delivery's kind."""


def composer(kind: str) -> Callable[[Composer], Composer]:
    """Register the decorated function as the composer of ``kind`` rows."""

    def register(function: Composer) -> Composer:
        _composers[kind] = function
        return function

    return register


def after_sent(kind: str) -> Callable[[AfterSent], AfterSent]:
    """Register a hook run after a ``kind`` row was sent, before it is recorded as sent."""

    def register(function: AfterSent) -> AfterSent:
        _after_sent[kind] = function
        return function

    return register


def before_run(name: str) -> Callable[[BeforeRun], BeforeRun]:
    """Register work to do before each dispatcher run (returns how many rows it made)."""

    def register(function: BeforeRun) -> BeforeRun:
        _before_run[name] = function
        return function

    return register


def hold(name: str) -> Callable[[Hold], Hold]:
    """Register a rule that may hold a due row back: it returns when the row may go."""

    def register(function: Hold) -> Hold:
        _holds[name] = function
        return function

    return register


def progress(name: str) -> Callable[[Progress], Progress]:
    """Register replies about a run in progress (``final`` is true at the run's end)."""

    def register(function: Progress) -> Progress:
        _progress[name] = function
        return function

    return register


def registered_kinds() -> frozenset[str]:
    return frozenset(_composers)


def load_composers() -> list[str]:
    """Import the feature modules that register composers; returns those found.

    Called once by the composition root. A module that does not exist is skipped;
    one that exists but fails to import raises, as any other bug would.
    """
    loaded: list[str] = []
    for name in COMPOSER_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:  # the module exists, but something it imports does not
                raise
            continue
        loaded.append(name)
    return loaded


async def compose(deps: Deps, uow: UnitOfWork, delivery: Delivery) -> list[OutboundReply] | None:
    """The replies for ``delivery`` in its recipient's language, or ``None``: obsolete.

    Raises ``UnknownKind`` when no composer is registered for the row's kind.
    """
    function = _composers.get(delivery.kind)
    if function is None:
        raise UnknownKind(delivery.kind)
    user: User | None = None
    if delivery.user_id is not None:
        user = await uow.users.get(delivery.user_id)
        if user is None:
            return None  # the recipient is gone (asked to be forgotten)
    language = user.language if user is not None else deps.default_locale
    with use_locale(language):
        replies = await function(deps, uow, delivery, user)
    return None if replies is None else bidi.for_language(replies, language)


async def record_sent(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, sent: tuple[SentMessage, ...]
) -> None:
    """Run the kind's ``after_sent`` hook, if it has one (in the caller's transaction)."""
    hook = _after_sent.get(delivery.kind)
    if hook is not None:
        await hook(deps, uow, delivery, sent)


async def run_before(deps: Deps, uow: UnitOfWork, now: datetime) -> int:
    """Run every ``before_run`` hook in the caller's transaction; rows made in all."""
    made = 0
    for function in _before_run.values():
        made += await function(deps, uow, now)
    return made


async def held_until(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, now: datetime
) -> datetime | None:
    """The latest moment any ``hold`` rule asks ``delivery`` to wait for, or ``None``."""
    until: datetime | None = None
    for function in _holds.values():
        moment = await function(deps, uow, delivery, now)
        if moment is not None and moment > now and (until is None or moment > until):
            until = moment
    return until


async def progress_replies(
    deps: Deps, uow: UnitOfWork, now: datetime, *, final: bool
) -> list[OutboundReply]:
    """What every ``progress`` hook wants to say about the run (the caller commits)."""
    replies: list[OutboundReply] = []
    for function in _progress.values():
        replies.extend(await function(deps, uow, now, final))
    return replies


# -- the built-in kind "message" ----------------------------------------------


def message_payload(text: str, buttons: Keyboard = ()) -> str:
    """The payload of a ``message`` row: HTML text (already translated) and buttons."""
    rows = [
        [{"label": b.label, "payload": b.payload, **({"url": b.url} if b.url else {})} for b in row]
        for row in buttons
    ]
    return json.dumps({"text": text, "buttons": rows}, ensure_ascii=False)


def _buttons(rows: Any) -> Keyboard:
    if not isinstance(rows, list):
        return ()
    keyboard: list[tuple[Button, ...]] = []
    for row in rows:
        if not isinstance(row, list):
            continue
        buttons = tuple(
            Button(
                label=str(b.get("label", "")),
                payload=str(b.get("payload", "")),
                url=str(b["url"]) if b.get("url") else None,
            )
            for b in row
            if isinstance(b, dict) and b.get("label")
        )
        if buttons:
            keyboard.append(buttons)
    return tuple(keyboard)


@composer("message")
async def message(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    """Send the payload as it is: ``{"text": "<html>", "buttons": [[{"label", "payload"}]]}``."""
    data = json.loads(delivery.payload or "{}")
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"delivery {delivery.id}: a message payload needs a text")
    return [Text(chat_id=delivery.chat_id, text=text, buttons=_buttons(data.get("buttons")))]
