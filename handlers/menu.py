"""The main menu, help, and answers to things the bot cannot use."""

from __future__ import annotations

from handlers import roles
from handlers.callbacks import (
    EventAction,
    EventButton,
    Menu,
    MenuAction,
    OfficerAction,
    Officers,
    Organiser,
    OrganiserAction,
    StartQuestionnaire,
)
from handlers.context import Context
from handlers.conversation import flow
from handlers.directory.resident import menu_button as directory_button
from handlers.funding import route as funding
from handlers.i18n import _
from handlers.language import choose as language_choice
from handlers.markup import fmt
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button
from handlers.shown_text import one_line

Replies = list[OutboundReply]


def emergency_advice() -> str:
    return _(
        "<b>Not for emergencies.</b> If someone is in danger or a crime is happening now, call 999. "
        "If you cannot speak, call 999 and press 55 when asked. "
        "To report a crime that is not an emergency, call 101 or report it online at police.uk."
    )


def _questionnaire_buttons(ctx: Context) -> list[list[Button]]:
    order = ["resident", "organisation"]
    available = [qid for qid in order if qid in ctx.deps.questionnaires]
    available += sorted(set(ctx.deps.questionnaires) - set(order))
    icons = {"resident": "🗣", "organisation": "🏢"}
    return [
        [
            Button(
                f"{icons.get(qid, '📝')} {ctx.deps.questionnaires[qid].title_text()}",
                encode(StartQuestionnaire(qid)),
            )
        ]
        for qid in available
    ]


async def home(ctx: Context) -> Replies:
    ctx.user.awaiting = ""
    ctx.uow.session.add(ctx.user)
    name = one_line(ctx.user.first_name) or _("there")
    conv = await ctx.uow.conversations.active_for(ctx.user_id)
    if conv is not None:
        title = flow.questionnaire_of(ctx, conv).title_text()
        return [
            Text(
                text=fmt(
                    _("Welcome back, {name}. You have not finished “{title}”."),
                    name=name,
                    title=title,
                ),
                buttons=keyboard(
                    [Button(_("▶️ Continue where you left off"), encode(Menu(MenuAction.RESUME)))],
                    [Button(_("🔄 Start again"), encode(Menu(MenuAction.RESTART)))],
                    [Button(_("❓ Help"), encode(Menu(MenuAction.HELP)))],
                    [quick_exit_button()],
                ),
            )
        ]
    text = fmt(
        _(
            "Hello {name}! I am Chinwag, the community chat for your neighbourhood policing team and "
            "local partners.\n\nWhat would you like to do?"
        ),
        name=name,
    )
    rows = _questionnaire_buttons(ctx)
    rows.insert(1, [Button(_("👮 Find my officer"), encode(Officers(OfficerAction.FIND)))])
    rows.insert(2, [Button(_("📅 What's on"), encode(EventButton(EventAction.LIST)))])
    rows.insert(3, [directory_button()])
    rows.insert(4, [funding.menu_button()])
    if roles.is_staff(ctx.user):
        rows.append([Button(_("🗂 Organise"), encode(Organiser(OrganiserAction.MENU)))])
    rows.append(
        [Button(_("❓ Help"), encode(Menu(MenuAction.HELP))), language_choice.menu_button()]
    )
    rows.append([quick_exit_button()])
    return [Text(text=text, buttons=keyboard(*rows))]


async def help_(ctx: Context) -> Replies:
    text = "\n\n".join(
        [
            _("<b>How to use Chinwag</b>"),
            _("Tap the buttons, or type your answers in your own words."),
            _(
                "/start – main menu\n/officer – find your local policing team\n"
                "/events – what is on near you\n/groups – action groups near you\n"
                "/directory – clubs, groups and support near you\n"
                "/funding – money for local projects\n"
                "/reminders – when to remind you\n/quiet – your quiet hours\n"
                "/language – change the language\n"
                "/back – go back one step\n"
                "/skip – skip an optional question\n"
                "/cancel – stop and delete this conversation's answers\n/help – this help"
            ),
            _("To see what we hold about you, send /mydata. To delete it, send /forget."),
            _("🚪 Quick exit (or /exit) deletes this chat's messages from the last two days."),
            emergency_advice(),
        ]
    )
    return [Text(text=text, buttons=keyboard([flow.home_button(), quick_exit_button()]))]


async def resume(ctx: Context) -> Replies:
    conv = await ctx.uow.conversations.active_for(ctx.user_id)
    if conv is None:
        return await home(ctx)
    return [await flow.show(ctx, conv)]


async def restart(ctx: Context) -> Replies:
    conv = await ctx.uow.conversations.active_for(ctx.user_id)
    if conv is None:
        return await home(ctx)
    questionnaire_id = conv.questionnaire
    await flow.cancel(ctx, conv)
    return await flow.start(ctx, questionnaire_id)


async def start_questionnaire(ctx: Context, questionnaire_id: str) -> Replies:
    if questionnaire_id not in ctx.deps.questionnaires:
        return await home(ctx)
    if await ctx.uow.conversations.active_for(ctx.user_id) is not None:
        return await home(ctx)  # offers continue or start again
    return await flow.start(ctx, questionnaire_id)


async def unknown_command(ctx: Context) -> Replies:
    return [Text(text=_("I do not know that command. Send /help to see what I can do."))]


async def unsupported(ctx: Context) -> Replies:
    return [
        Text(
            text=_(
                "Sorry, I can only read text messages and button taps. Please type your message."
            )
        )
    ]


async def nothing_to_do(ctx: Context) -> Replies:
    return [Text(text=_("There is nothing to go back to or skip right now.")), *await home(ctx)]
