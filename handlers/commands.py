"""The command list the bot registers with Telegram (setMyCommands), per language."""

from __future__ import annotations

from handlers.i18n import _, use_locale


def command_list(language: str) -> list[tuple[str, str]]:
    with use_locale(language):
        return [
            ("start", _("Main menu")),
            ("help", _("Help, and what to do in an emergency")),
            ("officer", _("Find your local policing team")),
            ("events", _("What is on near you")),
            ("groups", _("Action groups near you")),
            ("directory", _("Clubs, groups and support near you")),
            ("funding", _("Funding for local projects")),
            ("reminders", _("When to remind you about events")),
            ("quiet", _("Quiet hours: when to hold messages that can wait")),
            ("language", _("Change the language")),
            ("back", _("Go back one step")),
            ("skip", _("Skip an optional question")),
            ("cancel", _("Stop and delete this conversation")),
            ("mydata", _("See what we hold about you")),
            ("forget", _("Delete what we hold about you")),
            ("exit", _("Quick exit: clear this chat")),
        ]
