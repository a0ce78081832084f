"""Organisers: put an event together in the chat (/organise), then manage it.

A draft (one ``event_drafts`` row per organiser) keeps the answers so far as JSON and
the step reached; every answer is written as it is given, so a draft survives a
restart, and ``/back`` and ``/cancel`` work as in the questionnaires. A draft has a
mode: ``event`` (a new event), ``move`` (a new time for an event) or ``group`` (a new
action group).

The role is read from the database on every step and every button: payloads carry
ids only, and a resident pressing a forged organiser button is refused with nothing
written (see ``handlers.roles``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date

from handlers import roles
from handlers.callbacks import (
    DraftAction,
    DraftButton,
    EventAction,
    EventButton,
    Organiser,
    OrganiserAction,
)
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.deliveries import message_payload
from handlers.events import deeplink, render, service
from handlers.events.dates import Parsed, Problem, ambiguous_choices, parse_when
from handlers.events.qr import qr_png
from handlers.events.recurrence import Rule, encode_rule, occurrences
from handlers.i18n import _, _n, current_locale, use_locale
from handlers.markup import escape, fmt
from handlers.outbound import Button, Document, Notice, OutboundReply, Text, keyboard
from handlers.payloads import decode, encode
from handlers.text_input import clean
from handlers.timefmt import when
from storage.models import ActionGroup, Community, Conversation, Event, EventDraft, User
from storage.uow import UnitOfWork

Replies = list[OutboundReply]

DEFAULT_BOT_USERNAME = "chinwag_bot"
OCCURRENCES_AHEAD = 8  # a repeating event is made this many dates ahead
LIST_LIMIT = 20
NAMES_SHOWN = 40

EVENT_STEPS = (
    "kind",
    "group",
    "title",
    "when",
    "confirm",
    "repeat",
    "venue",
    "address",
    "location",
    "capacity",
    "access",
    "desc",
    "where",
    "summary",
)
MOVE_STEPS = ("when", "confirm")
GROUP_STEPS = ("gtitle", "gdesc", "glpu")
OPTIONAL = frozenset({"address", "location", "capacity", "access", "desc", "gdesc"})
TEXT_FIELDS = {  # step: (data key, longest answer)
    "title": ("title", 200),
    "venue": ("venue", 200),
    "address": ("address", 400),
    "access": ("accessibility", 1000),
    "desc": ("description", 2000),
    "gtitle": ("title", 200),
    "gdesc": ("description", 2000),
}
MIN_TITLE = 3
MAX_CAPACITY = 100_000
_CAPACITY = re.compile(r"([0-9]{1,6})(?:\s+[^\W\d_]+)?")
_SKIP_WORDS = {"skip", "-", "none", "no"}


# -- small helpers ---------------------------------------------------------------------


def _refused() -> Replies:
    return [
        Text(
            text=_(
                "Sorry, this is only for event organisers and neighbourhood policing teams. "
                "Ask your team to give you access."
            ),
            buttons=keyboard([home_button()]),
        )
    ]


def _refused_notice() -> Replies:
    return [Notice(text=_("Sorry, you cannot do that."), alert=True)]


def _data(row: EventDraft) -> dict[str, Any]:
    try:
        data = json.loads(row.data or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _zone(data: dict[str, Any], ctx: Context) -> ZoneInfo:
    name = data.get("tz")
    if isinstance(name, str):
        try:
            return ZoneInfo(name)
        except Exception:  # an unknown or malformed zone name: use the deployment's
            pass
    return ctx.deps.timezone


def _instant(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _repeated_hour(local: datetime) -> bool:
    """Whether ``local`` falls in the hour the clocks go back (it happens twice)."""
    return local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset()


def long_when(moment: datetime, tz: ZoneInfo) -> str:
    """E.g. "Tuesday 2 December 2026 at 18:00" (with "BST"/"GMT" in the repeated hour)."""
    local = moment.astimezone(tz)
    day = format_date(local.date(), "EEEE d MMMM y", locale=current_locale())
    clock = f"{local:%H:%M}"
    if _repeated_hour(local):
        clock += f" {local.tzname()}"
    return _("{day} at {time}").format(day=day, time=clock)


def _weekday_name(moment: datetime) -> str:
    return format_date(moment.date(), "EEEE", locale=current_locale())


def _nth(day: int) -> int:
    """Which of its weekday in the month ``day`` is: 1 to 4, or -1 for a fifth (the last)."""
    n = (day - 1) // 7 + 1
    return -1 if n == 5 else n


def repeat_label(repeat: str, local: datetime) -> str:
    """How an event repeats, as plain text (escape it for HTML)."""
    weekday = _weekday_name(local)
    if repeat == "weekly":
        return _("Every week on {weekday}").format(weekday=weekday)
    if repeat == "monthly":
        templates = {
            1: _("Every month on the first {weekday}"),
            2: _("Every month on the second {weekday}"),
            3: _("Every month on the third {weekday}"),
            4: _("Every month on the fourth {weekday}"),
            -1: _("Every month on the last {weekday}"),
        }
        return templates[_nth(local.day)].format(weekday=weekday)
    return _("Just once")


def _link(ctx: Context, event: Event) -> str:
    assert event.id is not None
    payload = deeplink.event_start_payload(event.id, event.checkin_token)
    return deeplink.deep_link(ctx.deps.bot_username or DEFAULT_BOT_USERNAME, payload)


def _qr(ctx: Context, event: Event) -> Replies:
    link = _link(ctx, event)
    return [
        Text(
            text=fmt(
                _(
                    "🔗 The link to <b>{title}</b>. Opening it shows the event and checks "
                    "the person in, so use it at the event:\n{link}"
                ),
                title=event.title,
                link=link,
            )
        ),
        Document(
            filename=f"chinwag-event-{event.id}-qr.png",
            content=qr_png(link),
            mime_type="image/png",
            caption=_(
                "QR code for the door: scanning it opens the event in Chinwag and checks "
                "the person in."
            ),
        ),
    ]


def _org(action: OrganiserAction, event: int = 0) -> str:
    return encode(Organiser(action, event))


def _menu_button() -> Button:
    return Button(_("🗂 Organiser menu"), _org(OrganiserAction.MENU))


async def _place_lpu(uow: UnitOfWork, event: Event) -> int | None:
    """The LPU of the event's community, or of its action group."""
    if event.community_id is not None:
        community = await uow.communities.get(event.community_id)
        return community.lpu_id if community else None
    if event.action_group_id is not None:
        group = await uow.groups.get(event.action_group_id)
        return group.lpu_id if group else None
    return None


async def can_manage(ctx: Context, event: Event) -> bool:
    """``roles.can_manage`` with the LPU of the event's community or group looked up."""
    return roles.can_manage(ctx.user, event, place_lpu_id=await _place_lpu(ctx.uow, event))


async def _scope_lpu(ctx: Context) -> int | None:
    """The LPU an organiser works in (``None``: everywhere, or no LPU at all)."""
    user = ctx.user
    if roles.everywhere(user):
        return None
    if user.role in ("pcso", "officer") and user.role_community_id is not None:
        community = await ctx.uow.communities.get(user.role_community_id)
        return community.lpu_id if community else None
    return user.role_lpu_id


