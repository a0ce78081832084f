"""data.police.uk answers turned into our rows, with no I/O: easy to test and to trust.

The API sends numbers as strings, dates as naive local timestamps, text as HTML and
anything as possibly missing or ``null``; everything here copes with all of that.
Text is cleaned (``storage.text.clean``: no NUL, no control characters, no lone
surrogates) and cut to its column's length (PostgreSQL would refuse longer ones),
and JSON is written with sorted keys, so the same answer always gives the same row
and a second sync finds nothing to change.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import SQLModel

from bot.sync.plain_text import html_to_text, one_line
from storage.models import Community, CommunityBase, Event, TeamMember
from storage.text import clean

SOURCE = "police-uk"
LONDON = ZoneInfo("Europe/London")

# contact_details keys that are not links to follow the team on.
_NOT_SOCIAL = frozenset({"email", "telephone", "mobile", "fax", "address"})
_LOCATION_TYPES = {"station": "Police station"}
_WORDS = re.compile(r"[a-z]+")
_SLUG_PARTS = re.compile(r"[a-z0-9]+")


def clip(model: type[SQLModel], field: str, value: str) -> str:
    """``value`` cut to the length of ``model.field``'s column, if it has one."""
    length = getattr(model.__table__.c[field].type, "length", None)  # type: ignore[attr-defined]
    return value[:length].rstrip() if length and len(value) > length else value


def text(value: Any) -> str:
    """A plain one-line string from a JSON value (a number too; ``None`` and the rest: "").

    Cleaned: fit for names and the like, not for ids (``identifier``).
    """
    return " ".join(clean(identifier(value)).split())


def identifier(value: Any) -> str:
    """An id from a JSON value, on one line but not cleaned: two ids must not become one."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return " ".join(value.split()) if isinstance(value, str) else ""


def coordinate(value: Any) -> float | None:
    """A latitude or longitude from a string like ``"53.19"`` (or a number, or null)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def stable_json(value: Any) -> str:
    """JSON that is the same text for the same value; "" for nothing at all."""
    if not value:
        return ""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def role_for(rank: str) -> str:
    """Our role for a rank as forces write it: "PCSO", "Sgt", "Police Constable"...

    PCSO is checked first: "Police Community Support Officer" is not an officer.
    """
    words = _WORDS.findall(rank.lower())
    phrase = " ".join(words)
    if "pcso" in words or "community support officer" in phrase:
        return "pcso"
    if {"inspector", "insp"} & set(words):  # Chief Inspector, Detective Inspector
        return "inspector"
    if {"sergeant", "sgt", "ps", "ds"} & set(words):
        return "sergeant"
    if {"constable", "pc", "dc"} & set(words):
        return "officer"
    return "other"


def contact_fields(details: Any) -> tuple[str, str, str]:
    """``(email, phone, social JSON)`` from a person's ``contact_details``."""
    if not isinstance(details, Mapping):
        return "", "", ""
    email = text(details.get("email"))
    phone = text(details.get("telephone")) or text(details.get("mobile"))
    social = {
        text(key): text(value)
        for key, value in details.items()
        if key not in _NOT_SOCIAL and text(value)
    }
    return email, phone, stable_json(social)


def contact_json(details: Any) -> str:
    """A neighbourhood's ``contact_details`` as JSON, keeping only the filled-in ones."""
    if not isinstance(details, Mapping):
        return ""
    return stable_json({text(key): text(value) for key, value in details.items() if text(value)})


def boundary_json(points: Iterable[Mapping[str, Any]]) -> str:
    """``[[lat, lon], ...]`` from the API's ``[{"latitude": "53.1", "longitude": "-2.9"}]``."""
    pairs = []
    for point in points:
        lat, lon = coordinate(point.get("latitude")), coordinate(point.get("longitude"))
        if lat is not None and lon is not None:
            pairs.append([lat, lon])
    return stable_json(pairs)


