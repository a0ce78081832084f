"""A few fictional directory entries for the demo, so the terminal shows something.

Added by ``chinwag demo load``; an entry already there (same name) is left alone.
"""

from __future__ import annotations

from storage.models import DirectoryEntry
from storage.uow import UnitOfWork

# name, category, community slug, LPU slug, description, where and when, contact, keywords
DEMO_ENTRIES = (
    (
        "Tarvin Youth Club",
        "youth",
        "tarvin",
        "",
        "Games, sport and a safe place to meet friends for 11 to 17 year olds.",
        "Tarvin Community Centre, Wednesdays 6.30 to 8.30pm",
        "tarvinyouth@example.org",
        "teenagers, young people, pool table",
    ),
    (
        "Tarvin Walking Group",
        "clubs",
        "tarvin",
        "",
        "Gentle walks of an hour or so, at everyone's pace, then tea.",
        "Meet at the church gate, Saturdays 10am",
        "01829 000 123",
        "walks, fresh air, exercise",
    ),
    (
        "Hoole Cuppa and Chat",
        "social",
        "hoole",
        "",
        "A friendly drop-in for anyone who feels lonely or is new to the area.",
        "Hoole Library, Thursdays 2 to 4pm",
        "01244 000 456",
        "company, coffee, meet people",
    ),
    (
        "Chester Scam Busters",
        "crime",
        "",
        "chester",
        "Talks and one-to-one help to spot scams, doorstep callers and phone fraud.",
        "Community bases across Chester, first Monday of the month",
        "scambusters@example.org",
        "fraud, scams, doorstep, phone",
    ),
    (
        "Blacon Community Hub",
        "bases",
        "blacon",
        "",
        "Community base with a café, meeting rooms and a monthly police surgery.",
        "Blacon High Street, weekdays 9am to 5pm",
        "01244 000 789",
        "police surgery, café, rooms",
    ),
    (
        "Cheshire Money Advice Drop-in",
        "advice",
        "",
        "",
        "Free, confidential help with benefits, debt, bills and forms.",
        "Libraries across Cheshire; see the website for times",
        "www.example.org/money-advice",
        "benefits, debt, bills, money",
    ),
)


async def load_demo_directory(uow: UnitOfWork) -> int:
    """Add the demo entries that are missing; returns how many were added."""
    added = 0
    for name, category, community, lpu, description, where_when, contact, words in DEMO_ENTRIES:
        if await uow.directory.by_name(name) is not None:
            continue
        place = await uow.communities.by_slug(community) if community else None
        area = await uow.communities.lpu_by_slug(lpu) if lpu else None
        if (community and place is None) or (lpu and area is None):
            continue  # a database without the demo communities
        await uow.directory.add(
            DirectoryEntry(
                name=name,
                category=category,
                description=description,
                where_when=where_when,
                contact=contact,
                keywords=words,
                languages="English",
                accessibility="Step-free access" if category != "clubs" else "",
                community_id=place.id if place is not None else None,
                lpu_id=area.id if area is not None else None,
                source="csv",
            )
        )
        added += 1
    return added
