"""An event with every text field at its longest: its page is over one message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from bot.bootstrap import App
from handlers.events.organise.steps import TEXT_FIELDS
from storage.models import Community, Event


def longest(field: str, words: str) -> str:
    """``words`` repeated to the longest an organiser may write in ``field``."""
    limit = TEXT_FIELDS[field][1]
    return (words * limit)[:limit].strip()


async def full_event(app: App, description: str = "Music & games for all ") -> Event:
    """A Tarvin event in five days whose fields are all as long as they may be."""
    async with app.deps.uow() as uow:
        tarvin = (await uow.session.exec(select(Community).where(Community.name == "Tarvin"))).one()
        event = Event(
            kind="other",
            title=longest("title", "Tea & cake "),
            venue=longest("venue", "Hall & garden "),
            address=longest("address", "Church Street & High Street "),
            accessibility=longest("access", "Ramp & loop "),
            description=longest("desc", description),
            community_id=tarvin.id,
            lpu_id=tarvin.lpu_id,
            starts_at=datetime.now(UTC) + timedelta(days=5),
        )
        uow.session.add(event)
        await uow.commit()
    return event
