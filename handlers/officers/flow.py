"""Find my officer: ask for a postcode, a location or a place name, and answer."""

from __future__ import annotations

from handlers.callbacks import OfficerAction, Officers
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.i18n import _
from handlers.markup import fmt_plain
from handlers.officers import lookup
from handlers.officers.card import officer_card
from handlers.officers.index import Place
from handlers.officers.messages import outcome_message
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button

Replies = list[OutboundReply]
AWAITING = "officer"


def choices(places: tuple[Place, ...]) -> Text:
    rows = [[Button(p.name, encode(Officers(OfficerAction.SHOW, p.id)))] for p in places]
    return Text(
        text=_("Which one do you mean?"),
        buttons=keyboard(*rows, [home_button(), quick_exit_button()]),
    )


async def start(ctx: Context) -> Replies:
    ctx.user.awaiting = AWAITING
    ctx.uow.session.add(ctx.user)
    return [
        Text(
            text=_(
                "<b>Find your local policing team</b>\n\nSend your postcode (for example CH3 8EH), "
                "share your location, or type the name of your town or village."
            ),
            request_location=_("📍 Share my location"),
        )
    ]


async def show(ctx: Context, place: Place, *, exact: bool = True) -> Replies:
    ctx.user.community_id = place.id
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    now = ctx.now()
    card = officer_card(
        place,
        exact=exact,
        members=await ctx.uow.teams.members(place.id),
        bases=await ctx.uow.teams.bases(place.id),
        events=await ctx.uow.events.upcoming(place.id, place.lpu_id, now),
        following=await ctx.uow.follows.is_following(ctx.user_id, place.id),
        tz=ctx.deps.timezone,
    )
    return [Text(text=_("🔎 Here is your team:"), remove_reply_keyboard=True), card]


async def answer(ctx: Context, result: lookup.Result) -> Replies:
    if isinstance(result, lookup.Found):
        return await show(ctx, result.place, exact=result.exact)
    if isinstance(result, lookup.Choose):
        return [choices(result.places)]
    return [outcome_message(result.reason)]


async def on_text(ctx: Context, text: str) -> Replies:
    return await answer(ctx, await lookup.by_text(ctx, text))


async def on_location(ctx: Context, latitude: float, longitude: float) -> Replies:
    return await answer(ctx, await lookup.by_point(ctx, latitude, longitude))


async def on_button(ctx: Context, press: Officers) -> Replies:
    if press.action is OfficerAction.FIND:
        return await start(ctx)
    index = await lookup.index_of(ctx)
    place = index.places.get(press.community)
    if place is None:
        return [Notice(text=_("That community is not in the list any more."))]
    if press.action is OfficerAction.SHOW:
        return await show(ctx, place)
    if press.action is OfficerAction.FOLLOW:
        await ctx.uow.follows.follow(ctx.user_id, place.id)
        notice = fmt_plain(_("You now follow the {community} team."), community=place.name)
    else:
        await ctx.uow.follows.unfollow(ctx.user_id, place.id)
        notice = fmt_plain(_("You no longer follow the {community} team."), community=place.name)
    card = (await show(ctx, place))[-1]
    assert isinstance(card, Text)
    return [Notice(text=notice), Edit(text=card.text, buttons=card.buttons)]
