"""Organisers poll the people at an event or in an action group (``/poll``).

The draft is the ``polls`` row itself (status "draft"): choose the audience, send
the question and options in one message, choose single or several answers and
anonymous or named, then send; or let the top themes residents raised be the
options (a priority poll). Results update as answers arrive; the poll can be
closed and exported as CSV. Every step re-checks the organiser's stored role.
"""

from __future__ import annotations

import json

from handlers.callbacks import PollAction, PollButton
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events import polls
from handlers.events.render import list_label
from handlers.i18n import _, _n
from handlers.markup import escape, fmt
from handlers.outbound import Button, Edit, Keyboard, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.reports import priorities
from handlers.roles import can_manage, can_manage_group, is_staff
from handlers.staff.guard import log_refused
from handlers.text_input import clean
from storage.models import Poll, User

Replies = list[OutboundReply]
AWAITING_PREFIX = "poll:"
ATTENDING = ("going",)


def _b(label: str, action: PollAction, poll: int = 0, target: int = 0) -> Button:
    return Button(label, encode(PollButton(action, poll, target)))


async def start(ctx: Context) -> Replies:
    if not is_staff(ctx.user):
        log_refused(ctx, "poll")
        return [Text(text=_("Only organisers and policing teams can send polls."))]
    rows: list[list[Button]] = []
    for event in await ctx.uow.events.upcoming_any(ctx.now(), 50):
        if can_manage(ctx.user, event) and event.id is not None:
            rows.append(
                [_b(list_label(event, ctx.deps.timezone), PollAction.AUDIENCE_EVENT, 0, event.id)]
            )
    for group in await ctx.uow.groups.all_open():
        if can_manage_group(ctx.user, group) and group.id is not None:
            rows.append([_b(f"🤝 {group.title}"[:60], PollAction.AUDIENCE_GROUP, 0, group.id)])
    if not rows:
        return [Text(text=_("You have no upcoming events or action groups to poll yet."))]
    return [
        Text(
            text=_(
                "<b>Who is the poll for?</b>\n\nPeople going to an event (or checked in there), "
                "or the members of an action group."
            ),
            buttons=keyboard(*rows[:20], [home_button()]),
        )
    ]


async def _recipients(ctx: Context, poll: Poll) -> list[User]:
    if poll.event_id is not None:
        people = await ctx.uow.rsvps.attendees(poll.event_id, ("going", "maybe", "no", "waitlist"))
        return [u for r, u in people if r.status in ATTENDING or r.checked_in_at is not None]
    if poll.action_group_id is not None:
        return list(await ctx.uow.groups.members(poll.action_group_id))
    return []


async def choose_audience(ctx: Context, press: PollButton) -> Replies:
    if press.action is PollAction.AUDIENCE_EVENT:
        event = await ctx.uow.events.get(press.target)
        if event is None or not can_manage(ctx.user, event):
            return refused(ctx, "poll audience")
        poll = Poll(
            question="", options="[]", event_id=event.id, organiser_id=ctx.user_id, status="draft"
        )
    else:
        group = await ctx.uow.groups.get(press.target)
        if group is None or not can_manage_group(ctx.user, group):
            return refused(ctx, "poll audience")
        poll = Poll(
            question="",
            options="[]",
            action_group_id=group.id,
            organiser_id=ctx.user_id,
            status="draft",
        )
    await ctx.uow.polls.add(poll)
    assert poll.id is not None
    ctx.user.awaiting = f"{AWAITING_PREFIX}{poll.id}"
    ctx.uow.session.add(ctx.user)
    return [
        Text(
            text=_(
                "Send the question on the first line, then each option on its own line "
                "(2 to 10 options).\n\nFor example:\nWhat should we talk about first?\n"
                "Speeding\nLitter\nYouth club"
            ),
            buttons=keyboard([_b(_("✨ Use the top themes"), PollAction.THEMES, poll.id)]),
        )
    ]


async def _from_themes(ctx: Context, poll: Poll) -> Replies:
    """Fill the draft with the top themes residents raised, as a priority poll."""
    options = await priorities.theme_options(ctx.uow, poll)
    if len(options) < 2:
        return [
            Text(
                text=_(
                    "There are not enough answers yet to suggest themes. "
                    "Send the question and the options yourself."
                )
            )
        ]
    poll.question = _("Which of these should we work on first?")
    poll.options = json.dumps(options, ensure_ascii=False)
    poll.allows_multiple = True
    ctx.uow.session.add(poll)
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    return [await _preview(ctx, poll)]


