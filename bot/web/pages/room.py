"""The room screen: a projector page for a Community Conversation while it is on.

    GET  /room                 the viewer's events that are on now, to pick one
    GET  /room/{id}            the screen: top themes, the QR code, the latest poll
    GET  /room/{id}/stream     its live part, as server-sent events (``bot.web.live``)
    POST /room/{id}/poll       the top themes into the priority poll, sent
    POST /room/{id}/close      close that poll

The page works without JavaScript (it shows the state when it was loaded, and a
reload shows more); its one inline script, allowed by a per-response nonce in
the page's own Content-Security-Policy, reads the stream and swaps the live part
in. The poll is made by exactly the chat's code (``handlers.events.poll_flow``):
the organiser's presses of "event", "✨ Use the top themes" and "📨 Send the
poll", so the same role checks, options and recipients apply.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse

from bot.web import live
from bot.web.auth import SESSION_COOKIE, staff_page, staff_stream
from bot.web.context import web
from bot.web.headers import CSP
from bot.web.scope import Viewer
from handlers.callbacks import PollAction, PollButton
from handlers.context import Context
from handlers.events import deeplink, poll_flow, polls
from handlers.events.organise.checkin_link import DEFAULT_BOT_USERNAME
from handlers.events.qr import qr_png
from handlers.i18n import use_locale
from handlers.inbound import ButtonPress, Sender
from handlers.payloads import encode
from handlers.roles import can_manage
from handlers.timefmt import when
from storage.models import Event, User
from storage.uow import UnitOfWork

NOTICES = ("sent", "few", "closed", "refused")  # ?done= after a POST; nothing else is shown


def _csp(nonce: str) -> str:
    """The dashboard's policy, plus this page's one script and its stream."""
    return f"{CSP}; script-src 'nonce-{nonce}'; connect-src 'self'"


def _event_id(request: Request) -> int | None:
    raw = request.path_params.get("event_id")
    return raw if isinstance(raw, int) and 0 < raw < 2**63 else None


def join_link(bot_username: str | None, event: Event) -> str | None:
    """The event's deep link, the one its door QR code carries (it checks people in)."""
    if event.id is None or not event.checkin_token:
        return None
    payload = deeplink.event_start_payload(event.id, event.checkin_token)
    return deeplink.deep_link(bot_username or DEFAULT_BOT_USERNAME, payload)


def qr_data_uri(link: str) -> str:
    return "data:image/png;base64," + base64.b64encode(qr_png(link, scale=10)).decode()


async def _running_event(request: Request, viewer: Viewer, uow: UnitOfWork) -> Event | None:
    event_id = _event_id(request)
    if event_id is None or viewer.scope is None:
        return None
    event = await live.event_in_scope(uow, viewer.scope, event_id)
    return (
        event if event is not None and live.is_running(event, web(request).deps.clock()) else None
    )


def _may_poll(user: User, event: Event) -> bool:
    """The chat's rule for polling an event's people (``poll_flow.choose_audience``)."""
    return can_manage(user, event)


def render_live(request: Request, language: str, state: live.RoomState) -> str:
    """The screen's live part alone, as the stream sends it."""
    renderer = web(request).renderer
    with use_locale(language):
        template = renderer.env.get_template("room.html")
        values: dict[str, Any] = {"state": state, "base": renderer.base}
        return "".join(template.blocks["live"](template.new_context(values)))


def _not_found(request: Request) -> Response:
    return web(request).renderer.page("error.html", status=404, code=404)


@staff_page
async def room_index(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    if viewer.scope is None:
        return context.renderer.page("no_area.html", viewer=viewer, page="room")
    running = await live.running_in_scope(uow, viewer.scope, context.deps.clock())
    shown = [(e, when(e.starts_at, context.deps.timezone)) for e in running]
    return context.renderer.page("room.html", viewer=viewer, page="room", event=None, running=shown)


@staff_page
async def room(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    context = web(request)
    event = await _running_event(request, viewer, uow)
    if event is None:
        return _not_found(request)
    link = join_link(context.deps.bot_username, event)
    nonce = secrets.token_urlsafe(16)
    done = request.query_params.get("done", "")
    response = context.renderer.page(
        "room.html",
        viewer=viewer,
        page="room",
        event=event,
        starts=when(event.starts_at, context.deps.timezone),
        state=await live.room_state(uow, event),
        link=link,
        qr=qr_data_uri(link) if link else None,
        may_poll=_may_poll(viewer.user, event),
        notice=done if done in NOTICES else "",
        nonce=nonce,
    )
    response.headers["content-security-policy"] = _csp(nonce)
    return response


@staff_stream
async def room_stream(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    event = await _running_event(request, viewer, uow)
    if event is None or event.id is None:
        return Response("not found", status_code=404, media_type="text/plain")
    events = live.room_stream(
        web(request).deps,
        event.id,
        request.cookies.get(SESSION_COOKIE, ""),
        lambda state: render_live(request, viewer.language, state),
    )
    return StreamingResponse(
        events,
        media_type="text/event-stream",
        headers={"x-accel-buffering": "no"},  # no proxy buffering: events go out as they come
    )


def _chat_context(request: Request, uow: UnitOfWork, user: User, press: PollButton) -> Context:
    """A button press by ``user``, as the chat would deliver it to the handlers."""
    sender = Sender(telegram_id=user.telegram_id, chat_id=user.chat_id, first_name=user.first_name)
    event = ButtonPress(sender=sender, data=encode(press))
    return Context(deps=web(request).deps, uow=uow, user=user, event=event)


async def _press(request: Request, uow: UnitOfWork, user: User, press: PollButton) -> None:
    await poll_flow.on_button(_chat_context(request, uow, user, press), press)


def _back(request: Request, event_id: int, done: str) -> Response:
    return RedirectResponse(f"{web(request).base}/room/{event_id}?done={done}", status_code=303)


@staff_page
async def priority_poll(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    """The chat's three presses: this event, "Use the top themes", "Send the poll"."""
    event = await _running_event(request, viewer, uow)
    if event is None or event.id is None:
        return _not_found(request)
    user = viewer.user
    if not _may_poll(user, event):
        return _back(request, event.id, "refused")
    await _press(request, uow, user, PollButton(PollAction.AUDIENCE_EVENT, 0, event.id))
    draft_id = user.awaiting.removeprefix(poll_flow.AWAITING_PREFIX)
    if not user.awaiting.startswith(poll_flow.AWAITING_PREFIX) or not draft_id.isdigit():
        return _back(request, event.id, "refused")  # nothing is committed: no draft is kept
    poll_id = int(draft_id)
    await _press(request, uow, user, PollButton(PollAction.THEMES, poll_id))
    draft = await uow.polls.get(poll_id)
    if draft is None or not polls.options_of(draft):  # too few answers for themes
        return _back(request, event.id, "few")  # not committed: the draft and the wait go
    await _press(request, uow, user, PollButton(PollAction.SEND, poll_id))
    await uow.commit()
    return _back(request, event.id, "sent")


@staff_page
async def close_poll(request: Request, viewer: Viewer, uow: UnitOfWork) -> Response:
    event = await _running_event(request, viewer, uow)
    if event is None or event.id is None:
        return _not_found(request)
    poll = await live.latest_poll(uow, event.id)
    if poll is None or poll.id is None or poll.status != "open":
        return _back(request, event.id, "closed")
    if poll.organiser_id != viewer.user.id:  # the chat lets only its sender close a poll
        return _back(request, event.id, "refused")
    await _press(request, uow, viewer.user, PollButton(PollAction.CLOSE, poll.id))
    await uow.commit()
    return _back(request, event.id, "closed")
