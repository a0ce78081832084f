"""Headless Chromium for the dashboard's browser tests, and a demo-like world to show.

Playwright for Python drives Debian's own ``chromium`` (never a downloaded one:
``playwright install`` is not needed and must not be run). One browser serves a
whole module; each test gets a fresh browser context (its own cookies). The
tests skip, saying why, when Playwright or ``/usr/bin/chromium`` is missing.

Screenshots go to ``$CHINWAG_TEST_ARTEFACTS/<backend>/`` (a temporary folder by
default); the folder is printed at the end of the run. In CI (``CI=true``), or with
``CHINWAG_REQUIRE_BROWSER`` set, a missing browser fails the tests instead.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.staff_command import grant_role
from handlers.context import Deps
from storage.models import (
    Answer,
    Community,
    Conversation,
    Event,
    FundingApplication,
    FundingPot,
    User,
)

CHROMIUM = Path(os.environ.get("CHINWAG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREEN = {"width": 1280, "height": 800}
PUBLIC = "http://dashboard.chinwag.test"
BACKEND = os.environ.get(
    "CHINWAG_TEST_DATABASE", "sqlite"
)  # the address in the bot's links; not served here

ORGANISER, PCSO = 5_900_000_001, 5_900_000_002

_ARTEFACTS: list[Path] = []


def readme_dir() -> Path | None:
    """``$CHINWAG_README_SCREENSHOTS`` (e.g. docs/screenshots): where the README's
    screenshots are written when asked; unset, they are not."""
    given = os.environ.get("CHINWAG_README_SCREENSHOTS")
    return Path(given) if given else None


def artefacts_dir() -> Path:
    """Where this run's screenshots go (made once per run)."""
    if not _ARTEFACTS:
        given = os.environ.get("CHINWAG_TEST_ARTEFACTS")
        folder = Path(given) if given else Path(tempfile.mkdtemp(prefix="chinwag-browser-"))
        folder = folder / BACKEND  # the SQLite and PostgreSQL passes may run at once
        folder.mkdir(parents=True, exist_ok=True)
        _ARTEFACTS.append(folder)
    return _ARTEFACTS[0]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _ARTEFACTS:
        shots = sorted(p.name for p in _ARTEFACTS[0].glob("*.png"))
        terminalreporter.write_line(
            f"browser test screenshots ({len(shots)}): {_ARTEFACTS[0]}", bold=True
        )


def _why_no_browser() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[test]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)) and not shutil.which(
        str(CHROMIUM)
    ):
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def chromium() -> AsyncIterator[Any]:
    """One headless Chromium for the module (Playwright's own fresh profile)."""
    reason = _why_no_browser()
    if reason and (os.environ.get("CI") == "true" or os.environ.get("CHINWAG_REQUIRE_BROWSER")):
        pytest.fail(f"the browser tests must run here: {reason}")
    if reason:
        pytest.skip(reason)
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
def artefacts() -> Iterator[Path]:
    yield artefacts_dir()


@dataclass
class Place:
    community: Community
    lpu_id: int


async def community(deps: Deps, name: str) -> Community:
    async with deps.uow() as uow:
        [found] = await uow.organisers.communities_named(name)
        return found


async def staff(deps: Deps) -> None:
    """An organiser for the Chester LPU and a PCSO for Tarvin."""
    async with deps.uow() as uow:
        await grant_role(uow, telegram_id=ORGANISER, role="organiser", lpu="chester")
        await grant_role(uow, telegram_id=PCSO, role="pcso", community="Tarvin")
        await uow.commit()


async def user_id(deps: Deps, telegram_id: int) -> int:
    async with deps.uow() as uow:
        user = await uow.users.by_telegram_id(telegram_id)
        assert user is not None and user.id is not None
        return user.id


async def add_event(
    deps: Deps,
    title: str,
    where: Community,
    starts_at: datetime,
    *,
    kind: str = "conversation",
    organiser: int | None = None,
    token: str = "",
) -> int:
    async with deps.uow() as uow:
        event = Event(
            title=title,
            kind=kind,
            community_id=where.id,
            starts_at=starts_at,
            venue="Village hall",
            organiser_id=organiser,
            checkin_token=token,
        )
        uow.session.add(event)
        await uow.commit()
        assert event.id is not None
        return event.id