async def _scope_groups(ctx: Context) -> Sequence[ActionGroup]:
    if roles.everywhere(ctx.user):
        return await ctx.uow.organisers.open_groups(None)
    lpu_id = await _scope_lpu(ctx)
    return [] if lpu_id is None else await ctx.uow.organisers.open_groups(lpu_id)


async def active_draft(ctx: Context, conv: Conversation | None) -> EventDraft | None:
    """The user's draft, if free text and /back, /cancel, /skip should go to it: when
    there is one and it is newer than the questionnaire ``conv`` (if any)."""
    draft = await ctx.uow.organisers.draft_for(ctx.user_id)
    if draft is None or (conv is not None and conv.updated_at > draft.updated_at):
        return None
    return draft


# -- the organiser menu ------------------------------------------------------------------


async def start(ctx: Context) -> Replies:
    """``/organise``: the organiser menu, for staff only."""
    if not roles.is_staff(ctx.user):
        return _refused()
    return await menu(ctx)


async def menu(ctx: Context) -> Replies:
    draft = await ctx.uow.organisers.draft_for(ctx.user_id)
    rows: list[list[Button]] = []
    if draft is not None:
        rows.append([Button(_("▶️ Continue where you left off"), _org(OrganiserAction.RESUME))])
    if roles.allowed_kinds(ctx.user):
        rows.append([Button(_("➕ New event"), _org(OrganiserAction.NEW))])
    rows.append([Button(_("📋 My events"), _org(OrganiserAction.EVENTS))])
    if ctx.user.role in ("organiser", "admin", "sergeant", "inspector"):
        rows.append([Button(_("🤝 New action group"), _org(OrganiserAction.NEW_GROUP))])
    rows.append([Button(_("👥 My action groups"), _org(OrganiserAction.GROUPS))])
    rows.append([home_button()])
    return [
        Text(
            text=_("<b>Organise</b>\n\nPlan events, see who is coming, and run action groups."),
            buttons=keyboard(*rows),
        )
    ]


# -- moving through a draft --------------------------------------------------------------


def _steps(data: dict[str, Any]) -> tuple[str, ...]:
    mode = data.get("mode")
    if mode == "move":
        return MOVE_STEPS
    if mode == "group":
        return GROUP_STEPS
    return EVENT_STEPS


def _needs_place_choice(user: User, data: dict[str, Any]) -> bool:
    kind = data.get("kind")
    if kind == "action_group":
        return False  # the group's LPU
    if kind == "surgery":
        return user.role not in ("pcso", "officer")  # theirs is their own community
    return roles.everywhere(user)  # others: the organiser's LPU, if it has one


def _applies(user: User, data: dict[str, Any], step: str) -> bool:
    if step == "kind":
        return len(roles.allowed_kinds(user)) > 1
    if step == "group":
        return data.get("kind") == "action_group"
    if step == "where":
        return _needs_place_choice(user, data)
    if step == "glpu":
        return roles.everywhere(user)
    return True


def _next_step(user: User, data: dict[str, Any], step: str) -> str | None:
    steps = _steps(data)
    later = steps[steps.index(step) + 1 :] if step in steps else steps
    return next((s for s in later if _applies(user, data, s)), None)


def _previous_step(user: User, data: dict[str, Any], step: str) -> str | None:
    steps = _steps(data)
    earlier = steps[: steps.index(step)] if step in steps else ()
    return next((s for s in reversed(earlier) if _applies(user, data, s)), None)


async def _go(
    ctx: Context, row: EventDraft, data: dict[str, Any], step: str, *, note: str = ""
) -> Replies:
    """Save ``data`` and move the draft to ``step``, then show it."""
    leaving_location = row.step == "location" and step != "location"
    row.step = step
    row.data = json.dumps(data, ensure_ascii=False)
    await ctx.uow.organisers.save_draft(row)
    replies: Replies = []
    if leaving_location or note:
        replies.append(Text(text=note or _("✔️ Saved."), remove_reply_keyboard=leaving_location))
    return [*replies, *await show(ctx, row, data)]


async def _advance(
    ctx: Context, row: EventDraft, data: dict[str, Any], *, note: str = ""
) -> Replies:
    step = _next_step(ctx.user, data, row.step)
    if step is None:  # the last step of a group draft
        return await _create_group(ctx, row, data)
    return await _go(ctx, row, data, step, note=note)


async def _start_draft(ctx: Context, data: dict[str, Any]) -> Replies:
    first = next(s for s in _steps(data) if _applies(ctx.user, data, s))
    row = await ctx.uow.organisers.start_draft(ctx.user_id, first, json.dumps(data))
    return await show(ctx, row, data)


async def new_event(ctx: Context) -> Replies:
    kinds = roles.allowed_kinds(ctx.user)
    if not kinds:
        return _refused()
    data: dict[str, Any] = {"mode": "event", "tz": ctx.deps.timezone.key}
    if len(kinds) == 1:
        data["kind"] = kinds[0]
    return await _start_draft(ctx, data)


async def new_group(ctx: Context) -> Replies:
    if ctx.user.role not in ("organiser", "admin", "sergeant", "inspector"):
        return _refused()
    if not roles.everywhere(ctx.user) and not roles.can_create_group(
        ctx.user, ctx.user.role_lpu_id
    ):
        return _refused()
    return await _start_draft(ctx, {"mode": "group"})


async def move_event(ctx: Context, event: Event) -> Replies:
    data = {"mode": "move", "event_id": event.id, "tz": event.timezone or ctx.deps.timezone.key}
    return await _start_draft(ctx, data)


async def back(ctx: Context, row: EventDraft) -> Replies:
    data = _data(row)
    previous = _previous_step(ctx.user, data, row.step)
    if previous is None:
        return [Text(text=_("This is the first step.")), *await show(ctx, row, data)]
    data.pop("wall", None)
    return await _go(ctx, row, data, previous)


async def cancel(ctx: Context, row: EventDraft) -> Replies:
    await ctx.uow.organisers.drop_draft(row)
    return [
        Text(
            text=_("Stopped. Nothing was saved. Send /organise to start again."),
            remove_reply_keyboard=True,
        )
    ]


async def skip(ctx: Context, row: EventDraft) -> Replies:
    data = _data(row)
    if row.step not in OPTIONAL:
        return [Text(text=_("This needs an answer.")), *await show(ctx, row, data)]
    for key in _fields_of(row.step):
        data.pop(key, None)
    return await _advance(ctx, row, data)


def _fields_of(step: str) -> tuple[str, ...]:
    if step == "location":
        return ("latitude", "longitude")
    if step == "capacity":
        return ("capacity",)
    if step in TEXT_FIELDS:
        return (TEXT_FIELDS[step][0],)
    return ()


# -- showing a step ----------------------------------------------------------------------


def _button(row: EventDraft, action: DraftAction, label: str, value: str = "-") -> Button:
    assert row.id is not None
    return Button(label, encode(DraftButton(row.id, row.step, action, value)))


def _nav(ctx: Context, row: EventDraft, data: dict[str, Any]) -> list[Button]:
    buttons = []
    if _previous_step(ctx.user, data, row.step) is not None:
        buttons.append(_button(row, DraftAction.BACK, _("◀️ Back")))
    buttons.append(_button(row, DraftAction.CANCEL, _("✖️ Cancel")))
    return buttons


