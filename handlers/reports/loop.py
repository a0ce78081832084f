"""Closing the loop ("you said, we did"): ``/wedid`` tells residents what was done.

An organiser picks one of the top themes residents raised in their area, or one
of their action groups, writes what was done, sees how many people it goes to,
and sends it. A theme's update goes to everyone who took part in the LPU's
Community Conversation (the whole force for an admin or force-wide organiser); a
group's to its members. Each copy goes through the delivery engine (held during
quiet hours) and the update appears in the next report. Every step re-reads the
stored role.
"""

from __future__ import annotations

import json

from handlers.context import Context, Deps
from handlers.deliveries import composer
from handlers.i18n import _, _n
from handlers.markup import cut_utf16, escape, fmt
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.reports.build import free_text_by_person
from handlers.reports.buttons import LoopAction, LoopButton
from handlers.reports.themes import themes
from handlers.roles import can_manage_group, everywhere, is_staff
from handlers.staff.guard import log_refused
from handlers.text_input import clean
from storage.models import Delivery, LoopUpdate, User
from storage.repositories.reports import ReportScope
from storage.uow import UnitOfWork

Replies = list[OutboundReply]
AWAITING_PREFIX = "wedid:"
THEMES = 6
MAX_TEXT = 2000


def _b(label: str, action: LoopAction, target: int = 0) -> Button:
    return Button(cut_utf16(label, 60), encode(LoopButton(action, target)))


async def _area(ctx: Context) -> tuple[bool, int | None]:
    """Whether the stored role has an area, and its LPU (``None``: the whole force)."""
    user = ctx.user
    if everywhere(user):
        return True, None
    if user.role in ("organiser", "sergeant", "inspector") and user.role_lpu_id is not None:
        return True, user.role_lpu_id
    if user.role in ("pcso", "officer") and user.role_community_id is not None:
        community = await ctx.uow.communities.get(user.role_community_id)
        if community is not None:
            return True, community.lpu_id
    return False, None


async def _themes(ctx: Context, lpu_id: int | None) -> list[str]:
    rows = await ctx.uow.reports.answers(ReportScope(lpu_id=lpu_id), "resident")
    return [t.phrase for t in themes(free_text_by_person(rows), THEMES)]


def _refused(ctx: Context, what: str) -> Replies:
    log_refused(ctx, what)
    return [Notice(text=_("You cannot do that."), alert=True)]


def render(update: LoopUpdate) -> str:
    """The update as residents get it (in the current locale)."""
    return "\n\n".join(
        [
            _("📣 <b>You said, we did</b>"),
            fmt(_("About: <b>{theme}</b>"), theme=update.theme),
            escape(update.text),
        ]
    )


async def start(ctx: Context) -> Replies:
    if not is_staff(ctx.user):
        log_refused(ctx, "wedid")
        return [Text(text=_("Only organisers and policing teams can post these updates."))]
    has_area, lpu_id = await _area(ctx)
    if not has_area:
        log_refused(ctx, "wedid")
        return [Text(text=_("Your role has no area yet, so there is nobody to tell."))]
    rows = [[_b(f"💬 {t}", LoopAction.THEME, i)] for i, t in enumerate(await _themes(ctx, lpu_id))]
    groups = await (ctx.uow.groups.in_lpu(lpu_id) if lpu_id else ctx.uow.groups.all_open())
    rows += [
        [_b(f"🤝 {g.title}", LoopAction.GROUP, g.id)]
        for g in groups
        if g.id is not None and can_manage_group(ctx.user, g)
    ]
    if not rows:
        return [Text(text=_("There are no themes or action groups to write about yet."))]
    return [
        Text(
            text=_(
                "📣 <b>You said, we did</b>\n\nTell residents what was done about what they "
                "said. Which theme or action group is it about?"
            ),
            buttons=keyboard(*rows[:20]),
        )
    ]


