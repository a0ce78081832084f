"""Signing in to the dashboard with a link from /dashboard, sessions and sign-out."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select

from bot.bootstrap import App
from bot.web.app import create_web_app
from handlers.context import Deps
from handlers.outbound import Text
from handlers.retention import apply_retention
from storage.models import DashboardLink, DashboardSession, User
from storage.repositories.invites import token_hash
from tests.support.resident import Resident
from tests.web.conftest import (
    ADMIN,
    BASE,
    ORGANISER,
    PCSO,
    RESIDENT,
    World,
    csrf_of,
    dashboard_link,
    sign_in,
)

pytestmark = pytest.mark.usefixtures("world")


async def _links(deps: Deps) -> list[DashboardLink]:
    async with deps.uow() as uow:
        return list((await uow.session.exec(select(DashboardLink))).all())


async def test_dashboard_gives_staff_a_link_and_stores_only_its_hash(deps: Deps) -> None:
    replies = await Resident(deps, ORGANISER, "Olwen").send("/dashboard")
    [reply] = replies
    assert isinstance(reply, Text)
    assert "It works once, for 10 minutes" in reply.text
    assert reply.buttons == ()  # Telegram refuses buttons that point at 127.0.0.1
    token = await dashboard_link(deps, ORGANISER)
    [first, second] = await _links(deps)
    assert second.token_hash == token_hash(token)
    assert token not in (first.token_hash, second.token_hash)
    remaining = second.expires_at - second.created_at
    assert timedelta(minutes=9) < remaining <= timedelta(minutes=10)


async def test_a_public_dashboard_url_comes_as_a_button(app: App) -> None:
    deps = dataclasses.replace(app.deps, dashboard_url="https://dash.example.org/cw")
    [reply] = await Resident(deps, PCSO, "Pat").send("/dashboard")
    assert isinstance(reply, Text)
    [[button]] = reply.buttons
    assert button.url is not None and button.url.startswith("https://dash.example.org/cw/signin/")
    assert button.url in reply.text


async def test_a_resident_is_refused_and_it_is_logged(
    deps: Deps, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="chinwag.security"):
        replies = await Resident(deps, RESIDENT, "Rhys").send("/dashboard")
    [reply] = replies
    assert isinstance(reply, Text)
    assert reply.text == "Only organisers and policing teams can use the dashboard."
    assert not await _links(deps)
    [record] = [r for r in caplog.records if r.getMessage() == "staff action refused"]
    assert (record.action, record.payload, record.role) == ("dashboard", "/dashboard", "resident")  # type: ignore[attr-defined]


async def test_a_link_signs_in_once(deps: Deps, browser: httpx.AsyncClient) -> None:
    token = await dashboard_link(deps, ORGANISER)
    form = await browser.get(f"/signin/{token}")
    assert form.status_code == 200
    assert 'method="post"' in form.text and "Sign in" in form.text
    assert "Tarvin" not in form.text  # the form shows nothing of the dashboard
    assert [link.used_at for link in await _links(deps)] == [None]  # a GET uses nothing up

    signed = await browser.post(f"/signin/{token}", data={"csrf": csrf_of(form.text)})
    assert signed.status_code == 303 and signed.headers["location"] == "/"
    cookie = signed.headers["set-cookie"]
    assert "chinwag_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert "Secure" not in cookie  # http://127.0.0.1 in the tests
    home = await browser.get("/")
    assert home.status_code == 200 and "Signed in as" in home.text

    again_form = await browser.get(f"/signin/{token}")
    assert again_form.status_code == 410
    other = httpx.AsyncClient(transport=browser._transport, base_url=BASE)  # a second browser
    async with other:
        form2 = await other.get(f"/signin/{token}")
        assert form2.status_code == 410
        other.cookies.set("chinwag_signin", "x")  # the CSRF check passes: the link is what fails
        reused = await other.post(f"/signin/{token}", data={"csrf": "x"})
        assert reused.status_code == 410
        assert "This link has been used or has expired" in reused.text
        assert "chinwag_session" not in reused.headers.get("set-cookie", "")
        assert (await other.get("/")).status_code == 401
    async with deps.uow() as uow:
        sessions = (await uow.session.exec(select(DashboardSession))).all()
    assert len(sessions) == 1


@pytest.mark.parametrize("token", ["A" * 32, "short", "x" * 200, "%3Cscript%3E"])
async def test_a_forged_link_is_refused(browser: httpx.AsyncClient, token: str) -> None:
    form = await browser.get(f"/signin/{token}")
    assert form.status_code == 403
    assert "This link does not work" in form.text
    browser.cookies.set("chinwag_signin", "same")
    posted = await browser.post(f"/signin/{token}", data={"csrf": "same"})
    assert posted.status_code == 403
    assert "chinwag_session" not in posted.headers.get("set-cookie", "")
    assert (await browser.get("/")).status_code == 401


async def test_an_expired_link_is_refused(deps: Deps, browser: httpx.AsyncClient) -> None:
    token = await dashboard_link(deps, PCSO)
    form = await browser.get(f"/signin/{token}")
    async with deps.uow() as uow:
        await uow.session.exec(
            update(DashboardLink).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await uow.commit()
    late = await browser.post(f"/signin/{token}", data={"csrf": csrf_of(form.text)})
    assert late.status_code == 410
    assert "Signed in as" not in late.text
    assert (await browser.get(f"/signin/{token}")).status_code == 410
    assert (await browser.get("/")).status_code == 401


async def test_signing_in_needs_the_forms_csrf_token(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    token = await dashboard_link(deps, PCSO)
    form = await browser.get(f"/signin/{token}")
    assert (await browser.post(f"/signin/{token}", data={})).status_code == 403
    wrong = await browser.post(f"/signin/{token}", data={"csrf": csrf_of(form.text) + "x"})
    assert wrong.status_code == 403
    assert [link.used_at for link in await _links(deps)] == [None]  # still usable
    right = await browser.post(f"/signin/{token}", data={"csrf": csrf_of(form.text)})
    assert right.status_code == 303


async def test_a_session_expires(deps: Deps, browser: httpx.AsyncClient) -> None:
    await sign_in(deps, browser, ORGANISER)
    async with deps.uow() as uow:
        [session] = (await uow.session.exec(select(DashboardSession))).all()
        assert (
            timedelta(hours=7, minutes=59)
            < session.expires_at - session.created_at
            <= timedelta(hours=8)
        )
        await uow.session.exec(
            update(DashboardSession).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
        await uow.commit()
    page = await browser.get("/")
    assert page.status_code == 401
    assert "You are not signed in" in page.text and "Tarvin" not in page.text
    assert (await browser.get("/events.csv")).status_code == 401


async def test_signing_out(deps: Deps, browser: httpx.AsyncClient) -> None:
    csrf = await sign_in(deps, browser, ORGANISER)
    out = await browser.post("/signout", data={"csrf": csrf})
    assert out.status_code == 303 and out.headers["location"] == "/signed-out"
    assert 'chinwag_session=""' in out.headers["set-cookie"]
    assert "You have signed out" in (await browser.get("/signed-out")).text
    async with deps.uow() as uow:
        [session] = (await uow.session.exec(select(DashboardSession))).all()
    assert session.ended_at is not None
    cookie = session.id_hash  # the browser dropped it; a copy of the old cookie is no use either
    assert cookie and (await browser.get("/")).status_code == 401


async def test_a_post_without_the_right_csrf_token_is_refused(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    csrf = await sign_in(deps, browser, ORGANISER)
    assert (await browser.post("/signout", data={})).status_code == 403
    refused = await browser.post(
        "/signout", data={"csrf": csrf[:-1] + ("A" if csrf[-1] != "A" else "B")}
    )
    assert refused.status_code == 403
    assert "That form has expired" in refused.text
    assert (await browser.get("/")).status_code == 200  # still signed in


async def test_a_copied_session_cookie_stops_working_at_sign_out(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    csrf = await sign_in(deps, browser, ADMIN)
    stolen = browser.cookies["chinwag_session"]
    await browser.post("/signout", data={"csrf": csrf})
    thief = httpx.AsyncClient(
        transport=browser._transport, base_url=BASE, cookies={"chinwag_session": stolen}
    )
    async with thief:
        assert (await thief.get("/")).status_code == 401


async def test_the_role_is_read_again_at_every_request(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    await sign_in(deps, browser, PCSO)
    async with deps.uow() as uow:
        await uow.session.exec(
            update(User).where(col(User.telegram_id) == PCSO).values(role="resident")
        )
        await uow.commit()
    page = await browser.get("/")
    assert page.status_code == 403
    assert "The dashboard is for staff only" in page.text and "Tarvin" not in page.text
    async with deps.uow() as uow:
        [session] = (await uow.session.exec(select(DashboardSession))).all()
    assert session.ended_at is not None


async def test_forget_removes_links_and_sessions(deps: Deps, browser: httpx.AsyncClient) -> None:
    await sign_in(deps, browser, ORGANISER)
    await dashboard_link(deps, ORGANISER)
    organiser = Resident(deps, ORGANISER, "Sam")
    await organiser.send("/forget")
    await organiser.press("Yes, delete it")
    async with deps.uow() as uow:
        assert await uow.users.by_telegram_id(ORGANISER) is None
        assert not (await uow.session.exec(select(DashboardSession))).all()
        assert not (await uow.session.exec(select(DashboardLink))).all()
    assert (await browser.get("/")).status_code == 401


async def test_https_dashboards_set_secure_cookies(app: App, deps: Deps) -> None:
    settings = app.settings.model_copy(update={"dashboard_url": "https://dash.example.org"})
    web_app = create_web_app(dataclasses.replace(app, settings=settings))
    token = await dashboard_link(deps, ADMIN)
    transport = httpx.ASGITransport(app=web_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="https://dash.example.org"
    ) as client:
        form = await client.get(f"/signin/{token}")
        assert "Secure" in form.headers["set-cookie"]
        signed = await client.post(f"/signin/{token}", data={"csrf": csrf_of(form.text)})
        assert "Secure" in signed.headers["set-cookie"]


async def test_every_response_carries_the_security_headers(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    await sign_in(deps, browser, ADMIN)
    for path in ("/", "/events", "/events.csv", "/nowhere", "/signin/nope"):
        response = await browser.get(path)
        assert response.headers["referrer-policy"] == "no-referrer", path
        assert "default-src 'none'" in response.headers["content-security-policy"]
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert (await browser.get("/nowhere")).status_code == 404
    css = await browser.get("/static/dashboard.css")
    assert css.status_code == 200 and "focus-visible" in css.text


def test_world_fixture_is_what_the_tests_assume(world: World) -> None:
    assert world.tarvin.lpu_id == world.hoole.lpu_id != world.crewe.lpu_id


async def test_signing_in_again_ends_the_browsers_earlier_session(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    await sign_in(deps, browser, ORGANISER)
    first = browser.cookies["chinwag_session"]
    await sign_in(deps, browser, ORGANISER)
    assert browser.cookies["chinwag_session"] != first
    async with deps.uow() as uow:
        ended = [
            s.ended_at is not None for s in (await uow.session.exec(select(DashboardSession))).all()
        ]
    assert sorted(ended) == [False, True]


async def test_the_daily_retention_forgets_ended_sessions_and_spent_links(
    deps: Deps, browser: httpx.AsyncClient
) -> None:
    csrf = await sign_in(deps, browser, ORGANISER)  # a used link, and a live session
    await dashboard_link(deps, PCSO)  # a link not used yet
    await browser.post("/signout", data={"csrf": csrf})
    await sign_in(deps, browser, ADMIN)  # another used link, another live session
    await apply_retention(deps, datetime.now(UTC))
    async with deps.uow() as uow:
        sessions = (await uow.session.exec(select(DashboardSession))).all()
    assert [s.ended_at for s in sessions] == [None]
    assert [link.used_at for link in await _links(deps)] == [None]
    assert (await browser.get("/")).status_code == 200