def _skip_row(row: EventDraft) -> list[Button]:
    return [_button(row, DraftAction.SKIP, _("⏭ Skip"))]


async def show(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    """The question of the draft's current step, with its buttons."""
    step = row.step
    nav = _nav(ctx, row, data)
    tz = _zone(data, ctx)
    if step == "kind":
        rows = [
            [_button(row, DraftAction.KIND, f"{render.KIND_ICONS[k]} {render.kind_label(k)}", k)]
            for k in roles.allowed_kinds(ctx.user)
        ]
        return [
            Text(
                text=_("<b>New event</b>\n\nWhat kind of event is it?"),
                buttons=keyboard(*rows, nav),
            )
        ]
    if step == "group":
        groups = await _scope_groups(ctx)
        if not groups:
            return [
                Text(
                    text=_(
                        "There are no action groups in your area yet. Start one first, "
                        "then plan its meetings."
                    ),
                    buttons=keyboard(
                        [Button(_("🤝 New action group"), _org(OrganiserAction.NEW_GROUP))], nav
                    ),
                )
            ]
        rows = [
            [_button(row, DraftAction.GROUP, f"🤝 {g.title}"[:60], str(g.id))]
            for g in groups[:LIST_LIMIT]
        ]
        return [Text(text=_("Which action group is meeting?"), buttons=keyboard(*rows, nav))]
    if step == "title":
        return [
            Text(
                text=_("What is it called? For example “Tarvin police surgery”."),
                buttons=keyboard(nav),
            )
        ]
    if step == "when":
        return [await _when_question(ctx, row, data, tz, nav)]
    if step == "confirm":
        starts = _instant(data.get("starts_at"))
        if starts is None:
            return await _go(ctx, row, data, "when")
        return [
            Text(
                text=fmt(_("<b>{when}</b> — is that right?"), when=long_when(starts, tz)),
                buttons=keyboard(
                    [
                        _button(row, DraftAction.YES, _("✅ Yes")),
                        _button(row, DraftAction.CHANGE, _("✏️ Change")),
                    ],
                    nav,
                ),
            )
        ]
    if step == "repeat":
        starts = _instant(data.get("starts_at"))
        if starts is None:
            return await _go(ctx, row, data, "when")
        local = starts.astimezone(tz)
        icons = {"none": "📅", "weekly": "🔁", "monthly": "🔁"}
        rows = [
            [_button(row, DraftAction.REPEAT, f"{icon} {repeat_label(r, local)}", r)]
            for r, icon in icons.items()
        ]
        return [Text(text=_("Does it happen again?"), buttons=keyboard(*rows, nav))]
    if step == "venue":
        return [
            Text(
                text=_("Where is it? Type the name of the place, e.g. “Tarvin Community Centre”."),
                buttons=keyboard(nav),
            )
        ]
    if step == "address":
        return [Text(text=_("What is the address?"), buttons=keyboard(_skip_row(row), nav))]
    if step == "location":
        return [
            Text(
                text=_(
                    "Share where it is on the map, so people can find it: tap "
                    "“📍 Share location” below, or “Skip”.\n\n/back goes back, /cancel stops."
                ),
                request_location=_("📍 Share location"),
                reply_keyboard=((_("Skip"),),),
            )
        ]
    if step == "capacity":
        return [
            Text(
                text=_(
                    "How many people can come? Type a number, or tap Skip if there is no limit."
                ),
                buttons=keyboard(_skip_row(row), nav),
            )
        ]
    if step == "access":
        return [
            Text(
                text=_(
                    "Anything people should know about access? For example “Step-free "
                    "access, hearing loop”."
                ),
                buttons=keyboard(_skip_row(row), nav),
            )
        ]
    if step == "desc":
        return [
            Text(
                text=_("Add a short description, if you like: what it is about, who it is for."),
                buttons=keyboard(_skip_row(row), nav),
            )
        ]
    if step == "where":
        return [await _where_question(ctx, row, data, nav)]
    if step == "summary":
        return [await _summary(ctx, row, data, nav)]
    if step == "gtitle":
        return [
            Text(
                text=_(
                    "<b>New action group</b>\n\nWhat is it about? For example “Speeding on the A51”."
                ),
                buttons=keyboard(nav),
            )
        ]
    if step == "gdesc":
        return [
            Text(
                text=_("Describe it in a sentence or two: what the group wants to change."),
                buttons=keyboard(_skip_row(row), nav),
            )
        ]
    if step == "glpu":
        lpus = await ctx.uow.communities.lpus()
        rows = [[_button(row, DraftAction.LPU, lpu.name, str(lpu.id))] for lpu in lpus]
        return [Text(text=_("Which area (LPU) is the group for?"), buttons=keyboard(*rows, nav))]
    row.step = _steps(data)[0]  # an unknown step (an older version's): start the mode again
    return await show(ctx, row, data)


async def _when_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], tz: ZoneInfo, nav: list[Button]
) -> Text:
    if data.get("mode") == "move":
        event = await ctx.uow.events.get(_int(data.get("event_id")) or 0)
        if event is not None:
            return Text(
                text=fmt(
                    _(
                        "<b>{title}</b> is on {when}.\n\nWhen should it start instead? "
                        "For example “next Tuesday 6pm” or “14/12 18:30”."
                    ),
                    title=event.title,
                    when=long_when(event.starts_at, tz),
                ),
                buttons=keyboard(nav),
            )
    return Text(
        text=_("When does it start? For example “next Tuesday 6pm” or “14/12 18:30”."),
        buttons=keyboard(nav),
    )


def problem_text(problem: Problem, tz: ZoneInfo) -> str:
    """What went wrong with a typed date and time, in plain words."""
    wall = problem.wall
    on_day = format_date(wall.date(), "EEEE d MMMM y", locale=current_locale()) if wall else ""
    at = f"{wall:%H:%M}" if wall else ""
    if problem.reason == "nonexistent":
        return fmt(
            _(
                "The clocks go forward that night, so {time} does not happen on {day}. "
                "Please choose another time."
            ),
            time=at,
            day=on_day,
        )
    if problem.reason == "ambiguous":
        return fmt(
            _("The clocks go back that night, so {time} happens twice on {day}. Which one?"),
            time=at,
            day=on_day,
        )
    texts = {
        "empty": _("Please type a date and time, for example “next Tuesday 6pm”."),
        "no-date-or-time": _(
            "Sorry, I could not read that as a date and time. "
            "Try “next Tuesday 6pm” or “14/12 18:30”."
        ),
        "no-time": _("What time does it start? Add a time, e.g. “14/12 18:30” or “Tuesday 6pm”."),
        "invalid-time": _("That time is not on the clock. Use a time such as “18:30” or “6:30pm”."),
        "invalid-date": _(
            "That date does not exist, or the day of the week does not match it. "
            "Please check it and type it again."
        ),
        "in-the-past": _("That time has already passed. Please give a date and time to come."),
        "too-far": _("That is more than two years away. Please give a date within two years."),
    }
    return texts.get(problem.reason, texts["no-date-or-time"])


