"""The resident's quiet hours: /quiet (or from /reminders), a few presets, off, or their own."""

from __future__ import annotations

from handlers.callbacks import QuietChoice, QuietHours
from handlers.context import Context
from handlers.conversation.flow import home_button
from handlers.events.resident import reminder_menu
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.quiet_hours.window import DEFAULT, Window, parse, stored, window_of
from handlers.safety.quick_exit import quick_exit_button

Replies = list[OutboundReply]
AWAITING = "quiet"  # ``users.awaiting`` while we wait for typed times

PRESETS = {
    QuietChoice.NIGHT: DEFAULT,
    QuietChoice.LATE: "22:00-07:00",
    QuietChoice.LONG: "20:00-09:00",
    QuietChoice.SHORT: "23:00-07:00",
    QuietChoice.OFF: "",
}


def _span(window: Window) -> str:
    """E.g. "21:00–08:00", for labels."""
    return f"{window.start:%H:%M}–{window.end:%H:%M}"


def _now_line(window: Window | None) -> str:
    if window is None:
        return _("Now: <b>off</b>. Messages come at any time.")
    return fmt(
        _("Now: quiet from <b>{start}</b> to <b>{end}</b>."),
        start=f"{window.start:%H:%M}",
        end=f"{window.end:%H:%M}",
    )


def menu(ctx: Context, event_id: int = 0) -> Text:
    """The quiet hours menu, the current choice ticked."""
    current = window_of(ctx.user.quiet_hours)
    setting = stored(current)

    def choice(option: QuietChoice, label: str) -> list[Button]:
        tick = "✔️ " if PRESETS[option] == setting else ""
        return [Button(tick + label, encode(QuietHours(option, event_id)))]

    presets = []
    for option, value in PRESETS.items():
        window = parse(value)
        if window is None:
            continue  # "off" has its own button, below
        label = _span(window)
        if option is QuietChoice.NIGHT:
            label = _("{span} (usual)").format(span=label)
        presets.append(choice(option, "🌙 " + label))
    own = _("✏️ My own times")
    if setting not in PRESETS.values() and current is not None:
        own = "✔️ " + _("✏️ My own times: {span}").format(span=_span(current))
    text = "\n\n".join(
        [
            _("🌙 <b>Quiet hours</b>"),
            _(
                "At night I keep messages that can wait, such as reminders for the next day "
                "and news from your team, and send them when your quiet hours end. "
                "Urgent messages still come straight away."
            ),
            _now_line(current),
        ]
    )
    return Text(
        text=text,
        buttons=keyboard(
            *presets,
            choice(QuietChoice.OFF, _("🔔 Off: send at any time")),
            [Button(own, encode(QuietHours(QuietChoice.TYPE, event_id)))],
            [Button(_("◀️ Reminders"), encode(QuietHours(QuietChoice.REMINDERS, event_id)))],
        ),
    )


async def start(ctx: Context) -> Replies:
    """``/quiet``."""
    return [menu(ctx)]


async def _save(ctx: Context, setting: str) -> None:
    ctx.user.quiet_hours = setting
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    # Messages already held go out again at once, and wait only if the new window says so.
    if await ctx.uow.deliveries.release_held(ctx.user_id, ctx.now()) and ctx.deps.wake:
        ctx.deps.wake()


async def on_button(ctx: Context, press: QuietHours) -> Replies:
    if press.choice is QuietChoice.MENU:
        shown = menu(ctx, press.event)
        return [Edit(text=shown.text, buttons=shown.buttons)]
    if press.choice is QuietChoice.REMINDERS:
        shown = reminder_menu(ctx, press.event)
        return [Edit(text=shown.text, buttons=shown.buttons)]
    if press.choice is QuietChoice.TYPE:
        ctx.user.awaiting = AWAITING
        ctx.uow.session.add(ctx.user)
        return [
            Text(
                text=_(
                    "Send the times you want to be quiet, from and to, for example "
                    "<b>22:30-06:30</b>."
                ),
                buttons=keyboard([home_button(), quick_exit_button()]),
            )
        ]
    await _save(ctx, PRESETS[press.choice])
    shown = menu(ctx, press.event)
    return [Notice(text=_("Saved.")), Edit(text=shown.text, buttons=shown.buttons)]


async def on_text(ctx: Context, text: str) -> Replies:
    """Times typed after "My own times"."""
    window = parse(text)
    if window is None:
        return [
            Text(
                text=_(
                    "Sorry, I could not read that. Please send two times on the 24-hour "
                    "clock, from and to, for example <b>22:30-06:30</b>."
                ),
                buttons=keyboard([home_button(), quick_exit_button()]),
            )
        ]
    await _save(ctx, stored(window))
    return [Text(text=_("Saved.")), menu(ctx)]
