"""An event's page: RSVPs and check-ins in the viewer's area only, the QR code to
print, and cancelling it with a confirmation step, as the chat's organiser does."""

from __future__ import annotations

import base64
import csv
import io
import re
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import col, select

from handlers.callbacks import OrganiserAction
from handlers.context import Deps
from handlers.events.deeplink import event_start_payload, new_token
from handlers.events.organise.buttons import org
from storage.models import Delivery, Event, Rsvp, User
from tests.support.resident import Resident
from tests.web.conftest import ADMIN, ORGANISER, PCSO, SERGEANT_CREWE, World, add_event, sign_in


async def _name(deps: Deps, event_id: int, status: str, name: str) -> None:
    """Give the first person with ``status`` at the event a name."""
    async with deps.uow() as uow:
        rsvp = (
            await uow.session.exec(
                select(Rsvp).where(Rsvp.event_id == event_id, Rsvp.status == status)
            )
        ).first()
        assert rsvp is not None
        user = await uow.users.get(rsvp.user_id)
        assert user is not None
        user.first_name = name
        uow.session.add(user)
        await uow.commit()


async def _notices(deps: Deps, event_id: int) -> list[tuple[str, str, bool, int | None]]:
    """(kind, the change in the payload's key, urgent, recipient) of the event's notices."""
    async with deps.uow() as uow:
        rows = (
            await uow.session.exec(
                select(Delivery)
                .where(col(Delivery.key).startswith(f"notice:{event_id}:"))
                .order_by(col(Delivery.user_id))
            )
        ).all()
    return [(d.kind, d.key.split(":")[3], d.urgent, d.user_id) for d in rows]


async def _rsvp_users(deps: Deps, event_id: int) -> list[int]:
    async with deps.uow() as uow:
        rows = (await uow.session.exec(select(Rsvp).where(Rsvp.event_id == event_id))).all()
    return sorted(r.user_id for r in rows)


