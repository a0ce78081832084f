"""What a broadcast looks like: to its followers, in the preview, and as it goes out."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from handlers.broadcasts.audience import Audience
from handlers.broadcasts.buttons import BroadcastAction, BroadcastButton, MuteAction, MuteButton
from handlers.i18n import _, _n
from handlers.markup import escape, fmt, utf16_len
from handlers.outbound import Button, Keyboard, OutboundReply, Photo, Text, Venue, keyboard
from handlers.payloads import encode
from handlers.timefmt import when
from storage.models import Broadcast
from storage.repositories.broadcasts import Counts

CAPTION_LIMIT = 1024  # Telegram's limit for a photo's caption, in UTF-16 code units
TEXT_LIMIT = 3500  # what a sender may write: room left for the heading, under 4096


def heading(broadcast: Broadcast, audience: Audience) -> str:
    if audience.kind == "lpu":
        title = fmt(_("📣 <b>{area} neighbourhood policing</b>"), area=audience.name)
    else:
        title = fmt(_("📣 <b>{community} neighbourhood team</b>"), community=audience.name)
    if broadcast.urgent:
        title = _("⚠️ <b>Urgent</b>") + "\n" + title
    return title


def mute_button(audience: Audience) -> Button:
    community, lpu = (audience.id, 0) if audience.kind == "community" else (0, audience.id)
    return Button(_("🔕 Stop these messages"), encode(MuteButton(MuteAction.MUTE, community, lpu)))


def follower_replies(
    broadcast: Broadcast, audience: Audience, chat_id: int | None, buttons: Keyboard
) -> list[OutboundReply]:
    """The broadcast as a follower receives it: a photo (with the text as its caption
    when it fits), the text, a map pin; ``buttons`` go on the text."""
    body = heading(broadcast, audience) + "\n\n" + escape(broadcast.text)
    replies: list[OutboundReply] = []
    if broadcast.photo:
        if utf16_len(body) <= CAPTION_LIMIT:  # an emoji counts 2
            replies.append(
                Photo(chat_id=chat_id, file_id=broadcast.photo, caption=body, buttons=buttons)
            )
            body = ""
        else:
            replies.append(Photo(chat_id=chat_id, file_id=broadcast.photo))
    if body:
        replies.append(Text(chat_id=chat_id, text=body, buttons=buttons))
    if broadcast.latitude is not None and broadcast.longitude is not None:
        replies.append(
            Venue(
                chat_id=chat_id,
                latitude=broadcast.latitude,
                longitude=broadcast.longitude,
                title=audience.name,
                address=_("Shared by the neighbourhood team"),
            )
        )
    return replies


def _b(label: str, action: BroadcastAction, broadcast: Broadcast, target: int = 0) -> Button:
    assert broadcast.id is not None
    return Button(label, encode(BroadcastButton(action, broadcast.id, target, broadcast.version)))


def preview_controls(
    broadcast: Broadcast, audience: Audience, recipients: int, *, may_mark_urgent: bool
) -> Text:
    lines = [
        fmt(
            _n(
                "This goes to <b>{count}</b> person who follows {audience}.",
                "This goes to <b>{count}</b> people who follow {audience}.",
                recipients,
            ),
            count=recipients,
            audience=audience.name,
        )
    ]
    if broadcast.urgent:
        lines.append(_("It is marked <b>urgent</b>: it goes out at once, even at night."))
    else:
        lines.append(
            _("People with quiet hours (usually 21:00 to 08:00) get it when those hours end.")
        )
    if broadcast.photo or broadcast.latitude is not None:
        lines.append(_("To add a photo or a place, send it now; it replaces the one above."))
    else:
        lines.append(_("You can also send a photo or a location to go with it."))
    rows: list[list[Button]] = [
        [_b(_("✅ Send now"), BroadcastAction.SEND, broadcast)],
        [_b(_("🕒 Send later"), BroadcastAction.LATER, broadcast)],
    ]
    if may_mark_urgent:
        label = _("⚠️ Urgent: on") if broadcast.urgent else _("Urgent: off")
        rows.append([_b(label, BroadcastAction.URGENT, broadcast)])
    if broadcast.latitude is not None:
        rows.append([_b(_("Remove the location"), BroadcastAction.NO_LOCATION, broadcast)])
    rows.append(
        [
            _b(_("✏️ Change the text"), BroadcastAction.EDIT, broadcast),
            _b(_("🗑 Discard"), BroadcastAction.DISCARD, broadcast),
        ]
    )
    return Text(text="\n\n".join(lines), buttons=keyboard(*rows))


def stop_button(broadcast: Broadcast, label: str) -> Keyboard:
    return keyboard([_b(label, BroadcastAction.STOP, broadcast)])


def _count_line(counts: Counts) -> str:
    parts = [
        fmt(_("Sent: {sent} of {total}"), sent=counts.sent, total=counts.total),
        fmt(_("Blocked the bot: {blocked}"), blocked=counts.blocked),
        fmt(_("Failed: {failed}"), failed=counts.failed),
    ]
    if counts.cancelled:
        parts.append(fmt(_("Not sent: {cancelled}"), cancelled=counts.cancelled))
    return "\n".join(parts)


def _duration(seconds: float) -> str:
    if seconds < 90:
        whole = max(1, round(seconds))
        return _n("about {n} second", "about {n} seconds", whole).format(n=whole)
    minutes = round(seconds / 60)
    return _n("about {n} minute", "about {n} minutes", minutes).format(n=minutes)


def progress_text(
    broadcast: Broadcast,
    audience: Audience,
    counts: Counts,
    *,
    seconds_left: float | None,
    held_until: datetime | None,
    tz: ZoneInfo,
) -> str:
    lines = [fmt(_("📣 <b>Sending to {audience}</b>"), audience=audience.name), _count_line(counts)]
    if seconds_left is not None:
        lines.append(fmt(_("Time left: {duration}"), duration=_duration(seconds_left)))
    if counts.held and held_until is not None:
        lines.append(
            fmt(
                _n(
                    "{count} person has quiet hours: it goes to them at {time}.",
                    "{count} people have quiet hours: it goes to them at {time}.",
                    counts.held,
                ),
                count=counts.held,
                time=when(held_until, tz),
            )
        )
    return "\n".join(lines)


def summary_text(broadcast: Broadcast, audience: Audience, counts: Counts) -> str:
    if broadcast.status == "cancelled":
        title = fmt(_("⏹ <b>Stopped: your message to {audience}</b>"), audience=audience.name)
    else:
        title = fmt(_("✅ <b>Sent: your message to {audience}</b>"), audience=audience.name)
    return title + "\n" + _count_line(counts)


def scheduled_text(broadcast: Broadcast, audience: Audience, tz: ZoneInfo) -> str:
    assert broadcast.scheduled_for is not None
    return fmt(
        _("🕒 Your message to {audience} will go at {time}."),
        audience=audience.name,
        time=when(broadcast.scheduled_for, tz),
    )
