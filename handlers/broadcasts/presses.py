"""The sender's buttons: choose the audience, send now, later, urgent, stop.

Preview buttons carry the draft's ``version``: a button from an older preview, or
one pressed twice, is refused and logged; every press re-checks the stored role.
"""

from __future__ import annotations

from handlers.broadcasts import service
from handlers.broadcasts.audience import (
    Audience,
    audience_of,
    may_control,
    may_mark_urgent,
    may_send,
)
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton
from handlers.broadcasts.drafts import (
    ask_text,
    controls_edit,
    preview,
    refused,
    remember_status_message,
    save,
    set_awaiting,
)
from handlers.broadcasts.flow import new_draft, start
from handlers.broadcasts.later import ask_when, confirm_later
from handlers.broadcasts.render import (
    preview_controls,
    stop_button,
)
from handlers.context import Context
from handlers.i18n import _, _n
from handlers.markup import fmt
from handlers.outbound import Edit, Notice, OutboundReply
from handlers.staff.guard import log_refused
from storage.models import Broadcast

Replies = list[OutboundReply]


async def on_button(ctx: Context, press: BroadcastButton) -> Replies:
    if press.action is BroadcastAction.START:
        return await start(ctx)
    if press.action in (BroadcastAction.COMMUNITY, BroadcastAction.LPU):
        kind = "lpu" if press.action is BroadcastAction.LPU else "community"
        place = await may_send(ctx.uow, ctx.user, kind, press.target)
        if place is None:
            return refused(ctx, "audience")
        return await new_draft(ctx, place)
    broadcast = await ctx.uow.broadcasts.get(press.broadcast)
    if broadcast is None:
        return [Notice(text=_("That message is gone."))]
    if not await may_control(ctx.uow, ctx.user, broadcast):
        return refused(ctx, press.action.value)
    if press.action is BroadcastAction.STOP:
        return await _stop(ctx, broadcast)
    if broadcast.status != "draft" or press.version != broadcast.version:
        log_refused(ctx, f"broadcast {press.action.value} from an old button")
        return [Notice(text=_("That button is out of date."), alert=True)]
    place = await audience_of(ctx.uow, broadcast)
    if place is None:
        return refused(ctx, "audience gone")
    return await _on_draft_button(ctx, broadcast, place, press)


async def _on_draft_button(
    ctx: Context, draft: Broadcast, place: Audience, press: BroadcastButton
) -> Replies:
    action = press.action
    if action is BroadcastAction.SEND:
        return await _send(ctx, draft, place)
    if action is BroadcastAction.LATER:
        await save(ctx, draft, "when")
        return ask_when(ctx, draft)
    if action is BroadcastAction.CONFIRM_LATER:
        return await confirm_later(ctx, draft, place)
    if action is BroadcastAction.URGENT:
        if not may_mark_urgent(ctx.user):
            return refused(ctx, "urgent")
        draft.urgent = not draft.urgent
        await save(ctx, draft, "preview")
        count = await ctx.uow.broadcasts.count_recipients(draft)
        controls = preview_controls(draft, place, count, may_mark_urgent=True)
        return [controls_edit(controls)]
    if action is BroadcastAction.NO_LOCATION:
        draft.latitude = draft.longitude = None
        await save(ctx, draft, "preview")
        return await preview(ctx, draft, place)
    if action is BroadcastAction.EDIT:
        if press.target == 1 and draft.text:  # back to the preview from "when"
            draft.scheduled_for = None
            await save(ctx, draft, "preview")
            return await preview(ctx, draft, place)
        await save(ctx, draft, "text")
        return await ask_text(ctx, draft, place)
    assert action is BroadcastAction.DISCARD
    assert draft.id is not None
    await ctx.uow.broadcasts.discard(draft.id)
    set_awaiting(ctx, None)
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
    queued = await service.send_now(ctx.uow, draft.id, ctx.now(), version=draft.version)
    if queued == 0:
        await ctx.uow.session.refresh(draft)
        if draft.status == "draft":  # changed at the same moment (a new text came in)
            return [Notice(text=_("That button is out of date."), alert=True)]
        return [Notice(text=_("That message has already gone."), alert=True)]
    remember_status_message(ctx, draft)
    set_awaiting(ctx, None)
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