async def _where_question(
    ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]
) -> Text:
    surgery = data.get("kind") == "surgery"
    lpu_id = ctx.user.role_lpu_id if not roles.everywhere(ctx.user) else _int(data.get("browse"))
    if surgery and lpu_id is not None:
        communities = await ctx.uow.communities.in_lpu(lpu_id)
        buttons = [
            _button(row, DraftAction.COMMUNITY, c.name[:40], str(c.id))
            for c in communities
            if c.id is not None
        ]
        rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
        if roles.everywhere(ctx.user):
            rows.append([_button(row, DraftAction.LPU, _("◀️ All areas"), "0")])
        return Text(
            text=_("Which community is the surgery for? Tap it, or type its name."),
            buttons=keyboard(*rows, nav),
        )
    lpus = await ctx.uow.communities.lpus()
    rows = [[_button(row, DraftAction.LPU, lpu.name, str(lpu.id))] for lpu in lpus]
    question = _("Which area is the community in?") if surgery else _("Which area (LPU) is it for?")
    return Text(text=question, buttons=keyboard(*rows, nav))


async def _place(
    ctx: Context, data: dict[str, Any]
) -> tuple[Community | None, int | None, ActionGroup | None]:
    """Where the event belongs: (community, LPU id, action group), as the draft and the
    role decide; (None, None, None) when it cannot be placed."""
    user = ctx.user
    kind = data.get("kind")
    if kind == "action_group":
        group = await ctx.uow.groups.get(_int(data.get("group_id")) or 0)
        if group is None or group.status != "open":
            return None, None, None
        return None, group.lpu_id, group
    if kind == "surgery":
        if user.role in ("pcso", "officer"):
            community_id = user.role_community_id
        else:
            community_id = _int(data.get("community_id"))
        community = await ctx.uow.communities.get(community_id) if community_id else None
        if community is None:
            return None, None, None
        return community, community.lpu_id, None
    lpu_id = _int(data.get("lpu_id")) if roles.everywhere(user) else user.role_lpu_id
    return None, lpu_id, None


async def _summary(ctx: Context, row: EventDraft, data: dict[str, Any], nav: list[Button]) -> Text:
    tz = _zone(data, ctx)
    kind = str(data.get("kind", "other"))
    starts = _instant(data.get("starts_at"))
    community, lpu_id, group = await _place(ctx, data)
    lines = [
        _("<b>Check your event</b>"),
        f"{render.KIND_ICONS.get(kind, '📅')} <b>{escape(data.get('title', ''))}</b>\n"
        f"<i>{render.kind_label(kind)}</i>",
    ]
    if starts is not None:
        lines.append(fmt(_("🕒 {when}"), when=long_when(starts, tz)))
        repeat = str(data.get("repeat", "none"))
        if repeat != "none":
            lines.append(
                "🔁 "
                + escape(repeat_label(repeat, starts.astimezone(tz)))
                + " "
                + fmt(_("({n} dates are added now)"), n=OCCURRENCES_AHEAD)
            )
    place = ", ".join(str(data[k]) for k in ("venue", "address") if data.get(k))
    if place:
        lines.append(f"📍 {escape(place)}")
    if data.get("latitude") is not None:
        lines.append(_("🗺 Map location shared"))
    capacity = _int(data.get("capacity"))
    if capacity is not None:
        lines.append(
            _n("👥 Room for {n} person", "👥 Room for {n} people", capacity).format(n=capacity)
        )
    if data.get("accessibility"):
        lines.append(f"♿ {escape(data['accessibility'])}")
    if data.get("description"):
        lines.append(escape(data["description"]))
    if group is not None:
        lines.append(fmt(_("🤝 Action group: {name}"), name=group.title))
    elif community is not None:
        lines.append(fmt(_("🏘 Community: {name}"), name=community.name))
    elif lpu_id is not None:
        lpu = await ctx.uow.communities.get_lpu(lpu_id)
        if lpu is not None:
            lines.append(fmt(_("🏘 Area: {name}"), name=lpu.name))
    return Text(
        text="\n\n".join(lines),
        buttons=keyboard([_button(row, DraftAction.SAVE, _("✅ Save"))], nav),
    )


# -- answers -----------------------------------------------------------------------------


async def on_text(ctx: Context, row: EventDraft, raw: str) -> Replies:
    if not roles.is_staff(ctx.user):
        await ctx.uow.organisers.drop_draft(row)
        return _refused()
    data = _data(row)
    text = clean(raw)
    step = row.step
    if step in OPTIONAL and text.casefold() in {*_SKIP_WORDS, _("Skip").casefold()}:
        return await skip(ctx, row)
    if step == "when":
        return await _on_when(ctx, row, data, text)
    if step in TEXT_FIELDS:
        key, limit = TEXT_FIELDS[step]
        if not text:
            return [Text(text=_("Please type your answer in words.")), *await show(ctx, row, data)]
        if len(text) > limit:
            return [
                Text(
                    text=fmt(
                        _("That is too long: please keep it under {limit} characters."),
                        limit=limit,
                    )
                )
            ]
        if step in ("title", "gtitle") and len(text) < MIN_TITLE:
            return [Text(text=_("Please give it a name of a few words."))]
        data[key] = text
        return await _advance(ctx, row, data)
    if step == "capacity":
        match = _CAPACITY.fullmatch(text)
        number = int(match.group(1)) if match else 0
        if not 1 <= number <= MAX_CAPACITY:
            return [
                Text(
                    text=_("Please type a number of people, such as 30, or tap Skip."),
                    buttons=keyboard(_skip_row(row), _nav(ctx, row, data)),
                )
            ]
        data["capacity"] = number
        return await _advance(ctx, row, data)
    if step == "location":
        return [
            Text(text=_("Please tap “📍 Share location”, or “Skip”.")),
            *await show(ctx, row, data),
        ]
    if step == "where" and data.get("kind") == "surgery":
        found = await _community_by_name(ctx, text)
        if found is not None:
            return await _pick_community(ctx, row, data, found)
    # A typed answer to a step with buttons: the button whose label it is.
    press = _matching_button(text, await show(ctx, row, data))
    if press is not None:
        return await _on_draft(ctx, press, row)
    return [Text(text=_("Please use the buttons below.")), *await show(ctx, row, data)]


def _bare(label: str) -> str:
    return re.sub(r"^[^\w]+", "", label).strip().casefold()


def _matching_button(text: str, replies: Replies) -> DraftButton | None:
    wanted = _bare(text)
    if not wanted:
        return None
    for reply in replies:
        if not isinstance(reply, Text):
            continue
        for button_row in reply.buttons:
            for button in button_row:
                data = decode(button.payload)
                if (
                    isinstance(data, DraftButton)
                    and data.action not in (DraftAction.BACK, DraftAction.CANCEL)
                    and _bare(button.label) == wanted
                ):
                    return data
    return None


async def _community_by_name(ctx: Context, text: str) -> Community | None:
    named = await ctx.uow.organisers.communities_named(text)
    return named[0] if len(named) == 1 else None