async def test_the_page_shows_who_is_coming_and_the_qr_code(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    event_id = await add_event(
        deps, "Tarvin chat", community=world.tarvin, going=3, maybe=1, waiting=1, checked_in=1
    )
    await _name(deps, event_id, "going", "<b>Bold</b> Bea")
    await _name(deps, event_id, "maybe", "Mo")
    async with deps.uow() as uow:
        event = await uow.events.get(event_id)
        assert event is not None
        event.checkin_token = new_token()
        uow.session.add(event)
        await uow.commit()
    await sign_in(deps, browser, PCSO)
    page = await browser.get(f"/events/{event_id}")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Tarvin chat</h1>" in text and "Village hall" in text
    assert "&lt;b&gt;Bold&lt;/b&gt; Bea" in text and "<b>Bold</b>" not in text
    assert "<li>Mo</li>" in text
    assert '<caption id="counts-caption">Who is coming</caption>' in text
    assert re.search(
        r'<td class="num">3</td>\s*<td class="num">1</td>\s*<td class="num">1</td>'
        r'\s*<td class="num">1</td>',
        text,
    )
    found = re.search(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', text)
    assert found and base64.b64decode(found.group(1)).startswith(b"\x89PNG")
    assert 'alt="QR code that opens this event in Chinwag' in text
    link = f"https://t.me/chinwag_bot?start={event_start_payload(event_id, event.checkin_token)}"
    assert f'<a href="{link}">{link}</a>' in text
    assert "@media print" in (await browser.get("/static/dashboard.css")).text
    # A PCSO may not cancel a community's Community Conversation in the chat either.
    assert "Cancel event" not in text
    download = await browser.get(f"/events/{event_id}?format=csv")
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert [(r["answer"], r["checked_in"]) for r in rows] == [
        ("going", "yes"),
        ("going", "no"),
        ("going", "no"),
        ("maybe", "no"),
        ("waitlist", "no"),
    ]
    assert {"<b>Bold</b> Bea", "Mo"} <= {r["name"] for r in rows}
    events = await browser.get("/events")
    assert f'href="/events/{event_id}"' in events.text


async def test_an_event_of_another_area_is_not_found(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    hoole = await add_event(deps, "Hoole chat", community=world.hoole)
    crewe = await add_event(deps, "Crewe chat", community=world.crewe)
    await sign_in(deps, browser, PCSO)
    assert (await browser.get(f"/events/{hoole}")).status_code == 404
    assert (await browser.get(f"/events/{crewe}/cancel")).status_code == 404
    assert (await browser.get("/events/999999")).status_code == 404
    # Beyond an id column: PostgreSQL refused the lookup and the page failed (500).
    assert (await browser.get("/events/2147483648")).status_code == 404
    assert (await browser.get("/events/99999999999")).status_code == 404
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, SERGEANT_CREWE)
    assert (await browser.get(f"/events/{crewe}")).status_code == 200
    refused = await browser.post(f"/events/{hoole}/cancel", data={"csrf": csrf})
    assert refused.status_code == 404
    async with deps.uow() as uow:
        event = await uow.events.get(hoole)
        assert event is not None and event.status == "scheduled"


async def test_cancelling_asks_first_then_tells_everyone_as_the_chat_does(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    by_chat = await add_event(deps, "By chat", community=world.hoole, going=2, maybe=1, waiting=1)
    by_web = await add_event(deps, "By web", community=world.hoole, going=2, maybe=1, waiting=1)
    csrf = await sign_in(deps, browser, ORGANISER)
    await Resident(deps, ORGANISER, "Sam").press_data(org(OrganiserAction.CONFIRM_ONE, by_chat))

    page = await browser.get(f"/events/{by_web}")
    assert f'href="/events/{by_web}/cancel#confirm">Cancel event</a>' in page.text
    confirm = await browser.get(f"/events/{by_web}/cancel")
    assert "Cancel this event?" in confirm.text
    assert "Everyone who said they are coming will be told." in confirm.text
    assert re.search(
        rf'<form method="post" action="/events/{by_web}/cancel">\s*'
        r'<input type="hidden" name="csrf"',
        confirm.text,
    )
    async with deps.uow() as uow:
        event = await uow.events.get(by_web)
        assert event is not None and event.status == "scheduled"  # asking changed nothing

    posted = await browser.post(f"/events/{by_web}/cancel", data={"csrf": csrf})
    # post/redirect/get: the answer sends the browser to the event, which says what happened
    assert posted.status_code == 303 and posted.headers["location"] == f"/events/{by_web}"
    done = await browser.get(posted.headers["location"])
    assert done.status_code == 200
    assert "Cancelled. 4 people who were coming have been told." in done.text
    assert 'role="status"' in done.text and "Cancel event" not in done.text
    reloaded = await browser.get(f"/events/{by_web}")  # said once, not on every visit
    assert "Cancelled. 4 people" not in reloaded.text and 'role="status"' not in reloaded.text
    async with deps.uow() as uow:
        chat_event, web_event = await uow.events.get(by_chat), await uow.events.get(by_web)
    assert chat_event is not None and web_event is not None
    assert (
        (web_event.status, web_event.version)
        == ("cancelled", chat_event.version)
        == (
            "cancelled",
            chat_event.version,
        )
    )
    chat_notices, web_notices = await _notices(deps, by_chat), await _notices(deps, by_web)
    assert len(web_notices) == 4
    assert [n[:3] for n in web_notices] == [n[:3] for n in chat_notices]
    assert {n[:3] for n in web_notices} == {("event_notice", "cancelled", True)}
    assert [n[3] for n in web_notices] == await _rsvp_users(deps, by_web)


async def test_the_notice_waits_for_its_own_page(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    event_id = await add_event(deps, "Tarvin chat", community=world.tarvin, going=1)
    other = await add_event(deps, "Tarvin walk", community=world.tarvin, going=1)
    csrf = await sign_in(deps, browser, ORGANISER)
    posted = await browser.post(f"/events/{event_id}/cancel", data={"csrf": csrf})
    assert posted.status_code == 303
    # another tab opens another event first: the notice is not shown there, nor lost
    elsewhere = await browser.get(f"/events/{other}")
    assert elsewhere.status_code == 200 and "has been told" not in elsewhere.text
    shown = await browser.get(f"/events/{event_id}")
    assert "1 person who was coming has been told." in shown.text


async def test_cancelling_needs_the_csrf_token_and_a_role_that_may(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    event_id = await add_event(deps, "Tarvin chat", community=world.tarvin, going=1)
    await sign_in(deps, browser, ORGANISER)
    assert (await browser.post(f"/events/{event_id}/cancel", data={})).status_code == 403
    assert (
        await browser.post(f"/events/{event_id}/cancel", data={"csrf": "x" * 32})
    ).status_code == 403
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, PCSO)
    refused = await browser.post(f"/events/{event_id}/cancel", data={"csrf": csrf})
    assert refused.status_code == 403
    async with deps.uow() as uow:
        event = await uow.events.get(event_id)
        assert event is not None and event.status == "scheduled"
        assert not (
            await uow.session.exec(select(Delivery).where(col(Delivery.key).startswith("notice:")))
        ).all()


async def test_an_admin_cancels_anywhere(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    event_id = await add_event(deps, "Crewe chat", community=world.crewe, going=1)
    csrf = await sign_in(deps, browser, ADMIN)
    done = await browser.post(
        f"/events/{event_id}/cancel", data={"csrf": csrf}, follow_redirects=True
    )
    assert "1 person who was coming has been told." in done.text
    async with deps.uow() as uow:
        event = await uow.events.get(event_id)
        assert event is not None and event.status == "cancelled"
        users = (
            await uow.session.exec(
                select(User).where(col(User.id).in_(await _rsvp_users(deps, event_id)))
            )
        ).all()
    assert [n[3] for n in await _notices(deps, event_id)] == [u.id for u in users]


async def test_a_session_whose_role_was_taken_away_cannot_cancel(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    event_id = await add_event(deps, "Hoole chat", community=world.hoole, going=1)
    csrf = await sign_in(deps, browser, ORGANISER)
    async with deps.uow() as uow:
        organiser = (
            await uow.session.exec(select(User).where(User.telegram_id == ORGANISER))
        ).one()
        organiser.role = "resident"
        uow.session.add(organiser)
        await uow.commit()
    refused = await browser.post(f"/events/{event_id}/cancel", data={"csrf": csrf})
    assert refused.status_code == 403 and "Hoole chat" not in refused.text
    async with deps.uow() as uow:
        event = await uow.events.get(event_id)
        assert event is not None and event.status == "scheduled"
    assert await _notices(deps, event_id) == []


async def _series(deps: Deps, world: World, dates: int) -> tuple[int, list[int]]:
    """A weekly series in Tarvin (its own row) and its next ``dates`` dates."""
    first = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)
    async with deps.uow() as uow:
        series = Event(
            title="Tarvin drop-in",
            community_id=world.tarvin.id,
            starts_at=first,
            status="series",
            recurrence="weekly",
        )
        uow.session.add(series)
        await uow.session.flush()
        occurrences = [
            Event(
                title="Tarvin drop-in",
                community_id=world.tarvin.id,
                starts_at=first + timedelta(weeks=n),
                series_id=series.id,
                occurrence_of=(first + timedelta(weeks=n)).date(),
            )
            for n in range(dates)
        ]
        uow.session.add_all(occurrences)
        await uow.session.flush()
        ids = [e.id for e in occurrences if e.id is not None]
        person = await uow.users.add(User(telegram_id=9_600_000_001, chat_id=9_600_000_001))
        assert person.id is not None and series.id is not None
        uow.session.add(Rsvp(event_id=ids[1], user_id=person.id, status="going"))
        await uow.commit()
        return series.id, ids


async def test_every_date_of_a_series_is_cancelled_as_from_the_chat(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    series_id, dates = await _series(deps, world, 3)
    csrf = await sign_in(deps, browser, ORGANISER)
    page = await browser.get(f"/events/{dates[0]}")
    assert f'href="/events/{dates[0]}/cancel#confirm">Cancel this date</a>' in page.text
    assert f'href="/events/{dates[0]}/cancel-series#confirm">Cancel every date</a>' in page.text
    confirm = await browser.get(f"/events/{dates[0]}/cancel-series")
    assert "Cancel every date still to come?" in confirm.text
    assert f'action="/events/{dates[0]}/cancel-series"' in confirm.text
    async with deps.uow() as uow:  # asking changed nothing
        assert [(await uow.events.get(i)).status for i in dates] == ["scheduled"] * 3  # type: ignore[union-attr]
    posted = await browser.post(f"/events/{dates[0]}/cancel-series", data={"csrf": csrf})
    assert posted.status_code == 303 and posted.headers["location"] == f"/events/{dates[0]}"
    shown = await browser.get(f"/events/{dates[0]}")
    assert "1 person who was coming has been told." in shown.text
    assert "Cancel every date" not in shown.text
    async with deps.uow() as uow:
        statuses = [(await uow.events.get(i)).status for i in [series_id, *dates]]  # type: ignore[union-attr]
    assert statuses == ["cancelled"] * 4
    assert [n[:2] for n in await _notices(deps, dates[1])] == [("event_notice", "cancelled")]


async def test_a_one_off_event_has_no_series_to_cancel(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    event_id = await add_event(deps, "Tarvin chat", community=world.tarvin, going=1)
    csrf = await sign_in(deps, browser, ORGANISER)
    page = await browser.get(f"/events/{event_id}")
    assert "cancel-series" not in page.text and "Cancel every date" not in page.text
    assert (await browser.get(f"/events/{event_id}/cancel-series")).status_code == 404
    posted = await browser.post(f"/events/{event_id}/cancel-series", data={"csrf": csrf})
    assert posted.status_code == 404
    async with deps.uow() as uow:
        event = await uow.events.get(event_id)
    assert event is not None and event.status == "scheduled"


async def test_a_series_is_not_cancelled_without_the_csrf_token_or_by_a_pcso_elsewhere(
    deps: Deps, browser: httpx.AsyncClient, world: World
) -> None:
    series_id, dates = await _series(deps, world, 2)
    await sign_in(deps, browser, ORGANISER)
    forged = await browser.post(f"/events/{dates[0]}/cancel-series", data={"csrf": "x" * 32})
    assert forged.status_code == 403
    browser.cookies.clear()
    csrf = await sign_in(deps, browser, SERGEANT_CREWE)  # Crewe's: Tarvin is not theirs
    assert (await browser.get(f"/events/{dates[0]}")).status_code == 404
    outside = await browser.post(f"/events/{dates[0]}/cancel-series", data={"csrf": csrf})
    assert outside.status_code == 404
    async with deps.uow() as uow:
        statuses = [(await uow.events.get(i)).status for i in [series_id, *dates]]  # type: ignore[union-attr]
    assert statuses == ["series", "scheduled", "scheduled"]
