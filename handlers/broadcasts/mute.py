"""A follower's one tap on any broadcast: "stop these messages", and its undo.

Muting keeps the follow (surgeries and event news still come) but stops that team's
broadcasts: the follows of the community, or of every community of the LPU, for an
LPU-wide message. Rows already queued for the follower are dropped when their turn
comes (the composer checks again).
"""

from __future__ import annotations

from handlers.broadcasts.buttons import MuteAction, MuteButton
from handlers.context import Context
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode

Replies = list[OutboundReply]


async def _team_name(ctx: Context, press: MuteButton) -> str | None:
    if press.community:
        community = await ctx.uow.communities.get(press.community)
        return community.name if community else None
    if press.lpu:
        lpu = await ctx.uow.communities.get_lpu(press.lpu)
        return lpu.name if lpu else None
    return None


async def on_button(ctx: Context, press: MuteButton) -> Replies:
    name = await _team_name(ctx, press)
    if name is None:
        return [Notice(text=_("That button does not work any more."))]
    muted = press.action is MuteAction.MUTE
    await ctx.uow.broadcasts.set_muted(
        ctx.user_id,
        community_id=press.community or None,
        lpu_id=press.lpu or None,
        muted=muted,
    )
    if not muted:
        return [
            Notice(text=_("Done.")),
            Text(text=fmt(_("🔔 You will get messages from {team} again."), team=name)),
        ]
    undo = MuteButton(MuteAction.UNMUTE, press.community, press.lpu)
    return [
        Notice(text=_("Done.")),
        Text(
            text=fmt(
                _(
                    "🔕 You will not get messages from {team} any more. You still hear "
                    "about their surgeries and events."
                ),
                team=name,
            ),
            buttons=keyboard([Button(_("Undo"), encode(undo))]),
        ),
    ]