async def _on_when(ctx: Context, row: EventDraft, data: dict[str, Any], text: str) -> Replies:
    tz = _zone(data, ctx)
    result = parse_when(text, ctx.now(), tz)
    if isinstance(result, Parsed):
        data["starts_at"] = result.utc.isoformat()
        data.pop("wall", None)
        return await _go(ctx, row, data, "confirm")
    nav = _nav(ctx, row, data)
    if result.reason == "ambiguous" and result.wall is not None:
        now = ctx.now()
        choices = [c for c in ambiguous_choices(result.wall, tz) if c > now]
        data["wall"] = result.wall.isoformat()
        row.data = json.dumps(data, ensure_ascii=False)
        await ctx.uow.organisers.save_draft(row)
        labels = (
            _("{time} {zone}, the first time (before the clocks go back)"),
            _("{time} {zone}, the second time (after the clocks go back)"),
        )
        all_choices = ambiguous_choices(result.wall, tz)
        rows = [
            [
                _button(
                    row,
                    DraftAction.INSTANT,
                    labels[i].format(time=f"{c:%H:%M}", zone=c.tzname() or ""),
                    str(i),
                )
            ]
            for i, c in enumerate(all_choices)
            if c in choices
        ]
        return [Text(text=problem_text(result, tz), buttons=keyboard(*rows, nav))]
    return [Text(text=problem_text(result, tz), buttons=keyboard(nav))]


async def on_location(ctx: Context, row: EventDraft, latitude: float, longitude: float) -> Replies:
    if not roles.is_staff(ctx.user):
        await ctx.uow.organisers.drop_draft(row)
        return _refused()
    data = _data(row)
    if row.step != "location":
        return [Text(text=_("Thank you, but I cannot use that here.")), *await show(ctx, row, data)]
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return [Text(text=_("That location is not on the map. Please try again."))]
    data["latitude"], data["longitude"] = latitude, longitude
    return await _advance(ctx, row, data, note=_("📍 Location saved."))


async def on_draft_button(ctx: Context, press: DraftButton) -> Replies:
    """A button on a draft step; the role is checked again, stale buttons are refused."""
    if not roles.is_staff(ctx.user):
        row = await ctx.uow.organisers.draft_for(ctx.user_id)
        if row is not None:
            await ctx.uow.organisers.drop_draft(row)
        return _refused_notice()
    row = await ctx.uow.organisers.draft_for(ctx.user_id)
    if row is None or row.id != press.draft:
        return [Notice(text=_("That button is from an earlier message."))]
    if press.step != row.step:
        return [
            Notice(text=_("That button is from an earlier message.")),
            *await show(ctx, row, _data(row)),
        ]
    return await _on_draft(ctx, press, row)


async def _on_draft(ctx: Context, press: DraftButton, row: EventDraft) -> Replies:
    data = _data(row)
    action, value, step = press.action, press.value, row.step
    if action is DraftAction.BACK:
        return await back(ctx, row)
    if action is DraftAction.CANCEL:
        return await cancel(ctx, row)
    if action is DraftAction.SKIP:
        return await skip(ctx, row)
    if action is DraftAction.KIND and step == "kind":
        if value not in roles.allowed_kinds(ctx.user):
            return _refused_notice()
        if data.get("kind") != value:
            for key in ("group_id", "community_id", "lpu_id", "browse"):
                data.pop(key, None)
        data["kind"] = value
        return await _advance(ctx, row, data)
    if action is DraftAction.GROUP and step == "group":
        group = await ctx.uow.groups.get(int(value)) if value.isdigit() else None
        if (
            group is None
            or group.status != "open"
            or not roles.can_create(ctx.user, "action_group", lpu_id=group.lpu_id)
        ):
            return [Notice(text=_("That group is not in the list any more."))]
        data["group_id"] = group.id
        return await _advance(ctx, row, data)
    if action is DraftAction.INSTANT and step == "when":
        return await _choose_instant(ctx, row, data, value)
    if action is DraftAction.YES and step == "confirm":
        starts = _instant(data.get("starts_at"))
        if starts is None or starts <= ctx.now():
            return [
                Text(text=_("That time has already passed. Please give a date and time to come.")),
                *await _go(ctx, row, data, "when"),
            ]
        if data.get("mode") == "move":
            return await _apply_move(ctx, row, data, starts)
        return await _advance(ctx, row, data)
    if action is DraftAction.CHANGE and step == "confirm":
        return await _go(ctx, row, data, "when")
    if action is DraftAction.REPEAT and step == "repeat" and value in ("none", "weekly", "monthly"):
        data["repeat"] = value
        return await _advance(ctx, row, data)
    if action is DraftAction.LPU and step in ("where", "glpu"):
        return await _pick_lpu(ctx, row, data, value)
    if action is DraftAction.COMMUNITY and step == "where":
        community = await ctx.uow.communities.get(int(value)) if value.isdigit() else None
        if community is None:
            return [Notice(text=_("That community is not in the list any more."))]
        return await _pick_community(ctx, row, data, community)
    if action is DraftAction.SAVE and step == "summary":
        return await _save_event(ctx, row, data)
    return [Notice(text=_("That button does not work here."))]


async def _choose_instant(
    ctx: Context, row: EventDraft, data: dict[str, Any], value: str
) -> Replies:
    tz = _zone(data, ctx)
    wall_text = data.get("wall")
    try:
        wall = datetime.fromisoformat(wall_text) if isinstance(wall_text, str) else None
        choices = ambiguous_choices(wall, tz) if wall is not None else None
    except ValueError:
        choices = None
    if choices is None or value not in ("0", "1"):
        return [Notice(text=_("That button is from an earlier message."))]
    chosen = choices[int(value)]
    if chosen <= ctx.now():
        return [Notice(text=_("That time has already passed."), alert=True)]
    data["starts_at"] = chosen.astimezone(UTC).isoformat()
    data.pop("wall", None)
    return await _go(ctx, row, data, "confirm")


async def _pick_lpu(ctx: Context, row: EventDraft, data: dict[str, Any], value: str) -> Replies:
    if not roles.everywhere(ctx.user):
        return _refused_notice()  # only force-wide organisers choose an area
    if row.step == "where" and data.get("kind") == "surgery":
        if value == "0":
            data.pop("browse", None)
        else:
            lpu = await ctx.uow.communities.get_lpu(int(value)) if value.isdigit() else None
            if lpu is None:
                return [Notice(text=_("That area is not in the list any more."))]
            data["browse"] = lpu.id
        return await _go(ctx, row, data, "where")
    lpu = await ctx.uow.communities.get_lpu(int(value)) if value.isdigit() else None
    if lpu is None:
        return [Notice(text=_("That area is not in the list any more."))]
    data["lpu_id"] = lpu.id
    return await _advance(ctx, row, data)


async def _pick_community(
    ctx: Context, row: EventDraft, data: dict[str, Any], community: Community
) -> Replies:
    if not roles.can_create(
        ctx.user, "surgery", lpu_id=community.lpu_id, community_id=community.id
    ):
        return [
            Text(text=fmt(_("{name} is outside your area."), name=community.name)),
            *await show(ctx, row, data),
        ]
    data["community_id"] = community.id
    return await _advance(ctx, row, data)


# -- saving ------------------------------------------------------------------------------


