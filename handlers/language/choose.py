"""``/language`` and the answers to the language buttons: the choice is stored on the
user and used from the next message on."""

from __future__ import annotations

from handlers.context import Context
from handlers.conversation import flow
from handlers.conversation.flow import home_button
from handlers.i18n import _, use_locale
from handlers.language.buttons import LanguageAction, LanguageButton
from handlers.language.names import endonym
from handlers.language.offer import declined
from handlers.markup import fmt
from handlers.outbound import Button, Edit, Notice, OutboundReply, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button

Replies = list[OutboundReply]


def menu_button() -> Button:
    return Button(_("🌐 Language"), encode(LanguageButton(LanguageAction.MENU)))


def menu(ctx: Context) -> Replies:
    rows = []
    for language in ctx.deps.supported_locales:
        mark = "✅ " if language == ctx.user.language else ""
        rows.append(
            [Button(mark + endonym(language), encode(LanguageButton(LanguageAction.SET, language)))]
        )
    return [
        Text(
            text=_("🌐 <b>Choose your language</b>"),
            buttons=keyboard(*rows, [home_button(), quick_exit_button()]),
        )
    ]


def _set(ctx: Context, language: str) -> None:
    ctx.user.language = language
    ctx.uow.session.add(ctx.user)


async def on_button(ctx: Context, press: LanguageButton) -> Replies:
    if press.action is LanguageAction.MENU:
        return menu(ctx)
    language = press.language
    if language not in ctx.deps.supported_locales:
        return [Notice(text=_("That button does not work any more."))]
    if press.action is LanguageAction.KEEP:
        refused = declined(ctx.user.declined_languages) | {language}
        ctx.user.declined_languages = ",".join(sorted(refused))[:64]
        ctx.uow.session.add(ctx.user)
        return [
            Edit(
                text=fmt(
                    _("OK, we will carry on in {language}."), language=endonym(ctx.user.language)
                )
            )
        ]
    _set(ctx, language)
    with use_locale(language):
        done = fmt(_("Done: Chinwag will talk to you in {language}."), language=endonym(language))
        conv = await ctx.uow.conversations.active_for(ctx.user_id)
        if conv is not None and conv.status == "active":
            return [Edit(text=done), await flow.show(ctx, conv)]  # the question, now in it
        return [Edit(text=done, buttons=keyboard([home_button()]))]
