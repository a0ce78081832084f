"""``chinwag funding open``, ``list`` and ``export --format csv``."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.bootstrap import build_app
from bot.cli import main
from bot.funding_command import pounds
from bot.settings import Settings
from handlers.funding.money import pence
from storage.models import FundingApplication


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("CHINWAG_DATABASE_URL", db_url)
    return db_url


def bid(db_url: str, pot_id: int, status: str, requested: int) -> None:
    async def add() -> None:
        app = await build_app(Settings(database_url=db_url), apply_migrations=False)
        async with app.deps.uow() as uow:
            await uow.funding.add_application(
                FundingApplication(
                    pot_id=pot_id,
                    status=status,
                    project_name=f"Lights ({status})",
                    requested_pence=requested,
                    contact="07700 900123",
                    submitted_at=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
                )
            )
            await uow.commit()
        await app.close()

    asyncio.run(add())


def test_amounts_in_pounds() -> None:
    assert [pence("10000"), pence("£1,000"), pence("250.50")] == [1_000_000, 100_000, 25_050]
    assert [pounds(1_000_000), pounds(25_050), pounds(None)] == ["£10,000", "£250.50", ""]
    for bad in ("ten", "-5", "0", "1.001"):
        with pytest.raises(ValueError):
            pence(bad)


def test_open_list_and_export(
    cli_db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opened = [
        "funding", "open", "--lpu", "chester", "--amount", "10,000", "--title", "Chester fund",
        "--opens", "2026-12-01", "--closes", "2027-03-31", "--purpose", "Safer streets",
    ]  # fmt: skip
    assert main(opened) == 0
    assert "Pot 1: Chester fund (Chester), £10,000, open 2026-12-01 to 2027-03-31." in (
        capsys.readouterr().out
    )
    community = ["funding", "open", "--community", "Tarvin", "--amount", "1000"]
    assert main([*community, "--title", "Tarvin pot", "--closes", "2027-01-31"]) == 0
    bid(cli_db, 1, "submitted", 250_000)
    bid(cli_db, 1, "draft", 100)
    capsys.readouterr()
    assert main(["funding", "list"]) == 0
    listing = capsys.readouterr().out
    assert "£10,000 left of £10,000" in listing and "1 draft, 1 submitted" in listing
    assert "Tarvin pot  Tarvin  open  £1,000 left of £1,000" in listing

    out = tmp_path / "funding.csv"
    assert main(["funding", "export", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(r["pot_title"], r["area"], r["status"], r["requested"]) for r in rows] == [
        ("Chester fund", "Chester", "submitted", "£2,500")
    ]
    assert rows[0]["contact"] == "07700 900123" and rows[0]["submitted_at"] == "2026-12-02 10:00"


def test_bad_arguments_exit_2(cli_db: str) -> None:
    base = ["funding", "open", "--title", "X", "--closes", "2027-01-31"]
    assert main([*base, "--lpu", "atlantis", "--amount", "10"]) == 2
    assert main([*base, "--lpu", "chester", "--amount", "lots"]) == 2
    assert main([*base, "--lpu", "chester", "--amount", "10", "--opens", "2027-02-01"]) == 2
    assert main([*base, "--community", "Nowhere Town", "--amount", "10"]) == 2


def test_a_title_too_long_exits_2_and_text_is_cleaned(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # A title longer than its column made PostgreSQL refuse the pot, with a traceback.
    base = ["funding", "open", "--lpu", "chester", "--amount", "10", "--closes", "2027-01-31"]
    assert main([*base, "--title", "T" * 201]) == 2
    assert "--title is longer than 200 characters" in capsys.readouterr().err
    assert main([*base, "--title", "Safer\x07 streets", "--purpose", "\x1bLights"]) == 0
    assert "Pot 1: Safer streets (Chester)" in capsys.readouterr().out
