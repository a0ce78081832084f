"""Where the directory's buttons and typed messages go."""

from __future__ import annotations

from handlers.context import Context
from handlers.directory import area, edit, organise, resident, suggestions
from handlers.directory.buttons import DirectoryAction, DirectoryButton
from handlers.events.organise.access import refused_notice
from handlers.outbound import OutboundReply

Replies = list[OutboundReply]
_SUGGESTION_ACTIONS = frozenset(
    {
        DirectoryAction.SUGGESTIONS,
        DirectoryAction.VIEW,
        DirectoryAction.ACCEPT,
        DirectoryAction.LINK,
        DirectoryAction.DISMISS,
    }
)
_AREA_ACTIONS = frozenset(
    {DirectoryAction.AREA, DirectoryAction.SET_COMMUNITY, DirectoryAction.SET_LPU}
)


def organising(awaiting: str) -> bool:
    """An organiser's entry or edit was the last thing started: typed text goes there."""
    return awaiting.startswith((organise.DRAFT_PREFIX, edit.EDIT_PREFIX, area.PREFIX))


def awaits_text(awaiting: str) -> bool:
    return awaiting == resident.AWAITING or organising(awaiting)


async def on_text(ctx: Context, text: str) -> Replies:
    awaiting = ctx.user.awaiting
    if awaiting.startswith(area.PREFIX):
        item = awaiting.removeprefix(area.PREFIX)
        if item == "0":
            return await organise.on_area_text(ctx, text)
        return await edit.on_area_text(ctx, item, text)
    if awaiting.startswith(edit.EDIT_PREFIX):
        return await edit.on_text(ctx, awaiting.removeprefix(edit.EDIT_PREFIX), text)
    if awaiting.startswith(organise.DRAFT_PREFIX):
        return await organise.on_text(ctx, awaiting.removeprefix(organise.DRAFT_PREFIX), text)
    return await resident.on_text(ctx, text)


async def on_button(ctx: Context, press: DirectoryButton) -> Replies:
    shown = await resident.on_button(ctx, press)
    if shown is not None:
        return shown
    action = press.action
    if action in _SUGGESTION_ACTIONS:
        return await suggestions.on_press(ctx, action, press.item, press.target)
    if action in _AREA_ACTIONS:
        return await _on_area(ctx, press)
    if action is DirectoryAction.ORGANISE:
        return await organise.menu(ctx)
    if action is DirectoryAction.ADD:
        return await organise.add(ctx)
    if action is DirectoryAction.PICK:
        return await organise.pick_category(ctx, press.item)
    if action is DirectoryAction.SKIP:
        return await organise.skip(ctx)
    if action is DirectoryAction.EDIT:
        return await edit.choose(ctx, press.item)
    if action is DirectoryAction.FIELD:
        return await edit.ask(ctx, press.item, press.target)
    if action is DirectoryAction.RECATEGORISE:
        return await edit.ask_category(ctx, press.item)
    if action is DirectoryAction.SET_CATEGORY:
        return await edit.set_category(ctx, press.item, press.target)
    if action is DirectoryAction.RETIRE:
        return await organise.retire(ctx, press.item)
    return refused_notice(ctx, "directory button")


async def _on_area(ctx: Context, press: DirectoryButton) -> Replies:
    """An area button: for the person's draft (``item`` 0) or an entry being edited."""
    draft = press.item == 0
    if press.action is DirectoryAction.AREA:
        if draft:
            return await organise.ask_area(ctx, press.target)
        return await edit.ask_area(ctx, press.item, press.target)
    chosen = await area.pressed(ctx, press.action, press.target)
    if draft:
        return await organise.pick_area(ctx, chosen)
    return await edit.set_area(ctx, press.item, chosen)
