"""The organiser menu reaches every staff tool: reports, "you said, we did", broadcasts."""

from __future__ import annotations

from bot.bootstrap import App
from bot.staff_command import grant_role
from handlers.outbound import Document
from tests.support.resident import Resident

ORGANISER = 7_300_000_001


async def organiser(app: App) -> Resident:
    async with app.deps.uow() as uow:
        await grant_role(uow, telegram_id=ORGANISER, role="organiser", lpu="chester")
        await uow.commit()
    return Resident(app.deps, telegram_id=ORGANISER, name="Ola")


async def test_the_menu_sends_the_report_of_the_area(app: App) -> None:
    ola = await organiser(app)
    await ola.send("/organise")
    await ola.press("📊 Report")
    [document] = [r for r in ola.replies if isinstance(r, Document)]
    assert document.filename.endswith(".html") and b"<html" in document.content[:200].lower()


async def test_the_menu_starts_a_you_said_we_did_update(app: App) -> None:
    ola = await organiser(app)
    await ola.send("/organise")
    await ola.press("You said, we did")
    assert ola.replies, "the update flow answers"
    assert "You cannot" not in ola.text


async def test_a_resident_pressing_a_forged_report_button_gets_nothing(app: App) -> None:
    from handlers.callbacks import Organiser, OrganiserAction
    from handlers.payloads import encode

    rik = Resident(app.deps, telegram_id=7_300_000_002)
    await rik.press_data(encode(Organiser(OrganiserAction.REPORT)))
    assert not any(isinstance(r, Document) for r in rik.replies)
