"""Generated Community Conversation answers, for reports and exports.

``generate_answers`` writes submitted resident conversations (every question
answered, texts taken from tests/fixtures/language_samples in six languages) in
a spread of demo communities and days, some anonymous, plus a few organisation
engagement plans. It is deterministic: the same arguments give the same rows.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from storage.models import Answer, Community, Conversation, User
from storage.uow import UnitOfWork

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "language_samples"
LANGUAGES = ("en", "en", "en", "cy", "pl", "uk", "ro", "ar")
TEXT_QUESTIONS = ("exists", "needs", "future", "anything_else")
ISSUES = ("asb", "speeding", "drugs", "burglary", "litter", "youth", "loneliness", "parking")
EXTRA_EN = (
    "Age UK run a lunch club in the church hall and Tarvin Community Choir meets on Fridays.",
    "Neighbourhood Watch is active here and the fire service fitted smoke alarms for free.",
    "We need Citizens Advice to come back to the library once a week.",
    "Tarvin Community Choir and the Scouts need a bigger hall.",
)
PLANS = (
    ("Cheshire Fire and Rescue", "fire", "Safe and well visits and a stall at every market day."),
    (
        "Tarvin Community Choir",
        "voluntary",
        "We will sing at the care home and ask residents what they need.",
    ),
    ("Age UK Cheshire", "voluntary", "Monthly drop-ins at the library for older people."),
)


@dataclass(frozen=True, slots=True)
class Generated:
    conversations: int
    answers: int
    communities: tuple[int, ...]


def _samples() -> dict[str, list[str]]:
    found = {}
    for language in set(LANGUAGES):
        data = json.loads((SAMPLES / f"{language}.json").read_text(encoding="utf-8"))
        found[language] = [*data["long"], *data["short"]]
    return found


async def generate_answers(
    uow: UnitOfWork,
    *,
    people: int = 80,
    start: datetime = datetime(2026, 10, 1, 9, tzinfo=UTC),
    days: int = 20,
    seed: int = 8,
    communities: int = 6,
) -> Generated:
    """Write ``people`` submitted conversations (5 answers each) and three plans."""
    rng = random.Random(seed)
    texts = _samples()
    places = (
        await uow.session.exec(select(Community).order_by(col(Community.id)).limit(communities))
    ).all()
    # Most people in the first community, so that some breakdowns fall below 5.
    weights = [people // 2] + [max(1, people // (2 * len(places)))] * (len(places) - 1)
    chosen = rng.choices(places, weights=weights, k=people)
    chosen[-1] = places[-1]  # one community with a single person
    count = 0
    for n in range(people):
        language = LANGUAGES[n % len(LANGUAGES)]
        community = chosen[n]
        assert community.id is not None
        user = User(
            telegram_id=7_000_000_000 + n,
            chat_id=7_000_000_000 + n,
            first_name=f"Resident{n}",
            language=language,
        )
        uow.session.add(user)
        await uow.session.flush()
        when = start + timedelta(days=rng.randrange(days), minutes=rng.randrange(600))
        conv = Conversation(
            user_id=user.id,
            questionnaire="resident",
            step="review",
            status="submitted",
            anonymous=n % 3 == 0,
            community_id=community.id,
            submitted_at=when,
        )
        uow.session.add(conv)
        await uow.session.flush()
        assert conv.id is not None
        rows = [
            Answer(
                conversation_id=conv.id,
                question="community",
                text=community.name,
                choices=str(community.id),
            )
        ]
        for question in TEXT_QUESTIONS:
            pool = texts[language] + (list(EXTRA_EN) if language == "en" else [])
            rows.append(
                Answer(
                    conversation_id=conv.id,
                    question=question,
                    text=rng.choice(pool),
                    language=language,
                    language_confidence=0.99,
                )
            )
        picked = sorted(rng.sample(ISSUES, rng.randint(1, 3)))
        rows.append(
            Answer(
                conversation_id=conv.id,
                question="issues",
                choices=",".join(picked),
                text=rng.choice(texts[language]) if n % 4 == 0 else None,
                language=language if n % 4 == 0 else None,
            )
        )
        uow.session.add_all(rows)
        count += len(rows)
    for i, (name, kind, plan) in enumerate(PLANS):
        user = User(telegram_id=7_100_000_000 + i, chat_id=7_100_000_000 + i, first_name=f"Org{i}")
        uow.session.add(user)
        await uow.session.flush()
        conv = Conversation(
            user_id=user.id,
            questionnaire="organisation",
            step="review",
            status="submitted",
            submitted_at=start + timedelta(days=i),
        )
        uow.session.add(conv)
        await uow.session.flush()
        assert conv.id is not None
        uow.session.add_all(
            [
                Answer(conversation_id=conv.id, question="org_name", text=name),
                Answer(conversation_id=conv.id, question="org_type", text=kind, choices=kind),
                Answer(conversation_id=conv.id, question="inform", text=plan),
                Answer(conversation_id=conv.id, question="interest", choices="older,young"),
            ]
        )
    await uow.session.flush()
    return Generated(people, count, tuple(c.id for c in places if c.id is not None))