async def _draft(ctx: Context, update: LoopUpdate) -> Replies:
    await ctx.uow.loop_updates.add(update)
    ctx.user.awaiting = f"{AWAITING_PREFIX}{update.id}"
    ctx.uow.session.add(ctx.user)
    return [
        Text(
            text=fmt(
                _("About: <b>{theme}</b>\n\nNow send what was done, in a few sentences."),
                theme=update.theme,
            )
        )
    ]


async def _preview(ctx: Context, update: LoopUpdate) -> Text:
    assert update.id is not None
    count = await ctx.uow.loop_updates.count_recipients(update)
    goes = _n("It will go to {n} person.", "It will go to {n} people.", count).format(n=count)
    return Text(
        text=f"{render(update)}\n\n<i>{goes}</i>",
        buttons=keyboard(
            [
                _b(_("📨 Send"), LoopAction.SEND, update.id),
                _b(_("✖️ Discard"), LoopAction.DISCARD, update.id),
            ]
        ),
    )


async def on_text(ctx: Context, update_id: int, raw: str) -> Replies:
    update = await ctx.uow.loop_updates.get(update_id)
    if (
        update is None
        or update.status != "draft"
        or update.author_id != ctx.user_id
        or not is_staff(ctx.user)
    ):
        ctx.user.awaiting = ""
        ctx.uow.session.add(ctx.user)
        return [Text(text=_("That update is no longer being written. Send /wedid to start again."))]
    text = clean(raw)
    if not text or len(text) > MAX_TEXT:
        return [Text(text=fmt(_("Please send between 1 and {limit} characters."), limit=MAX_TEXT))]
    update.text = text
    ctx.uow.session.add(update)
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    return [await _preview(ctx, update)]


async def on_button(ctx: Context, press: LoopButton) -> Replies:
    if not is_staff(ctx.user):
        return _refused(ctx, f"wedid {press.action.value}")
    has_area, lpu_id = await _area(ctx)
    if press.action is LoopAction.THEME:
        found = await _themes(ctx, lpu_id) if has_area else []
        if not 0 <= press.target < len(found):
            return _refused(ctx, "wedid theme")
        row = LoopUpdate(lpu_id=lpu_id, theme=found[press.target], author_id=ctx.user_id)
        return await _draft(ctx, row)
    if press.action is LoopAction.GROUP:
        group = await ctx.uow.groups.get(press.target)
        if group is None or not can_manage_group(ctx.user, group):
            return _refused(ctx, "wedid group")
        row = LoopUpdate(
            lpu_id=group.lpu_id,
            action_group_id=group.id,
            theme=group.title,
            author_id=ctx.user_id,
        )
        return await _draft(ctx, row)
    update = await ctx.uow.loop_updates.get(press.target)
    if update is None or update.author_id != ctx.user_id or update.status != "draft":
        return _refused(ctx, f"wedid {press.action.value}")
    if press.action is LoopAction.DISCARD:
        update.status = "discarded"
        ctx.uow.session.add(update)
        return [Edit(text=_("Update discarded."))]
    if not update.text:
        return [Notice(text=_("Send what was done first."), alert=True)]
    if not await ctx.uow.loop_updates.claim_for_sending(update, ctx.now()):
        return [Notice(text=_("That message has already gone."), alert=True)]
    sent = await ctx.uow.loop_updates.fan_out(update, ctx.now())
    update.recipients = sent
    ctx.uow.session.add(update)
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    return [
        Edit(
            text=_n(
                "Sending to {n} person. It will be in the next report.",
                "Sending to {n} people. It will be in the next report.",
                sent,
            ).format(n=sent)
        )
    ]


@composer("loop")
async def compose_update(
    deps: Deps, uow: UnitOfWork, delivery: Delivery, user: User | None
) -> list[OutboundReply] | None:
    update = await uow.loop_updates.get(int(json.loads(delivery.payload)["update_id"]))
    if update is None or update.status != "sent":
        return None
    return [Text(chat_id=delivery.chat_id, text=render(update))]