async def on_text(ctx: Context, poll_id: int, raw: str) -> Replies:
    poll = await ctx.uow.polls.get(poll_id)
    if poll is None or poll.status != "draft" or poll.organiser_id != ctx.user_id:
        ctx.user.awaiting = ""
        return [Text(text=_("That poll is no longer being written. Send /poll to start again."))]
    lines = [line.strip() for line in clean(raw).splitlines() if line.strip()]
    question, options = (lines[0], lines[1:]) if lines else ("", [])
    try:
        polls.validate(question, options)
    except polls.PollError as problem:
        return [Text(text=escape(str(problem)))]
    poll.question, poll.options = question, json.dumps(options, ensure_ascii=False)
    ctx.uow.session.add(poll)
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    return [await _preview(ctx, poll)]


async def _preview(ctx: Context, poll: Poll) -> Text:
    assert poll.id is not None
    count = len(await _recipients(ctx, poll))
    options = "\n".join(f"• {escape(o)}" for o in polls.options_of(poll))
    kind = _("Several answers allowed") if poll.allows_multiple else _("One answer each")
    privacy = _("Anonymous") if poll.anonymous else _("Named: you will see who chose what")
    text = "\n\n".join(
        [
            fmt(_("📊 <b>{question}</b>"), question=poll.question),
            options,
            f"{kind}\n{privacy}",
            _n("It will go to {n} person.", "It will go to {n} people.", count).format(n=count),
        ]
    )
    return Text(
        text=text,
        buttons=keyboard(
            [
                _b(_("🔁 One or several answers"), PollAction.MULTIPLE, poll.id),
                _b(_("🕶 Anonymous or named"), PollAction.ANONYMOUS, poll.id),
            ],
            [
                _b(_("📨 Send the poll"), PollAction.SEND, poll.id),
                _b(_("✖️ Discard"), PollAction.DISCARD, poll.id),
            ],
        ),
    )


def _manage_buttons(poll: Poll) -> Keyboard:
    assert poll.id is not None
    rows = [
        [
            _b(_("🔄 Refresh results"), PollAction.RESULTS, poll.id),
            _b(_("📄 Export CSV"), PollAction.EXPORT, poll.id),
        ]
    ]
    if poll.status == "open":
        rows.append([_b(_("🔒 Close the poll"), PollAction.CLOSE, poll.id)])
    return keyboard(*rows)


def refused(ctx: Context, what: str) -> Replies:
    """Refuse a staff action the stored role does not allow (whatever the button said)."""
    log_refused(ctx, what)
    return [Notice(text=_("You cannot do that."), alert=True)]


async def on_button(ctx: Context, press: PollButton) -> Replies:
    if press.action in (PollAction.AUDIENCE_EVENT, PollAction.AUDIENCE_GROUP):
        if not is_staff(ctx.user):
            return refused(ctx, "poll audience")
        return await choose_audience(ctx, press)
    poll = await ctx.uow.polls.get(press.poll)
    if poll is None or poll.organiser_id != ctx.user_id or not is_staff(ctx.user):
        return refused(ctx, f"poll {press.action.value}")
    if press.action in (PollAction.MULTIPLE, PollAction.ANONYMOUS) and poll.status == "draft":
        if press.action is PollAction.MULTIPLE:
            poll.allows_multiple = not poll.allows_multiple
        else:
            poll.anonymous = not poll.anonymous
        ctx.uow.session.add(poll)
        page = await _preview(ctx, poll)
        return [Edit(text=page.text, buttons=page.buttons)]
    if press.action is PollAction.THEMES and poll.status == "draft":
        return await _from_themes(ctx, poll)
    if press.action is PollAction.DISCARD and poll.status == "draft":
        poll.status = "discarded"
        ctx.uow.session.add(poll)
        return [Edit(text=_("Poll discarded."))]
    if press.action is PollAction.SEND and poll.status == "draft":
        poll.status = "open"
        ctx.uow.session.add(poll)
        sent = await polls.send_poll(ctx.uow, poll, await _recipients(ctx, poll), ctx.now())
        if ctx.deps.wake is not None:
            ctx.deps.wake()
        note = _n("Sending to {n} person.", "Sending to {n} people.", sent).format(n=sent)
        results = await polls.results(ctx.uow, poll)
        return [Edit(text=note), Text(text=results.text, buttons=_manage_buttons(poll))]
    if press.action is PollAction.CLOSE and poll.status == "open":
        await polls.close(ctx.uow, poll, ctx.now())
        if ctx.deps.wake is not None:
            ctx.deps.wake()
    if press.action is PollAction.EXPORT:
        return [await polls.export_csv(ctx.uow, poll)]
    results = await polls.results(ctx.uow, poll)
    return [Edit(text=results.text, buttons=_manage_buttons(poll))]
