"""Buttons that open the organiser's screens (``Organiser`` payloads, ids only)."""

from __future__ import annotations

from handlers.callbacks import Organiser, OrganiserAction
from handlers.i18n import _
from handlers.outbound import Button
from handlers.payloads import encode
from storage.models import Event

LIST_LIMIT = 20  # the most events or groups a list shows


def org(action: OrganiserAction, event: int = 0) -> str:
    return encode(Organiser(action, event))


def menu_button() -> Button:
    return Button(_("🗂 Organiser menu"), org(OrganiserAction.MENU))


def new_event_button() -> Button:
    return Button(_("➕ New event"), org(OrganiserAction.NEW))


def new_group_button() -> Button:
    return Button(_("🤝 New action group"), org(OrganiserAction.NEW_GROUP))


def my_events_button() -> Button:
    return Button(_("📋 My events"), org(OrganiserAction.EVENTS))


def back_to_event(event: Event) -> Button:
    return Button(_("◀️ Back to the event"), org(OrganiserAction.OPEN, event.id or 0))
