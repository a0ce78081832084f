"""What a resident sees when something went wrong on our side."""

from __future__ import annotations

from handlers.callbacks import Menu, MenuAction
from handlers.i18n import _, use_locale
from handlers.outbound import Button, OutboundReply, Text, keyboard
from handlers.payloads import encode


def apology(language: str) -> list[OutboundReply]:
    with use_locale(language):
        return [
            Text(
                text=_(
                    "Sorry, something went wrong on our side. Your earlier answers are safe. "
                    "Please try again, or go back to the menu."
                ),
                buttons=keyboard([Button(_("🏠 Main menu"), encode(Menu(MenuAction.HOME)))]),
            )
        ]
