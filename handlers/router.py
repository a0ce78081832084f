"""Which handler an inbound event goes to."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from handlers import data_rights, menu
from handlers.broadcasts import flow as broadcasts
from handlers.broadcasts import mute
from handlers.broadcasts import presses as broadcast_presses
from handlers.broadcasts.buttons import BroadcastButton, MuteButton
from handlers.callbacks import (
    DataRights,
    DraftButton,
    EventButton,
    GroupButton,
    Menu,
    MenuAction,
    Officers,
    Organiser,
    PollButton,
    QuietHours,
    Reminders,
    StartQuestionnaire,
    StepButton,
)
from handlers.context import Context
from handlers.conversation import flow
from handlers.conversation.questionnaire import StepKind
from handlers.directory import presses as directory
from handlers.directory import resident as directory_resident
from handlers.directory.buttons import DirectoryButton
from handlers.events import checkin, poll_flow, polls
from handlers.events import groups as action_groups
from handlers.events import resident as events
from handlers.events.organise import advance, drafts, presses
from handlers.events.organise import answers as draft_answers
from handlers.events.organise import menu as organise_menu
from handlers.funding import route as funding
from handlers.funding.buttons import FundingButton
from handlers.i18n import _
from handlers.inbound import (
    ButtonPress,
    Command,
    ContactShared,
    LocationShared,
    PhotoShared,
    PollAnswer,
    TextMessage,
)
from handlers.language import choose as language
from handlers.language.buttons import LanguageButton
from handlers.officers import flow as officers
from handlers.outbound import Notice, OutboundReply, Text
from handlers.payloads import decode
from handlers.quiet_hours import settings as quiet_hours
from handlers.reports import chat as report_chat
from handlers.reports import loop
from handlers.reports.buttons import LoopButton
from handlers.safety import quick_exit
from handlers.staff import accept as staff_invite
from handlers.staff import dashboard

Replies = list[OutboundReply]
Handler = Callable[[Context], Awaitable[Replies]]

MENU_ACTIONS: dict[MenuAction, Handler] = {
    MenuAction.HOME: menu.home,
    MenuAction.HELP: menu.help_,
    MenuAction.RESUME: menu.resume,
    MenuAction.RESTART: menu.restart,
    MenuAction.EXIT: quick_exit.quick_exit,
}


async def _with_conversation(ctx: Context, action: Callable[..., Awaitable[Replies]]) -> Replies:
    conv = await ctx.uow.conversations.active_for(ctx.user_id)
    if conv is None:
        return await menu.nothing_to_do(ctx)
    return await action(ctx, conv)


async def _command(ctx: Context, command: Command) -> Replies:
    name = command.name
    if name == "exit":
        return await quick_exit.quick_exit(ctx)
    if name == "start" and command.payload:
        linked = await checkin.from_start_payload(ctx, command.payload)
        if linked is None:
            linked = await staff_invite.from_start_payload(ctx, command.payload)
        if linked is not None:
            return linked
    if name in ("start", "menu"):
        return await menu.home(ctx)
    if name == "poll":
        return await poll_flow.start(ctx)
    if name == "report":
        return await report_chat.send_report(ctx, command.payload)
    if name == "wedid":
        return await loop.start(ctx)
    if name == "broadcast":
        return await broadcasts.start(ctx)
    if name in ("language", "lang"):
        return language.menu(ctx)
    if name == "events":
        return await events.list_events(ctx)
    if name == "reminders":
        return [events.reminder_menu(ctx, 0)]
    if name == "quiet":
        return await quiet_hours.start(ctx)
    if name == "help":
        return await menu.help_(ctx)
    if name in ("officer", "team"):
        return await officers.start(ctx)
    if name == "mydata":
        return await data_rights.my_data(ctx)
    if name == "forget":
        return await data_rights.forget(ctx)
    if name in ("organise", "organize"):
        return await organise_menu.start(ctx)
    if name == "funding":
        return await funding.home(ctx)
    if name == "dashboard":
        return await dashboard.send_link(ctx)
    if name == "groups":
        return await action_groups.list_groups(ctx)
    if name == "directory":
        return await directory_resident.start(ctx, command.payload)
    if name == "cancel" and funding.awaiting(ctx) is not None:
        return await funding.on_cancel(ctx)
    writing = broadcasts.awaited_id(ctx.user.awaiting)
    if name == "cancel" and writing is not None:
        return await broadcasts.cancel(ctx, writing)
    if name in ("cancel", "back", "skip"):
        conv = await ctx.uow.conversations.active_for(ctx.user_id)
        draft = await drafts.active_draft(ctx, conv)
        if draft is not None:
            step = {"cancel": drafts.cancel, "back": drafts.back, "skip": advance.skip}
            return await step[name](ctx, draft)
    if name == "cancel":
        return await _with_conversation(ctx, flow.cancel)
    if name == "back":
        return await _with_conversation(ctx, flow.back)
    if name == "skip":
        return await _with_conversation(ctx, flow.skip)
    return await menu.unknown_command(ctx)


async def _button(ctx: Context, press: ButtonPress) -> Replies:
    data = decode(press.data)
    if isinstance(data, Menu):
        if data.action is MenuAction.CANCEL:
            return await _with_conversation(ctx, flow.cancel)
        return await MENU_ACTIONS[data.action](ctx)
    if isinstance(data, PollButton):
        return await poll_flow.on_button(ctx, data)
    if isinstance(data, LoopButton):
        return await loop.on_button(ctx, data)
    if isinstance(data, BroadcastButton):
        return await broadcast_presses.on_button(ctx, data)
    if isinstance(data, DirectoryButton):
        return await directory.on_button(ctx, data)
    if isinstance(data, FundingButton):
        return await funding.on_button(ctx, data)
    if isinstance(data, MuteButton):
        return await mute.on_button(ctx, data)
    if isinstance(data, LanguageButton):
        return await language.on_button(ctx, data)
    if isinstance(data, EventButton):
        return await events.on_button(ctx, data)
    if isinstance(data, Reminders):
        return await events.set_reminders(ctx, data)
    if isinstance(data, QuietHours):
        return await quiet_hours.on_button(ctx, data)
    if isinstance(data, Officers):
        return await officers.on_button(ctx, data)
    if isinstance(data, DraftButton):
        ctx.user.awaiting = ""  # back in the draft: its step waits for the text now
        return await presses.on_draft_button(ctx, data)
    if isinstance(data, Organiser):
        return await organise_menu.on_organiser_button(ctx, data)
    if isinstance(data, GroupButton):
        return await action_groups.on_button(ctx, data)
    if isinstance(data, DataRights):
        return await data_rights.on_button(ctx, data)
    if isinstance(data, StartQuestionnaire):
        return await menu.start_questionnaire(ctx, data.questionnaire)
    if isinstance(data, StepButton):
        conv = await ctx.uow.conversations.active_for(ctx.user_id)
        if conv is None:
            return [Notice(text=_("That conversation has ended.")), *await menu.home(ctx)]
        ctx.user.awaiting = ""  # back in the questionnaire: its step waits for the text
        return await flow.on_button(ctx, conv, data)
    return [Notice(text=_("That button does not work any more."))]


async def _text(ctx: Context, message: TextMessage) -> Replies:
    writing = broadcasts.awaited_id(ctx.user.awaiting)
    if writing is not None:  # the latest thing the sender started: it comes first
        return await broadcasts.on_text(ctx, writing, message.text)
    if funding.awaiting(ctx) is not None:
        return await funding.on_text(ctx, message.text)
    if directory.organising(ctx.user.awaiting):
        return await directory.on_text(ctx, message.text)
    # A prompt that waits for text (``awaiting``) is the latest thing the person was
    # asked: it comes before a questionnaire or a draft they left open, whose steps
    # clear it when they are shown again (``flow.show``, ``drafts.show``).
    waiting = await _awaited_text(ctx, message)
    if waiting is not None:
        return waiting
    conv = await ctx.uow.conversations.active_for(ctx.user_id)
    draft = await drafts.active_draft(ctx, conv)
    if draft is not None:
        return await draft_answers.on_text(ctx, draft, message.text)
    if conv is not None:
        return await flow.on_text(ctx, conv, message.text)
    return await menu.home(ctx)


async def _awaited_text(ctx: Context, message: TextMessage) -> Replies | None:
    if ctx.user.awaiting.startswith(poll_flow.AWAITING_PREFIX):
        poll_id = ctx.user.awaiting.removeprefix(poll_flow.AWAITING_PREFIX)
        if poll_id.isdigit():
            return await poll_flow.on_text(ctx, int(poll_id), message.text)
    if ctx.user.awaiting.startswith(loop.AWAITING_PREFIX):
        update_id = ctx.user.awaiting.removeprefix(loop.AWAITING_PREFIX)
        if update_id.isdigit():
            return await loop.on_text(ctx, int(update_id), message.text)
    if ctx.user.awaiting == officers.AWAITING:
        return await officers.on_text(ctx, message.text)
    if ctx.user.awaiting == quiet_hours.AWAITING:
        return await quiet_hours.on_text(ctx, message.text)
    if directory.awaits_text(ctx.user.awaiting):
        return await directory.on_text(ctx, message.text)
    return None


async def _location(ctx: Context, shared: LocationShared) -> Replies:
    writing = broadcasts.awaited_id(ctx.user.awaiting)
    if writing is not None:
        return await broadcasts.on_location(ctx, writing, shared.latitude, shared.longitude)
    conv = await ctx.uow.conversations.active_for(ctx.user_id)
    draft = await drafts.active_draft(ctx, conv)
    if draft is not None and draft.step == "location":
        return await draft_answers.on_location(ctx, draft, shared.latitude, shared.longitude)
    if conv is not None and flow.current_step(ctx, conv).kind is StepKind.COMMUNITY:
        return await flow.on_location(ctx, conv, shared.latitude, shared.longitude)
    return await officers.on_location(ctx, shared.latitude, shared.longitude)


async def route(ctx: Context) -> Replies:
    event = ctx.event
    if event.sender.chat_type != "private":
        return []  # the bot talks to residents one to one; groups are not answered
    if isinstance(event, Command):
        return await _command(ctx, event)
    if isinstance(event, ButtonPress):
        return await _button(ctx, event)
    if isinstance(event, TextMessage):
        return await _text(ctx, event)
    if isinstance(event, LocationShared):
        return await _location(ctx, event)
    if isinstance(event, ContactShared):
        return [Text(text=_("Thank you, but I cannot use that here."))]
    if isinstance(event, PollAnswer):
        return await polls.record_answer(ctx, event)
    writing = broadcasts.awaited_id(ctx.user.awaiting)
    if isinstance(event, PhotoShared) and writing is not None:
        return await broadcasts.on_photo(ctx, writing, event.file_id, event.caption)
    return await menu.unsupported(ctx)
