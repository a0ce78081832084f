"""A staff invitation over real HTTP, on both transports and in both modes.

The invitation is made as ``chinwag staff invite`` makes it, with the bot's own
username from getMe; opening the link in Telegram sends ``/start staff-<token>``.
"""

from __future__ import annotations

import argparse
import re

from sqlmodel import select

from bot.staff_invites import make_invite
from storage.models import Community, StaffInvite, User
from tests.e2e.conftest import RunningBot
from tests.fakes.bot_api import FakeBotApi


async def test_a_resident_opens_an_invitation_and_becomes_a_pcso(
    bot_api: FakeBotApi, running_bot: RunningBot
) -> None:
    app = running_bot.app
    settings = app.settings.model_copy(update={"bot_username": app.deps.bot_username})
    args = argparse.Namespace(
        role="pcso", community="Tarvin", lpu=None, note="for Pat", expires_hours=72
    )
    async with app.deps.uow() as uow:
        lines = await make_invite(uow, settings, args, app.deps.clock())
        await uow.commit()
    link = re.search(r"https://t\.me/(\w+)\?start=(staff-[\w-]+)", "\n".join(lines))
    assert link is not None and link.group(1) == app.deps.bot_username

    pat = bot_api.user(5_700_000_001, "Pat", username="pat_pcso")
    await pat.send(f"/start {link.group(2)}")
    welcome = await pat.wait_for(contains="Welcome to the team")
    assert "Your role: PCSO\nYour area: Tarvin, in the Chester LPU" in welcome["text"]
    assert "/organise" in welcome["text"]

    await pat.send("/organise")
    await pat.wait_for(contains="Plan events, see who is coming")
    assert any("New event" in label for label in pat.buttons())

    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        user = (await uow.session.exec(select(User).where(User.telegram_id == pat.id))).one()
        invite = (await uow.session.exec(select(StaffInvite))).one()
    assert (user.role, user.role_community_id) == ("pcso", tarvin.id)
    assert (invite.used_by_id, invite.used_by_name) == (user.id, "Pat @pat_pcso")

    other = bot_api.user(5_700_000_002, "Olly")
    await other.send(f"/start {link.group(2)}")
    await other.wait_for(contains="This invitation link does not work")
