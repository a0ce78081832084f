"""The migrations build exactly the schema the models describe, both ways."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

import storage.models  # noqa: F401  (registers the tables)
from storage.database import create_engine
from storage.migrate import downgrade, head_revision, upgrade
from storage.models import Event, FundingApplication, FundingPot, User


async def schema_differences(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(
                lambda sync: compare_metadata(MigrationContext.configure(sync), SQLModel.metadata)
            )
    finally:
        await engine.dispose()


@pytest.mark.sqlite_only("migrates a SQLite file")
async def test_sqlite_migrations_match_the_models_and_go_down_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.db'}"
    await asyncio.to_thread(upgrade, url)
    assert await schema_differences(url) == []
    await asyncio.to_thread(downgrade, url, "base")
    await asyncio.to_thread(upgrade, url)
    assert head_revision() is not None


async def test_postgres_migrations_match_the_models(postgres_url: str) -> None:
    await asyncio.to_thread(upgrade, postgres_url)
    assert await schema_differences(postgres_url) == []


async def test_one_draft_per_applicant_and_pot_keeps_the_fullest_of_any_duplicates(
    blank_db_url: str,
) -> None:
    """0017 resolves the duplicate drafts made before it (the one with the most answers,
    the newest of those, stays; the applicant's awaited answer goes to it), then
    forbids another; its downgrade allows them again."""
    await asyncio.to_thread(upgrade, blank_db_url, "0016")
    engine = create_engine(blank_db_url)

    def draft(pot: FundingPot, user: User, name: str, version: int = 1) -> FundingApplication:
        assert pot.id is not None and user.id is not None
        return FundingApplication(
            pot_id=pot.id, applicant_id=user.id, project_name=name, version=version
        )

    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            ann, bob = (User(telegram_id=n, chat_id=n, first_name=str(n)) for n in (1, 2))
            pot, other = (
                FundingPot(title=t, opens_on=date(2026, 1, 1), closes_on=date(2026, 12, 31))
                for t in ("Pot", "Other pot")
            )
            session.add_all([ann, bob, pot, other])
            await session.flush()
            rows = [
                draft(pot, ann, "old"),
                draft(pot, ann, "answered", version=3),
                draft(pot, ann, "new"),
                draft(pot, bob, "bob's"),
                draft(other, ann, "other pot"),
            ]
            sent = draft(pot, ann, "sent")
            sent.status = "submitted"
            session.add_all([*rows, sent])
            await session.flush()
            ann.awaiting = f"fd:apply:{rows[2].id}"  # writing the newest, emptiest one
            bob.awaiting = f"fd:apply:{rows[3].id}"
            await session.commit()

        await asyncio.to_thread(upgrade, blank_db_url, "0017")
        async with AsyncSession(engine) as session:
            left = (
                await session.exec(select(FundingApplication).order_by(col(FundingApplication.id)))
            ).all()
            assert [(a.project_name, a.status) for a in left] == [
                ("answered", "draft"),
                ("bob's", "draft"),
                ("other pot", "draft"),
                ("sent", "submitted"),
            ]
            awaiting = {u.telegram_id: u.awaiting for u in (await session.exec(select(User)))}
            assert awaiting == {1: f"fd:apply:{rows[1].id}", 2: f"fd:apply:{rows[3].id}"}
            session.add(draft(pot, ann, "a second draft"))
            with pytest.raises(IntegrityError):
                await session.commit()
        async with AsyncSession(engine) as session:
            withdrawn = draft(pot, ann, "withdrawn")  # only drafts are limited
            withdrawn.status = "withdrawn"
            session.add(withdrawn)
            await session.commit()

        await asyncio.to_thread(downgrade, blank_db_url, "0016")
        async with AsyncSession(engine) as session:
            session.add(draft(pot, ann, "a second draft"))
            await session.commit()
    finally:
        await engine.dispose()


@pytest.mark.sqlite_only("migrates a SQLite file")
async def test_a_series_made_before_it_kept_its_end_takes_it_from_its_first_date(
    blank_db_url: str,
) -> None:
    """0019: a series row without an end time (as ``chinwag events add --weekly`` made
    them) takes the length of its earliest date that has one, and its dates without
    one (added by the scheduler since) get it; a series whose dates have none stays so."""
    await asyncio.to_thread(upgrade, blank_db_url, "0018")
    engine = create_engine(blank_db_url)
    first = datetime(2026, 10, 20, 17, tzinfo=UTC)  # 18:00 BST
    week = timedelta(days=7)

    def event(
        starts: datetime, ends: datetime | None, series_id: int | None = None, status: str = ""
    ) -> Event:
        return Event(
            title="Surgery",
            starts_at=starts,
            ends_at=ends,
            series_id=series_id,
            status=status or "scheduled",
            recurrence="weekly" if status == "series" else "",
        )

    try:
        async with AsyncSession(engine, expire_on_commit=False) as session:
            series = event(first, None, status="series")
            endless = event(first, None, status="series")
            session.add_all([series, endless])
            await session.flush()
            dates = [
                event(first, first + timedelta(hours=1, minutes=30), series_id=series.id),
                event(
                    first + week, first + week + timedelta(hours=1, minutes=30), series_id=series.id
                ),
                event(first + 2 * week, None, series_id=series.id),  # added by the scheduler
                event(first, None, series_id=endless.id),
            ]
            session.add_all(dates)
            await session.commit()

        await asyncio.to_thread(upgrade, blank_db_url, "0019")
        async with AsyncSession(engine) as session:
            rows = {e.id: e for e in (await session.exec(select(Event))).all()}
        length = timedelta(hours=1, minutes=30)
        assert rows[series.id].ends_at == first + length
        assert [rows[d.id].ends_at for d in dates[:3]] == [
            first + length,
            first + week + length,
            first + 2 * week + length,
        ]
        assert rows[endless.id].ends_at is None and rows[dates[3].id].ends_at is None

        await asyncio.to_thread(downgrade, blank_db_url, "0018")  # leaves the times be
    finally:
        await engine.dispose()
