"""An event's check-in link and QR code for the door, as replies to its organiser."""

from __future__ import annotations

from handlers.context import Context
from handlers.events import deeplink
from handlers.events.qr import qr_png
from handlers.i18n import _
from handlers.markup import fmt
from handlers.outbound import Document, OutboundReply, Text
from storage.models import Event

DEFAULT_BOT_USERNAME = "chinwag_bot"


def _link(ctx: Context, event: Event) -> str:
    assert event.id is not None
    payload = deeplink.event_start_payload(event.id, event.checkin_token)
    return deeplink.deep_link(ctx.deps.bot_username or DEFAULT_BOT_USERNAME, payload)


def link_and_qr(ctx: Context, event: Event) -> list[OutboundReply]:
    link = _link(ctx, event)
    return [
        Text(
            text=fmt(
                _(
                    "🔗 The link to <b>{title}</b>. Opening it shows the event and checks "
                    "the person in, so use it at the event:\n{link}"
                ),
                title=event.title,
                link=link,
            )
        ),
        Document(
            filename=f"chinwag-event-{event.id}-qr.png",
            content=qr_png(link),
            mime_type="image/png",
            caption=_(
                "QR code for the door: scanning it opens the event in Chinwag and checks "
                "the person in."
            ),
        ),
    ]
