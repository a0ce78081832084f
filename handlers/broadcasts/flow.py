"""``/broadcast``: write to your followers, see it as they will, send now or later.

The draft is the ``broadcasts`` row itself (status ``draft``; ``step`` says what it
waits for: ``text``, ``preview``, ``when``, ``confirm``), so a restart or another
worker carries on where the sender was. Every press re-checks the stored role
(``audience.may_control``); preview buttons carry the draft's ``version``, so a
button from an older preview, or one pressed twice, is refused and logged.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from handlers.broadcasts import service
from handlers.broadcasts.audience import (
    Audience,
    audience_of,
    audiences,
    may_control,
    may_mark_urgent,
    may_send,
)
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.broadcasts.render import (
    TEXT_LIMIT,
    follower_replies,
    preview_controls,
    scheduled_text,
    stop_button,
)
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events.dates import Problem, parse_when
from handlers.events.organise.wording import long_when, problem_text
from handlers.i18n import _, _n
from handlers.markup import fmt
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.staff.guard import log_refused
from handlers.text_input import clean
from storage.models import Broadcast

Replies = list[OutboundReply]
AWAITING_PREFIX = "broadcast:"
EARLIEST_LATER = timedelta(minutes=2)


def awaited_id(awaiting: str) -> int | None:
    """The draft a typed message is for, from ``users.awaiting``."""
    rest = awaiting.removeprefix(AWAITING_PREFIX)
    return int(rest) if awaiting.startswith(AWAITING_PREFIX) and rest.isdigit() else None


def _await(ctx: Context, broadcast: Broadcast | None) -> None:
    ctx.user.awaiting = f"{AWAITING_PREFIX}{broadcast.id}" if broadcast else ""
    ctx.uow.session.add(ctx.user)


def _refused(ctx: Context, action: str) -> Replies:
    log_refused(ctx, f"broadcast {action}")
    return [Notice(text=_("You cannot do that."), alert=True)]


def _not_staff() -> Replies:
    return [
        Text(
            text=_(
                "Only neighbourhood policing teams and organisers can send messages "
                "to their followers."
            ),
            buttons=keyboard([home_button()]),
        )
    ]


async def _save(ctx: Context, broadcast: Broadcast, step: str) -> None:
    broadcast.step = step
    broadcast.version += 1
    ctx.uow.session.add(broadcast)
    await ctx.uow.session.flush()


# -- starting ----------------------------------------------------------------------


async def start(ctx: Context) -> Replies:
    places = await audiences(ctx.uow, ctx.user)
    if not places:
        if ctx.user.role != "resident":
            log_refused(ctx, "broadcast without an area")
        return _not_staff()
    draft = await ctx.uow.broadcasts.draft_of(ctx.user_id)
    if draft is not None and await may_control(ctx.uow, ctx.user, draft):
        return await _resume(ctx, draft)
    if len(places) == 1:
        return await _new_draft(ctx, places[0])
    rows = [
        [
            Button(
                place.name,
                encode(
                    BroadcastButton(
                        BroadcastAction.LPU if place.kind == "lpu" else BroadcastAction.COMMUNITY,
                        0,
                        place.id,
                    )
                ),
            )
        ]
        for place in places
    ]
    return [
        Text(
            text=_("<b>Who is your message for?</b>\n\nChoose the area whose followers get it."),
            buttons=keyboard(*rows, [home_button()]),
        )
    ]


async def _new_draft(ctx: Context, place: Audience) -> Replies:
    user = ctx.user
    name = user.first_name + (f" (@{user.username})" if user.username else "")
    draft = await ctx.uow.broadcasts.add(
        Broadcast(
            sender_id=user.id,
            sender_name=name[:200],
            sender_role=user.role,
            audience=place.kind,
            community_id=place.id if place.kind == "community" else None,
            lpu_id=place.id if place.kind == "lpu" else None,
            status="draft",
            step="text",
        )
    )
    return await _ask_text(ctx, draft, place)


async def _ask_text(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    _await(ctx, draft)
    count = await ctx.uow.broadcasts.count_recipients(draft)
    return [
        Text(
            text=fmt(
                _(
                    "✏️ <b>Write your message to the people who follow {audience}</b> "
                    "({count} now).\n\nKeep it short and plain. You can send a photo with "
                    "a caption instead, or add a location after. Send /cancel to stop."
                ),
                audience=place.name,
                count=count,
            )
        )
    ]


async def _resume(ctx: Context, draft: Broadcast) -> Replies:
    place = await audience_of(ctx.uow, draft)
    if place is None:
        return _not_staff()
    if draft.step == "text" or not draft.text:
        return await _ask_text(ctx, draft, place)
    if draft.step in ("when", "confirm"):
        return _ask_when(ctx, draft)
    return await _preview(ctx, draft, place)


async def _preview(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    _await(ctx, draft)  # while the preview shows, a new text replaces the message
    count = await ctx.uow.broadcasts.count_recipients(draft)
    intro = Text(text=_("👀 <b>This is how your message will look:</b>"))
    controls = preview_controls(draft, place, count, may_mark_urgent=may_mark_urgent(ctx.user))
    return [intro, *follower_replies(draft, place, None, ()), controls]


def _controls_edit(controls: Text) -> Edit:
    return Edit(text=controls.text, buttons=controls.buttons)


# -- what the sender types or shares ---------------------------------------------------


async def _own_draft(ctx: Context, broadcast_id: int | None) -> Broadcast | None:
    if broadcast_id is None:
        return None
    draft = await ctx.uow.broadcasts.get(broadcast_id)
    if draft is None or draft.status != "draft" or draft.sender_id != ctx.user_id:
        return None
    return draft


async def on_text(ctx: Context, broadcast_id: int, raw: str) -> Replies:
    draft = await _own_draft(ctx, broadcast_id)
    if draft is None:
        _await(ctx, None)
        return [
            Text(text=_("That message is no longer being written. Send /broadcast to start again."))
        ]
    place = await audience_of(ctx.uow, draft)
    if place is None or not await may_control(ctx.uow, ctx.user, draft):
        _await(ctx, None)
        return _refused(ctx, "text")
    if draft.step in ("when", "confirm"):
        return await _on_when(ctx, draft, raw)
    text = clean(raw)
    if not text:
        return [Text(text=_("Please write the message you want to send."))]
    if len(text) > TEXT_LIMIT:
        return [
            Text(
                text=fmt(
                    _(
                        "That is too long: please keep it under {limit} characters (it has {count})."
                    ),
                    limit=TEXT_LIMIT,
                    count=len(text),
                )
            )
        ]
    draft.text = text
    await _save(ctx, draft, "preview")
    return await _preview(ctx, draft, place)


async def _attach(
    ctx: Context,
    broadcast_id: int,
    what: str,
    attach: Callable[[Broadcast], None],
    ask_for_text: str,
) -> Replies:
    """Add a photo or a location to the sender's draft, then preview it (or ask for
    the text, if there is none yet)."""
    draft = await _own_draft(ctx, broadcast_id)
    if draft is None:
        _await(ctx, None)
        return [Text(text=_("That message is no longer being written."))]
    place = await audience_of(ctx.uow, draft)
    if place is None or not await may_control(ctx.uow, ctx.user, draft):
        return _refused(ctx, what)
    attach(draft)
    if not draft.text:
        await _save(ctx, draft, "text")
        return [Text(text=ask_for_text)]
    await _save(ctx, draft, "preview")
    return await _preview(ctx, draft, place)


async def on_photo(ctx: Context, broadcast_id: int, file_id: str, caption: str) -> Replies:
    """A photo goes with the message (its caption becomes the text, if there is none)."""

    def attach(draft: Broadcast) -> None:
        draft.photo = file_id[:200]
        text = clean(caption)
        if text and len(text) <= TEXT_LIMIT:
            draft.text = text

    ask = _("📷 Got the photo. Now write the text to go with it.")
    return await _attach(ctx, broadcast_id, "photo", attach, ask)


async def on_location(
    ctx: Context, broadcast_id: int, latitude: float, longitude: float
) -> Replies:
    """A location is pinned to the message (shown as a map after the text)."""

    def attach(draft: Broadcast) -> None:
        draft.latitude, draft.longitude = latitude, longitude

    ask = _("📍 Got the location. Now write the text to go with it.")
    return await _attach(ctx, broadcast_id, "location", attach, ask)


async def cancel(ctx: Context, broadcast_id: int) -> Replies:
    draft = await _own_draft(ctx, broadcast_id)
    _await(ctx, None)
    if draft is not None and draft.id is not None:
        await ctx.uow.broadcasts.discard(draft.id)
    return [
        Text(
            text=_("Your message was discarded. Nothing was sent."),
            buttons=keyboard([home_button()]),
        )
    ]


# -- sending later -------------------------------------------------------------------


def _ask_when(ctx: Context, draft: Broadcast) -> Replies:
    _await(ctx, draft)
    return [
        Text(
            text=_(
                "🕒 <b>When should it go?</b>\n\nFor example: <i>tomorrow 9am</i>, "
                "<i>Friday 18:00</i> or <i>2/12 10:30</i>. Send /cancel to stop."
            )
        )
    ]


async def _on_when(ctx: Context, draft: Broadcast, raw: str) -> Replies:
    tz = ctx.deps.timezone
    parsed = parse_when(clean(raw), ctx.now(), tz)
    if isinstance(parsed, Problem):
        return [Text(text=problem_text(parsed, tz))]
    if parsed.utc < ctx.now() + EARLIEST_LATER:
        return [
            Text(text=_("That is too soon. Choose a later time, or send it now from the preview."))
        ]
    draft.scheduled_for = parsed.utc
    await _save(ctx, draft, "confirm")
    assert draft.id is not None
    confirm = BroadcastButton(BroadcastAction.CONFIRM_LATER, draft.id, 0, draft.version)
    again = BroadcastButton(BroadcastAction.LATER, draft.id, 0, draft.version)
    back = BroadcastButton(BroadcastAction.EDIT, draft.id, 1, draft.version)
    return [
        Text(
            text=fmt(_("Send it on {when}?"), when=long_when(parsed.utc, tz)),
            buttons=keyboard(
                [Button(_("✅ Yes, send it then"), encode(confirm))],
                [Button(_("Choose another time"), encode(again))],
                [Button(_("Back to the preview"), encode(back))],
            ),
        )
    ]


# -- buttons -----------------------------------------------------------------------


async def on_button(ctx: Context, press: BroadcastButton) -> Replies:
    if press.action is BroadcastAction.START:
        return await start(ctx)
    if press.action in (BroadcastAction.COMMUNITY, BroadcastAction.LPU):
        kind = "lpu" if press.action is BroadcastAction.LPU else "community"
        place = await may_send(ctx.uow, ctx.user, kind, press.target)
        if place is None:
            return _refused(ctx, "audience")
        return await _new_draft(ctx, place)
    broadcast = await ctx.uow.broadcasts.get(press.broadcast)
    if broadcast is None:
        return [Notice(text=_("That message is gone."))]
    if not await may_control(ctx.uow, ctx.user, broadcast):
        return _refused(ctx, press.action.value)
    if press.action is BroadcastAction.STOP:
        return await _stop(ctx, broadcast)
    if broadcast.status != "draft" or press.version != broadcast.version:
        log_refused(ctx, f"broadcast {press.action.value} from an old button")
        return [Notice(text=_("That button is out of date."), alert=True)]
    place = await audience_of(ctx.uow, broadcast)
    if place is None:
        return _refused(ctx, "audience gone")
    return await _on_draft_button(ctx, broadcast, place, press)


async def _on_draft_button(
    ctx: Context, draft: Broadcast, place: Audience, press: BroadcastButton
) -> Replies:
    action = press.action
    if action is BroadcastAction.SEND:
        return await _send(ctx, draft, place)
    if action is BroadcastAction.LATER:
        await _save(ctx, draft, "when")
        return _ask_when(ctx, draft)
    if action is BroadcastAction.CONFIRM_LATER:
        return await _confirm_later(ctx, draft, place)
    if action is BroadcastAction.URGENT:
        if not may_mark_urgent(ctx.user):
            return _refused(ctx, "urgent")
        draft.urgent = not draft.urgent
        await _save(ctx, draft, "preview")
        count = await ctx.uow.broadcasts.count_recipients(draft)
        controls = preview_controls(draft, place, count, may_mark_urgent=True)
        return [_controls_edit(controls)]
    if action is BroadcastAction.NO_LOCATION:
        draft.latitude = draft.longitude = None
        await _save(ctx, draft, "preview")
        return await _preview(ctx, draft, place)
    if action is BroadcastAction.EDIT:
        if press.target == 1 and draft.text:  # back to the preview from "when"
            draft.scheduled_for = None
            await _save(ctx, draft, "preview")
            return await _preview(ctx, draft, place)
        await _save(ctx, draft, "text")
        return await _ask_text(ctx, draft, place)
    assert action is BroadcastAction.DISCARD
    assert draft.id is not None
    await ctx.uow.broadcasts.discard(draft.id)
    _await(ctx, None)
    return [Edit(text=_("Your message was discarded. Nothing was sent."))]


async def _send(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    assert draft.id is not None
    if not draft.text:
        return [Notice(text=_("Write the message first."), alert=True)]
    if await ctx.uow.broadcasts.count_recipients(draft) == 0:
        return [
            Notice(
                text=_("Nobody follows this area yet, so there is nobody to send to."), alert=True
            )
        ]
    queued = await service.send_now(ctx.uow, draft.id, ctx.now())
    if queued == 0:
        return [Notice(text=_("That message has already gone."), alert=True)]
    _remember_status_message(ctx, draft)
    _await(ctx, None)
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    text = fmt(
        _n("📣 <b>Sending to {count} person…</b>", "📣 <b>Sending to {count} people…</b>", queued),
        count=queued,
    )
    return [
        Notice(text=_("Sending now.")),
        Edit(text=text, buttons=stop_button(draft, _("⏹ Stop sending"))),
    ]


async def _confirm_later(ctx: Context, draft: Broadcast, place: Audience) -> Replies:
    if draft.scheduled_for is None or draft.step != "confirm":
        return [Notice(text=_("That button is out of date."), alert=True)]
    if draft.scheduled_for < ctx.now() + EARLIEST_LATER:
        return [Notice(text=_("That time has passed. Choose another."), alert=True)]
    await service.schedule(ctx.uow, draft, draft.scheduled_for)
    _remember_status_message(ctx, draft)
    _await(ctx, None)
    return [
        Edit(
            text=scheduled_text(draft, place, ctx.deps.timezone),
            buttons=stop_button(draft, _("✖ Cancel it")),
        )
    ]


def _remember_status_message(ctx: Context, broadcast: Broadcast) -> None:
    """The message the button was on becomes the live status message."""
    broadcast.status_chat_id = ctx.event.sender.chat_id
    broadcast.status_message_id = ctx.event.message_id
    ctx.uow.session.add(broadcast)


async def _stop(ctx: Context, broadcast: Broadcast) -> Replies:
    if broadcast.status not in ("sending", "scheduled"):
        return [Notice(text=_("That message has already gone."))]
    was_scheduled = broadcast.status == "scheduled"
    await service.stop(ctx.uow, broadcast, ctx.now())
    if ctx.deps.wake is not None:
        ctx.deps.wake()  # the dispatcher's progress report writes the summary
    if was_scheduled:
        return [Notice(text=_("Cancelled.")), Edit(text=_("✖ Cancelled. Nothing was sent."))]
    return [Notice(text=_("Stopping.")), Edit(text=_("⏹ Stopping…"))]