_SAID = {
    "exists": [
        "The village hall and a good bus service",
        "A friendly pub and the primary school",
        "Dog walkers who know everyone",
        "Neuadd y pentref",
        "Park and the library",
    ],
    "needs": [
        "Street lighting on the lane to the station",
        "Something for teenagers in the evenings",
        "Better street lighting near the park",
        "A youth club",
        "Parking enforcement outside the school",
    ],
    "future": [
        "Safe for children to walk to school",
        "Less speeding through the village",
        "A place where neighbours look out for each other",
        "Cleaner streets and less litter",
    ],
}
_LANGUAGES = ["en", "en", "en", "cy", "en", "pl", "en", "en", "uk", "en", "cy", "ro", "en", "ar"]


async def demo_answers(
    deps: Deps, plan: dict[str, int], *, days: int = 14, first_id: int = 9_800_000
) -> int:
    """Submitted conversations spread over the last ``days`` days, ``plan`` giving how
    many for each community name; each with plausible free-text answers."""
    made = 0
    now = datetime.now(UTC)
    async with deps.uow() as uow:
        for name, count in plan.items():
            [place] = await uow.organisers.communities_named(name)
            for n in range(count):
                language = _LANGUAGES[(made + n) % len(_LANGUAGES)]
                user = await uow.users.add(
                    User(telegram_id=first_id + made, chat_id=first_id + made, language=language)
                )
                made += 1
                conversation = Conversation(
                    user_id=user.id,
                    questionnaire="resident",
                    step="done",
                    status="submitted",
                    community_id=place.id,
                    submitted_at=now - timedelta(days=(made * 5) % days + 1, hours=made % 9),
                )
                uow.session.add(conversation)
                await uow.session.flush()
                assert conversation.id is not None
                for question, texts in _SAID.items():
                    uow.session.add(
                        Answer(
                            conversation_id=conversation.id,
                            question=question,
                            text=texts[(made + n) % len(texts)],
                            language=language,
                        )
                    )
        await uow.commit()
    return made


async def answer_now(deps: Deps, where: Community, telegram_id: int, needs: str) -> None:
    """A resident of ``where`` who has just sent ``needs`` as what is missing."""
    async with deps.uow() as uow:
        user = await uow.users.add(User(telegram_id=telegram_id, chat_id=telegram_id))
        conversation = Conversation(
            user_id=user.id,
            questionnaire="resident",
            step="done",
            status="submitted",
            community_id=where.id,
            submitted_at=datetime.now(UTC) - timedelta(minutes=3),
        )
        uow.session.add(conversation)
        await uow.session.flush()
        assert conversation.id is not None
        uow.session.add(Answer(conversation_id=conversation.id, question="needs", text=needs))
        await uow.commit()


async def funding_application(deps: Deps, lpu_slug: str, project: str, pence: int) -> int:
    """A pot of £500 for the LPU, open this season, and one application waiting in it."""
    today = datetime.now(UTC).date()
    async with deps.uow() as uow:
        lpu = await uow.communities.lpu_by_slug(lpu_slug)
        assert lpu is not None
        pot = await uow.funding.open_pot(
            FundingPot(
                lpu_id=lpu.id,
                title="Small grants",
                amount_pence=50_000,
                opens_on=today - timedelta(days=30),
                closes_on=date(today.year + 1, 3, 31),
            )
        )
        applicant = await uow.users.add(
            User(telegram_id=9_890_001, chat_id=9_890_001, language="en", first_name="Ann")
        )
        assert pot.id is not None
        application = await uow.funding.add_application(
            FundingApplication(
                pot_id=pot.id,
                applicant_id=applicant.id,
                status="submitted",
                project_name=project,
                problem="Speeding on the lane by the school",
                beneficiaries="Children walking to school",
                cost_breakdown="Two signs",
                requested_pence=pence,
                contact="ann@example.org",
                submitted_at=datetime.now(UTC) - timedelta(days=2),
            )
        )
        await uow.commit()
        assert application.id is not None
        return application.id
