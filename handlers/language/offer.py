"""Noticing an answer written in another supported language, and offering to switch.

The offer is written in the detected language (the resident just wrote in it), with
the current language named in its own words on the "no" button. The bot never
switches by itself, and a language the resident declined is never offered again.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.i18n import _, use_locale
from handlers.language.buttons import LanguageAction, LanguageButton
from handlers.language.detect import Detection, detect
from handlers.language.names import endonym
from handlers.markup import fmt
from handlers.outbound import Button, Text, keyboard
from handlers.payloads import encode


def declined(languages: str) -> set[str]:
    return {part for part in languages.split(",") if part}


def read(ctx: Context, text: str) -> Detection | None:
    """The detected language of a free-text answer (stored with it, whatever happens)."""
    return detect(text, ctx.deps.supported_locales, ctx.deps.detection.min_letters)


def worth_offering(ctx: Context, found: Detection | None) -> bool:
    return (
        found is not None
        and found.language != ctx.user.language
        and found.language in ctx.deps.supported_locales
        and found.confidence >= ctx.deps.detection.min_confidence
        and found.language not in declined(ctx.user.declined_languages)
    )


def offer(ctx: Context, found: Detection) -> Text:
    current = endonym(ctx.user.language)
    with use_locale(found.language):
        return Text(
            text=fmt(
                _(
                    "It looks like you wrote in {language}. Would you like to continue in {language}?"
                ),
                language=endonym(found.language),
            ),
            buttons=keyboard(
                [
                    Button(
                        _("Yes, continue in {language}").format(language=endonym(found.language)),
                        encode(LanguageButton(LanguageAction.SWITCH, found.language)),
                    )
                ],
                [
                    Button(
                        _("No, keep {language}").format(language=current),
                        encode(LanguageButton(LanguageAction.KEEP, found.language)),
                    )
                ],
            ),
        )