def community_fields(
    detail: Mapping[str, Any], boundary: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """The ``Community`` columns one neighbourhood (and its boundary) decides."""
    centre = detail.get("centre")
    centre = centre if isinstance(centre, Mapping) else {}
    return {
        "name": clip(Community, "name", text(detail.get("name"))),
        "description": html_to_text(_str(detail.get("description"))),
        "centroid_lat": coordinate(centre.get("latitude")),
        "centroid_lon": coordinate(centre.get("longitude")),
        "contact": contact_json(detail.get("contact_details")),
        "url": clip(Community, "url", text(detail.get("url_force"))),
        "boundary": boundary_json(boundary),
    }


def member_rows(community_id: int, people: Iterable[Mapping[str, Any]]) -> list[TeamMember]:
    """The team, in the API's order; a name listed twice is kept once (names are unique)."""
    rows: list[TeamMember] = []
    seen: set[str] = set()
    for person in people:
        name = clip(TeamMember, "name", text(person.get("name")))
        if not name or name in seen:
            continue
        seen.add(name)
        rank = clip(TeamMember, "rank", text(person.get("rank")))
        email, phone, social = contact_fields(person.get("contact_details"))
        rows.append(
            TeamMember(
                community_id=community_id,
                name=name,
                rank=rank,
                role=role_for(rank),
                email=clip(TeamMember, "email", email),
                phone=clip(TeamMember, "phone", phone),
                social=social,
                bio=html_to_text(_str(person.get("bio"))),
                position=len(rows),
            )
        )
    return rows


def base_rows(community_id: int, locations: Iterable[Mapping[str, Any]]) -> list[CommunityBase]:
    """Community bases from a neighbourhood's ``locations``; names made unique."""
    rows: list[CommunityBase] = []
    taken: set[str] = set()
    for location in locations:
        kind = text(location.get("type"))
        address = clip(CommunityBase, "address", one_line(_str(location.get("address"))))
        name = text(location.get("name")) or _LOCATION_TYPES.get(kind, kind.capitalize())
        name = clip(CommunityBase, "name", name or "Community base")
        if name in taken:  # two "Police station"s: tell them apart by address
            name = clip(CommunityBase, "name", f"{name} ({address or len(rows) + 1})")
        if name in taken:
            name = clip(CommunityBase, "name", f"{name} ({len(rows) + 1})")
        taken.add(name)
        rows.append(
            CommunityBase(
                community_id=community_id,
                name=name,
                address=address,
                postcode=clip(CommunityBase, "postcode", text(location.get("postcode")).upper()),
                latitude=coordinate(location.get("latitude")),
                longitude=coordinate(location.get("longitude")),
            )
        )
    return rows


def london_to_utc(value: Any, zone: ZoneInfo = LONDON) -> datetime | None:
    """A naive ISO timestamp meant as local time in ``zone``, as an aware UTC datetime.

    An hour that happens twice (October) is taken as the first, summer-time one.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def event_external_id(force: str, neighbourhood: str, title: Any, start: Any) -> str:
    """A stable id for an event: the API gives none, so title and start time make one."""
    seed = f"{title}\n{start}".encode(errors="surrogatepass")  # a lone one too, as sent
    digest = hashlib.sha1(seed, usedforsecurity=False).hexdigest()
    return f"{force}/{neighbourhood}/{digest[:12]}"


def event_rows(force: str, neighbourhood: str, events: Iterable[Mapping[str, Any]]) -> list[Event]:
    """Events with a start time (others cannot be shown); one per external id."""
    rows: list[Event] = []
    seen: set[str] = set()
    for item in events:
        starts_at = london_to_utc(item.get("start_date"))
        if starts_at is None:
            continue
        external_id = event_external_id(
            force, neighbourhood, item.get("title"), item.get("start_date")
        )
        if external_id in seen:
            continue
        seen.add(external_id)
        title = text(item.get("title"))
        kind = text(item.get("type"))
        rows.append(
            Event(
                kind="surgery" if "surgery" in f"{title} {kind}".lower() else "other",
                title=clip(Event, "title", title or "Neighbourhood team event"),
                description=html_to_text(_str(item.get("description"))),
                starts_at=starts_at,
                ends_at=london_to_utc(item.get("end_date")),
                timezone=LONDON.key,
                address=clip(Event, "address", one_line(_str(item.get("address")))),
                source=SOURCE,
                external_id=clip(Event, "external_id", external_id),
            )
        )
    return rows


def slugify(value: str) -> str:
    """``"Hoole & Newton"`` → ``"hoole-and-newton"``."""
    return "-".join(_SLUG_PARTS.findall(value.lower().replace("&", " and ")))


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None