def _not_allowed_any_more() -> str:
    return _("You cannot organise this here any more: your role or the area has changed.")


async def _save_event(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    user = ctx.user
    kind = data.get("kind")
    starts = _instant(data.get("starts_at"))
    title = data.get("title")
    venue = data.get("venue")
    if kind not in roles.EVENT_KINDS or starts is None or not title or not venue:
        first_missing = (
            "kind"
            if kind not in roles.EVENT_KINDS
            else "title"
            if not title
            else ("when" if starts is None else "venue")
        )
        return [
            Text(text=_("Something is still missing.")),
            *await _go(ctx, row, data, first_missing),
        ]
    if starts <= ctx.now():
        return [
            Text(text=_("That time has already passed. Please give a date and time to come.")),
            *await _go(ctx, row, data, "when"),
        ]
    community, lpu_id, group = await _place(ctx, data)
    community_id = community.id if community is not None else None
    if (kind == "action_group" and group is None) or (community is None and lpu_id is None):
        return [Text(text=_("Please choose where it is.")), *await _go(ctx, row, data, "where")]
    if not roles.can_create(user, str(kind), lpu_id=lpu_id, community_id=community_id):
        await ctx.uow.organisers.drop_draft(row)
        return [Text(text=_not_allowed_any_more(), buttons=keyboard([home_button()]))]
    tz = _zone(data, ctx)
    capacity = _int(data.get("capacity"))
    latitude, longitude = data.get("latitude"), data.get("longitude")
    fields: dict[str, Any] = {
        "kind": kind,
        "title": str(title)[:200],
        "description": str(data.get("description", "")),
        "community_id": community_id,
        # A group's meetings are for its members (they see them in /events), so
        # they belong to the group rather than to the whole LPU.
        "lpu_id": None if community is not None or group is not None else lpu_id,
        "timezone": tz.key,
        "venue": str(venue)[:200],
        "address": str(data.get("address", ""))[:400],
        "latitude": float(latitude) if isinstance(latitude, int | float) else None,
        "longitude": float(longitude) if isinstance(longitude, int | float) else None,
        "accessibility": str(data.get("accessibility", "")),
        "capacity": capacity,
        "organiser_id": user.id,
        "action_group_id": group.id if group is not None else None,
        "source": "chat",
    }
    repeat = str(data.get("repeat", "none"))
    events = await create_events(ctx.uow, fields, starts, repeat, tz)
    await ctx.uow.organisers.drop_draft(row)
    first = events[0]
    told = 0
    if group is not None:
        told = await notify_members(ctx.uow, group, events, ctx.now(), ctx.deps.timezone)
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    lines = [
        fmt(_("✅ <b>Saved:</b> {title}"), title=first.title),
        fmt(_("🕒 {when}"), when=long_when(first.starts_at, tz)),
    ]
    if len(events) > 1:
        lines.append(
            "🔁 "
            + escape(repeat_label(repeat, starts.astimezone(tz)))
            + " "
            + _n(
                "({n} date is in the calendar now.)",
                "({n} dates are in the calendar now.)",
                len(events),
            ).format(n=len(events))
        )
    if group is not None:
        lines.append(
            _n(
                "🤝 {n} member of the group has been told.",
                "🤝 {n} members of the group have been told.",
                told,
            ).format(n=told)
        )
    return [
        Text(text="\n\n".join(lines)),
        *_qr(ctx, first),
        Text(
            text=_("What next?"),
            buttons=keyboard(
                [Button(_("📋 My events"), _org(OrganiserAction.EVENTS))],
                [_menu_button()],
                [home_button()],
            ),
        ),
    ]


async def create_events(
    uow: UnitOfWork, fields: dict[str, Any], starts: datetime, repeat: str, tz: ZoneInfo
) -> list[Event]:
    """Add a one-off event, or a series row and its next occurrences; returns the
    events people can go to, in time order. ``fields`` are the Event's other columns."""
    if repeat not in ("weekly", "monthly"):
        event = Event(
            **fields, starts_at=starts, status="scheduled", checkin_token=deeplink.new_token()
        )
        return [await uow.events.add(event)]
    local = starts.astimezone(tz)
    rule = Rule(
        kind="weekly" if repeat == "weekly" else "monthly",
        weekday=local.weekday(),
        time=time(local.hour, local.minute),
        tz=tz.key,
        starts_on=local.date(),
        nth=_nth(local.day) if repeat == "monthly" else None,
    )
    series = await uow.events.add(
        Event(
            **fields,
            starts_at=starts,
            status="series",
            recurrence=encode_rule(rule),
            checkin_token=deeplink.new_token(),
        )
    )
    instants = [starts, *occurrences(rule, starts, OCCURRENCES_AHEAD - 1)]
    created = []
    for instant in instants:
        created.append(
            await uow.events.add(
                Event(
                    **fields,
                    starts_at=instant.astimezone(UTC),
                    status="scheduled",
                    series_id=series.id,
                    occurrence_of=instant.astimezone(tz).date(),
                    checkin_token=deeplink.new_token(),
                )
            )
        )
    return created


def _meeting_notice(group: ActionGroup, event: Event, tz: ZoneInfo, repeats: bool) -> str:
    """A new meeting, told to a member, in the current locale."""
    place = ", ".join(p for p in (event.venue, event.address) if p)
    lines = [
        fmt(_("🤝 <b>{group}</b> is meeting"), group=group.title),
        f"<b>{escape(event.title)}</b>",
        fmt(_("🕒 {when}"), when=when(event.starts_at, tz)),
    ]
    if repeats:
        lines.append(_("🔁 It meets regularly: see /events for the dates."))
    if place:
        lines.append(f"📍 {escape(place)}")
    return "\n\n".join(lines)


async def notify_members(
    uow: UnitOfWork, group: ActionGroup, events: Sequence[Event], now: datetime, tz: ZoneInfo
) -> int:
    """Tell every member of ``group`` about its new meeting(s), each in their own
    language, and schedule their reminders. Returns how many members were told."""
    assert group.id is not None and events
    first = events[0]
    assert first.id is not None
    members = await uow.groups.members(group.id)
    for member in members:
        assert member.id is not None
        with use_locale(member.language):
            text = _meeting_notice(group, first, tz, len(events) > 1)
            buttons = keyboard(
                [Button(_("Open the event"), encode(EventButton(EventAction.OPEN, first.id)))]
            )
            payload = message_payload(text, buttons)
        await uow.deliveries.schedule(
            key=f"group-meeting:{first.id}:{member.id}",
            kind="message",
            chat_id=member.chat_id,
            user_id=member.id,
            due_at=now,
            payload=payload,
            urgent=True,
        )
        for event in events:
            await service.schedule_reminders(uow, event, member, now)
    return len(members)


async def _members_without_answer(uow: UnitOfWork, event: Event) -> list[User]:
    """Members of the event's action group who have not answered it (the RSVP'd ones
    are handled by ``service.event_changed``)."""
    if event.action_group_id is None or event.id is None:
        return []
    answered = {
        user.id
        for _rsvp, user in await uow.rsvps.attendees(event.id, ("going", "maybe", "no", "waitlist"))
    }
    return [m for m in await uow.groups.members(event.action_group_id) if m.id not in answered]


async def move(uow: UnitOfWork, event: Event, starts: datetime, now: datetime) -> int:
    """Move ``event`` to ``starts``: reminders follow, and everyone coming (and the
    group's members) is told. Returns how many people were told."""
    duration = event.ends_at - event.starts_at if event.ends_at is not None else None
    event.starts_at = starts.astimezone(UTC)
    if duration is not None:
        event.ends_at = event.starts_at + duration
    told = await service.event_changed(uow, event, "moved", now)
    for member in await _members_without_answer(uow, event):
        await service.schedule_reminders(uow, event, member, now)
        await service.notify(uow, event, member, "moved", now)
        told += 1
    return told


async def cancel_event(uow: UnitOfWork, event: Event, now: datetime) -> int:
    """Cancel ``event``: its reminders and pending notices stop, and everyone coming
    (and the group's members) is told. Returns how many people were told."""
    assert event.id is not None
    await uow.deliveries.cancel_prefix(f"notice:{event.id}:")
    await uow.deliveries.cancel_prefix(f"group-meeting:{event.id}:")
    told = await service.event_changed(uow, event, "cancelled", now)
    for member in await _members_without_answer(uow, event):
        assert member.id is not None
        await service.cancel_reminders(uow, event.id, member.id)
        await service.notify(uow, event, member, "cancelled", now)
        told += 1
    return told


async def cancel_series(uow: UnitOfWork, series: Event, now: datetime) -> int:
    """Cancel a series and every occurrence still to come; returns how many were told."""
    assert series.id is not None
    told = 0
    for occurrence in await uow.organisers.occurrences(series.id, now):
        told += await cancel_event(uow, occurrence, now)
    series.status = "cancelled"
    uow.session.add(series)
    await uow.session.flush()
    return told


async def _apply_move(
    ctx: Context, row: EventDraft, data: dict[str, Any], starts: datetime
) -> Replies:
    event = await ctx.uow.events.get(_int(data.get("event_id")) or 0)
    await ctx.uow.organisers.drop_draft(row)
    if event is None or event.status != "scheduled" or not await can_manage(ctx, event):
        return [Text(text=_not_allowed_any_more(), buttons=keyboard([home_button()]))]
    told = await move(ctx.uow, event, starts, ctx.now())
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    tz = _zone(data, ctx)
    text = "\n\n".join(
        [
            fmt(
                _("🔁 <b>{title}</b> is now on {when}."),
                title=event.title,
                when=long_when(event.starts_at, tz),
            ),
            _n(
                "{n} person who is coming has been told.",
                "{n} people who are coming have been told.",
                told,
            ).format(n=told),
        ]
    )
    return [Text(text=text, buttons=keyboard([_back_to_event(event)], [_menu_button()]))]


async def _create_group(ctx: Context, row: EventDraft, data: dict[str, Any]) -> Replies:
    user = ctx.user
    lpu_id = _int(data.get("lpu_id")) if roles.everywhere(user) else user.role_lpu_id
    title = data.get("title")
    if not title:
        return await _go(ctx, row, data, "gtitle")
    if lpu_id is None and roles.everywhere(user):
        return await _go(ctx, row, data, "glpu")
    await ctx.uow.organisers.drop_draft(row)
    if not roles.can_create_group(user, lpu_id):
        return [Text(text=_not_allowed_any_more(), buttons=keyboard([home_button()]))]
    assert lpu_id is not None
    group = await ctx.uow.groups.add(
        ActionGroup(
            lpu_id=lpu_id,
            title=str(title)[:200],
            description=str(data.get("description", "")),
            organiser_id=user.id,
        )
    )
    lpu = await ctx.uow.communities.get_lpu(lpu_id)
    return [
        Text(
            text=fmt(
                _(
                    "🤝 <b>{title}</b> has started in {area}.\n\nResidents there can join it "
                    "with /groups. To plan its first meeting, choose “New event”, then "
                    "“Action Group meeting”."
                ),
                title=group.title,
                area=lpu.name if lpu else "",
            ),
            buttons=keyboard(
                [Button(_("➕ New event"), _org(OrganiserAction.NEW))], [_menu_button()]
            ),
        )
    ]


# -- managing events ---------------------------------------------------------------------


def _back_to_event(event: Event) -> Button:
    return Button(_("◀️ Back to the event"), _org(OrganiserAction.OPEN, event.id or 0))


async def managed_events(ctx: Context) -> list[Event]:
    """Upcoming events ``ctx.user`` may manage, soonest first."""
    user = ctx.user
    lpu_id = user.role_lpu_id if user.role in ("organiser", "sergeant", "inspector") else None
    community_id = user.role_community_id if user.role in ("pcso", "officer") else None
    found = await ctx.uow.organisers.upcoming_events(
        ctx.now(),
        everywhere=roles.everywhere(user),
        lpu_id=lpu_id,
        community_id=community_id,
        organiser_id=ctx.user_id,
    )
    return [e for e in found if await can_manage(ctx, e)]


async def my_events(ctx: Context) -> Replies:
    events = await managed_events(ctx)
    if not events:
        return [
            Text(
                text=_("You have no events coming up. Tap “New event” to plan one."),
                buttons=keyboard(
                    [Button(_("➕ New event"), _org(OrganiserAction.NEW))], [_menu_button()]
                ),
            )
        ]
    rows = [
        [Button(render.list_label(e, ctx.deps.timezone), _org(OrganiserAction.OPEN, e.id or 0))]
        for e in events[:LIST_LIMIT]
    ]
    return [
        Text(
            text=_("<b>My events</b>\n\nTap one to change it, cancel it or see who is coming."),
            buttons=keyboard(*rows, [_menu_button()]),
        )
    ]


async def _manageable(ctx: Context, event_id: int) -> Event | None:
    event = await ctx.uow.events.get(event_id)
    if event is None or event.status == "series" or not await can_manage(ctx, event):
        return None
    return event


async def open_for_organiser(ctx: Context, event: Event) -> Replies:
    assert event.id is not None
    tz = ZoneInfo(event.timezone) if event.timezone else ctx.deps.timezone
    counts = (await ctx.uow.organisers.rsvp_counts([event.id]))[event.id]
    lines = [
        f"{render.KIND_ICONS.get(event.kind, '📅')} <b>{escape(event.title)}</b>",
        f"<i>{render.kind_label(event.kind)}</i>",
    ]
    if event.status == "cancelled":
        lines.append(_("<b>This event has been cancelled.</b>"))
    lines.append(fmt(_("🕒 {when}"), when=long_when(event.starts_at, tz)))
    if event.series_id is not None:
        lines.append(_("🔁 One date of a repeating event."))
    place = ", ".join(p for p in (event.venue, event.address) if p)
    if place:
        lines.append(f"📍 {escape(place)}")
    lines.append(_counts_line(counts, event.capacity))
    o = event.id
    rows: list[list[Button]] = []
    if event.status == "scheduled":
        rows.append([Button(_("🕒 Change the time"), _org(OrganiserAction.MOVE, o))])
        rows.append([Button(_("👥 Who is coming"), _org(OrganiserAction.WHO, o))])
        rows.append([Button(_("🔳 QR code and link"), _org(OrganiserAction.QR, o))])
        if event.series_id is not None:
            rows.append([Button(_("❌ Cancel this date"), _org(OrganiserAction.CANCEL_ONE, o))])
            rows.append([Button(_("🗓 Cancel every date"), _org(OrganiserAction.CANCEL_SERIES, o))])
        else:
            rows.append([Button(_("❌ Cancel the event"), _org(OrganiserAction.CANCEL_ONE, o))])
    rows.append([Button(_("◀️ My events"), _org(OrganiserAction.EVENTS))])
    return [Text(text="\n\n".join(lines), buttons=keyboard(*rows))]


def _counts_line(counts: dict[str, int], capacity: int | None) -> str:
    line = fmt(
        _(
            "✅ Going: {going} · 🤔 Maybe: {maybe} · ⏳ Waiting: {waitlist} · 🎟 Checked in: {checked}"
        ),
        going=counts.get("going", 0),
        maybe=counts.get("maybe", 0),
        waitlist=counts.get("waitlist", 0),
        checked=counts.get("checked_in", 0),
    )
    if capacity is not None:
        line += "\n" + _n("Room for {n} person.", "Room for {n} people.", capacity).format(
            n=capacity
        )
    return line


async def who_is_coming(ctx: Context, event: Event) -> Replies:
    assert event.id is not None
    counts = (await ctx.uow.organisers.rsvp_counts([event.id]))[event.id]
    attendees = await ctx.uow.rsvps.attendees(event.id, ("going", "maybe", "waitlist"))
    lines = [
        fmt(_("<b>Who is coming: {title}</b>"), title=event.title),
        _counts_line(counts, event.capacity),
    ]
    headings = {
        "going": _("✅ Going"),
        "maybe": _("🤔 Maybe"),
        "waitlist": _("⏳ Waiting list"),
    }
    for status, heading in headings.items():
        names = [
            (user.first_name or _("(no name)")) + (" 🎟" if rsvp.checked_in_at else "")
            for rsvp, user in attendees
            if rsvp.status == status
        ]
        if not names:
            continue
        shown = ", ".join(escape(n) for n in names[:NAMES_SHOWN])
        more = len(names) - NAMES_SHOWN
        if more > 0:
            shown += " " + _n("and {n} more", "and {n} more", more).format(n=more)
        lines.append(f"<b>{heading}</b>: {shown}")
    return [Text(text="\n\n".join(lines), buttons=keyboard([_back_to_event(event)]))]


def _confirm_cancel(event: Event, tz: ZoneInfo, series: bool) -> Text:
    o = event.id or 0
    if series:
        question = fmt(
            _(
                "Cancel <b>every date still to come</b> of {title}? Everyone who said they "
                "are coming will be told."
            ),
            title=event.title,
        )
        yes = Button(_("Yes, cancel every date"), _org(OrganiserAction.CONFIRM_SERIES, o))
    else:
        question = fmt(
            _("Cancel {title} on {when}? Everyone who said they are coming will be told."),
            title=event.title,
            when=long_when(event.starts_at, tz),
        )
        yes = Button(_("Yes, cancel it"), _org(OrganiserAction.CONFIRM_ONE, o))
    return Text(
        text=question,
        buttons=keyboard([yes], [Button(_("No, keep it"), _org(OrganiserAction.OPEN, o))]),
    )


async def on_organiser_button(ctx: Context, press: Organiser) -> Replies:
    """An organiser menu button: the role and scope are checked again, here and now."""
    if not roles.is_staff(ctx.user):
        return _refused_notice()
    action = press.action
    if action is OrganiserAction.MENU:
        return await menu(ctx)
    if action is OrganiserAction.NEW:
        return await new_event(ctx)
    if action is OrganiserAction.NEW_GROUP:
        return await new_group(ctx)
    if action is OrganiserAction.RESUME:
        row = await ctx.uow.organisers.draft_for(ctx.user_id)
        if row is None:
            return await menu(ctx)
        await ctx.uow.organisers.save_draft(row)  # the newest again: free text comes here
        return await show(ctx, row, _data(row))
    if action is OrganiserAction.EVENTS:
        return await my_events(ctx)
    if action is OrganiserAction.GROUPS:
        return await my_groups(ctx)
    event = await _manageable(ctx, press.event)
    if event is None:
        return [Notice(text=_("You cannot manage that event."), alert=True)]
    tz = ZoneInfo(event.timezone) if event.timezone else ctx.deps.timezone
    if action is OrganiserAction.OPEN:
        return await open_for_organiser(ctx, event)
    if action is OrganiserAction.WHO:
        return await who_is_coming(ctx, event)
    if action is OrganiserAction.QR:
        return [*_qr(ctx, event), Text(text=_("Done."), buttons=keyboard([_back_to_event(event)]))]
    if event.status != "scheduled":
        return [Notice(text=_("This event has been cancelled."), alert=True)]
    if action is OrganiserAction.MOVE:
        return await move_event(ctx, event)
    if action is OrganiserAction.CANCEL_ONE:
        return [_confirm_cancel(event, tz, series=False)]
    if action is OrganiserAction.CANCEL_SERIES and event.series_id is not None:
        return [_confirm_cancel(event, tz, series=True)]
    if action is OrganiserAction.CONFIRM_ONE:
        told = await cancel_event(ctx.uow, event, ctx.now())
        return _cancelled(ctx, told)
    if action is OrganiserAction.CONFIRM_SERIES and event.series_id is not None:
        series = await ctx.uow.events.get(event.series_id)
        if series is None or not await can_manage(ctx, series):
            return [Notice(text=_("You cannot manage that event."), alert=True)]
        told = await cancel_series(ctx.uow, series, ctx.now())
        return _cancelled(ctx, told)
    return [Notice(text=_("That button does not work here."))]


def _cancelled(ctx: Context, told: int) -> Replies:
    if ctx.deps.wake is not None:
        ctx.deps.wake()
    return [
        Text(
            text=_("❌ Cancelled.")
            + " "
            + _n(
                "{n} person who was coming has been told.",
                "{n} people who were coming have been told.",
                told,
            ).format(n=told),
            buttons=keyboard([Button(_("📋 My events"), _org(OrganiserAction.EVENTS))]),
        )
    ]


# -- action groups -----------------------------------------------------------------------


async def my_groups(ctx: Context) -> Replies:
    groups = await _scope_groups(ctx)
    if not groups:
        text = _("There are no action groups in your area yet.")
    else:
        counts = await ctx.uow.organisers.member_counts([g.id for g in groups if g.id is not None])
        lines = [_("<b>Action groups</b>")]
        for group in groups[:LIST_LIMIT]:
            n = counts.get(group.id or 0, 0)
            members = _n("{n} member", "{n} members", n).format(n=n)
            lines.append(f"🤝 <b>{escape(group.title)}</b> · {members}")
        text = "\n\n".join(lines)
    rows: list[list[Button]] = []
    if ctx.user.role in ("organiser", "admin", "sergeant", "inspector"):
        rows.append([Button(_("🤝 New action group"), _org(OrganiserAction.NEW_GROUP))])
    return [Text(text=text, buttons=keyboard(*rows, [_menu_button()]))]
