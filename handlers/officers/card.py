"""The answer to "who is my officer?": team, base, next meetings, and how to follow."""

from __future__ import annotations

import json
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from handlers.callbacks import OfficerAction, Officers
from handlers.conversation.flow import home_button
from handlers.i18n import _
from handlers.markup import escape, fmt
from handlers.menu import emergency_advice
from handlers.officers.index import Place
from handlers.outbound import Button, Text, keyboard
from handlers.payloads import encode
from handlers.safety.quick_exit import quick_exit_button
from handlers.timefmt import when
from storage.models import CommunityBase, Event, TeamMember

ROLE_ORDER = {"officer": 0, "pcso": 1, "sergeant": 2, "inspector": 3}


def _role_line(member: TeamMember) -> str:
    titles = {
        "officer": _("your police community officer"),
        "pcso": _("your PCSO"),
        "sergeant": _("sergeant for the area"),
        "inspector": _("inspector for the area"),
    }
    title = titles.get(member.role, escape(member.rank) if member.rank else "")
    name = " ".join(filter(None, [member.rank, member.name]))
    return f"👮 <b>{escape(name)}</b>" + (f" – {title}" if title else "")


def _contact_lines(member: TeamMember) -> list[str]:
    lines = []
    if member.email:
        lines.append(f"   ✉️ {escape(member.email)}")
    if member.phone:
        lines.append(f"   ☎️ {escape(member.phone)}")
    try:
        social = json.loads(member.social) if member.social else {}
    except ValueError:
        social = {}
    for network, handle in social.items() if isinstance(social, dict) else []:
        lines.append(f"   🌐 {escape(network)}: {escape(handle)}")
    return lines


def _team(members: Sequence[TeamMember]) -> list[str]:
    ordered = sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.position))
    lines: list[str] = []
    for member in ordered:
        lines.append(_role_line(member))
        if member.role in ("officer", "pcso"):
            lines.extend(_contact_lines(member))
    return lines or [_("The team for this community has not been published yet.")]


def _bases(bases: Sequence[CommunityBase]) -> list[str]:
    lines = []
    for base in bases:
        lines.append(fmt(_("🏠 <b>Community base:</b> {name}"), name=base.name))
        if base.address:
            lines.append(f"   {escape(base.address)}")
        if base.opening_times:
            lines.append(fmt(_("   Open: {times}"), times=base.opening_times))
        if base.accessibility:
            lines.append(f"   ♿ {escape(base.accessibility)}")
    return lines


def _events(events: Sequence[Event], tz: ZoneInfo) -> list[str]:
    lines = [_("📅 <b>Next surgeries and meetings</b>")]
    if not events:
        lines.append(_("None planned yet. Follow this team to hear when there is one."))
    for event in events:
        where = (
            f", {escape(event.venue or event.address)}" if (event.venue or event.address) else ""
        )
        lines.append(f"• {when(event.starts_at, tz)} – {escape(event.title)}{where}")
    return lines


def officer_card(
    place: Place,
    *,
    exact: bool,
    members: Sequence[TeamMember],
    bases: Sequence[CommunityBase],
    events: Sequence[Event],
    following: bool,
    tz: ZoneInfo,
) -> Text:
    head = fmt(_("📍 <b>{community}</b>, {lpu} area"), community=place.name, lpu=place.lpu_name)
    parts = [head]
    if not exact:
        parts.append(_("This is the nearest team to the place you shared."))
    parts.append("\n".join(_team(members)))
    if bases:
        parts.append("\n".join(_bases(bases)))
    parts.append("\n".join(_events(events, tz)))
    parts.append(emergency_advice())
    action = OfficerAction.UNFOLLOW if following else OfficerAction.FOLLOW
    label = _("🔕 Stop following this team") if following else _("🔔 Follow updates from this team")
    return Text(
        text="\n\n".join(parts),
        buttons=keyboard(
            [Button(label, encode(Officers(action, place.id)))],
            [home_button(), quick_exit_button()],
        ),
    )
