"""``chinwag events add|list|cancel|import``: events from the command line.

    chinwag events add --title "Tarvin police surgery" --kind surgery --community Tarvin \\
        --when "2026-12-02 18:00" --venue "Tarvin Community Centre" --weekly
    chinwag events list [--lpu chester] [--community Tarvin]
    chinwag events cancel 42
    chinwag events import events.csv

Times are local, in ``CHINWAG_TIMEZONE``, written ``YYYY-MM-DD HH:MM``. Cancelling
goes through the same path as the chat, so everyone coming is told and reminders
stop. Exit codes: 0 done; 1 nothing to cancel, or some CSV rows rejected (each is
printed with its row number; the good rows are saved); 2 a bad argument or an
unreadable file, in one line.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.errors import ConfigError
from bot.settings import Settings
from handlers.events import deeplink
from handlers.events.organise.changes import cancel_event, cancel_series
from handlers.events.organise.checkin_link import DEFAULT_BOT_USERNAME
from handlers.events.organise.create import create_events, notify_members
from handlers.events.qr import qr_png
from handlers.markup import shorten
from handlers.roles import EVENT_KINDS
from handlers.text_input import clean
from storage.models import Community, Event
from storage.uow import UnitOfWork

EXIT_DONE = 0
EXIT_SOME_REJECTED = 1
EXIT_NOT_FOUND = 1
CSV_COLUMNS = (
    "kind",
    "title",
    "community",
    "lpu",
    "starts_local",
    "ends_local",
    "venue",
    "address",
    "capacity",
    "accessibility",
    "description",
)
REQUIRED_COLUMNS = ("kind", "title", "starts_local")
LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")
MAX_CAPACITY = 100_000


class RowError(ValueError):
    """Why one event (a CSV row, or the ``add`` arguments) cannot be saved."""


def add_events_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("events", help="add, list, cancel or import events")
    what = parser.add_subparsers(dest="events_command", required=True)

    add = what.add_parser("add", help="add an event (or a repeating one)")
    add.add_argument("--title", required=True)
    add.add_argument("--kind", required=True, choices=EVENT_KINDS)
    add.add_argument("--community", default=None, help="the community's name or slug")
    add.add_argument("--lpu", default=None, help="the LPU's slug, for an event for a whole LPU")
    add.add_argument("--group", type=int, default=None, help="action group id (kind action_group)")
    add.add_argument("--when", required=True, help='local start time, "YYYY-MM-DD HH:MM"')
    add.add_argument("--ends", default=None, help='local end time, "YYYY-MM-DD HH:MM"')
    add.add_argument("--venue", default="")
    add.add_argument("--address", default="")
    add.add_argument("--capacity", type=int, default=None)
    add.add_argument("--accessibility", default="")
    add.add_argument("--description", default="")
    repeat = add.add_mutually_exclusive_group()
    repeat.add_argument("--weekly", action="store_true", help="every week on this weekday")
    repeat.add_argument(
        "--monthly", action="store_true", help="every month on this weekday (e.g. first Tuesday)"
    )
    add.add_argument("--bot-username", default=DEFAULT_BOT_USERNAME, help="for the deep link")
    add.add_argument("--qr", type=Path, default=None, help="write the QR code PNG here")

    listing = what.add_parser("list", help="events still to come")
    listing.add_argument("--lpu", default=None, help="an LPU's slug")
    listing.add_argument("--community", default=None, help="a community's name or slug")
    listing.add_argument("--cancelled", action="store_true", help="include cancelled events")

    cancel = what.add_parser("cancel", help="cancel an event; everyone coming is told")
    cancel.add_argument("id", type=int)

    imports = what.add_parser("import", help="add events from a CSV file")
    imports.add_argument("file", type=Path)


# -- reading times and places ----------------------------------------------------------


def local_time(text: str, tz: ZoneInfo, now: datetime, *, what: str = "the time") -> datetime:
    """``YYYY-MM-DD HH:MM`` in ``tz`` as an aware UTC datetime, still to come."""
    wall = None
    for pattern in LOCAL_FORMATS:
        try:
            wall = datetime.strptime(text.strip(), pattern)
            break
        except ValueError:
            continue
    if wall is None:
        raise RowError(f'{what} {text!r} is not written "YYYY-MM-DD HH:MM"')
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    if first.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != wall:
        raise RowError(f"{what} {text!r} does not exist: the clocks go forward then")
    if first.utcoffset() != second.utcoffset():
        raise RowError(
            f"{what} {text!r} happens twice: the clocks go back then (choose it in the chat)"
        )
    moment = first.astimezone(UTC)
    if moment <= now:
        raise RowError(f"{what} {text!r} has already passed")
    return moment


async def _community(uow: UnitOfWork, name: str) -> Community:
    found = await uow.organisers.communities_named(name)
    if not found:
        raise RowError(f"no community is called {name!r}")
    if len(found) > 1:
        raise RowError(f"several communities are called {name!r}; give the slug")
    return found[0]


@dataclass
class Draft:
    """One event as given on the command line or in a CSV row, checked."""

    kind: str
    title: str
    starts: datetime
    ends: datetime | None = None
    community: Community | None = None
    lpu_id: int | None = None
    group_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def fields(self, source: str) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "community_id": self.community.id if self.community else None,
            "lpu_id": None if self.community or self.group_id else self.lpu_id,
            "action_group_id": self.group_id,
            "ends_at": self.ends,
            "source": source,
            **self.extra,
        }


async def check_event(
    uow: UnitOfWork,
    tz: ZoneInfo,
    now: datetime,
    *,
    kind: str,
    title: str,
    when: str,
    ends: str = "",
    community: str = "",
    lpu: str = "",
    group: int | None = None,
    venue: str = "",
    address: str = "",
    capacity: str = "",
    accessibility: str = "",
    description: str = "",
) -> Draft:
    kind, title = kind.strip(), title.strip()
    if kind not in EVENT_KINDS:
        raise RowError(f"kind {kind!r} is not one of {', '.join(EVENT_KINDS)}")
    if not title:
        raise RowError("title is missing")
    if len(title) > 200:
        raise RowError("title is longer than 200 characters")
    if not when.strip():
        raise RowError("starts_local is missing")
    starts = local_time(when, tz, now, what="the start")
    ends_at = local_time(ends, tz, now, what="the end") if ends.strip() else None
    if ends_at is not None and ends_at <= starts:
        raise RowError("the end is not after the start")
    place = await _community(uow, community) if community.strip() else None
    lpu_row = await uow.communities.lpu_by_slug(lpu.strip().lower()) if lpu.strip() else None
    if lpu.strip() and lpu_row is None:
        raise RowError(f"no LPU has the slug {lpu.strip()!r}")
    if place and lpu_row is not None and place.lpu_id != lpu_row.id:
        raise RowError(f"{place.name} is not in the LPU {lpu.strip()!r}")
    group_id = None
    if kind == "action_group":
        action_group = await uow.groups.get(group) if group is not None else None
        if action_group is None or action_group.status != "open":
            raise RowError("an action group meeting needs the id of an open group (--group)")
        group_id = action_group.id
        lpu_id: int | None = action_group.lpu_id
    elif kind == "surgery" and place is None:
        raise RowError("a surgery needs a community")
    else:
        lpu_id = place.lpu_id if place else (lpu_row.id if lpu_row else None)
    if place is None and lpu_id is None:
        raise RowError("give a community or an LPU")
    number = None
    if capacity.strip():
        if not capacity.strip().isdigit() or not 1 <= int(capacity) <= MAX_CAPACITY:
            raise RowError(f"capacity {capacity!r} is not a number of people")
        number = int(capacity)
    if len(venue) > 200 or len(address) > 400:
        raise RowError("the venue (200) or address (400 characters) is too long")
    return Draft(
        kind=kind,
        title=title,
        starts=starts,
        ends=ends_at,
        community=place,
        lpu_id=lpu_id,
        group_id=group_id,
        extra={
            "venue": venue.strip(),
            "address": address.strip(),
            "capacity": number,
            "accessibility": accessibility.strip(),
            "description": description.strip(),
            "timezone": tz.key,
        },
    )


# -- the commands ----------------------------------------------------------------------


async def _add(uow: UnitOfWork, settings: Settings, now: datetime, args: argparse.Namespace) -> int:
    tz = settings.tz
    try:
        draft = await check_event(
            uow,
            tz,
            now,
            kind=args.kind,
            title=args.title,
            when=args.when,
            ends=args.ends or "",
            community=args.community or "",
            lpu=args.lpu or "",
            group=args.group,
            venue=args.venue,
            address=args.address,
            capacity="" if args.capacity is None else str(args.capacity),
            accessibility=args.accessibility,
            description=args.description,
        )
    except RowError as exc:
        raise ConfigError(str(exc)) from None
    repeat = "weekly" if args.weekly else "monthly" if args.monthly else "none"
    fields = draft.fields("cli")
    fields.pop("ends_at")
    events = await create_events(uow, fields, draft.starts, repeat, tz, ends=draft.ends)
    if draft.group_id is not None:
        group = await uow.groups.get(draft.group_id)
        assert group is not None
        await notify_members(uow, group, events, now, tz)
    await uow.commit()
    first = events[0]
    assert first.id is not None
    try:
        link = deeplink.deep_link(
            args.bot_username, deeplink.event_start_payload(first.id, first.checkin_token)
        )
    except ValueError as exc:
        raise ConfigError(f"--bot-username: {exc}") from None
    dates = f", {len(events)} dates ({repeat})" if len(events) > 1 else ""
    print(f"Added event {first.id}: {first.title}, {_local(first.starts_at, tz)}{dates}.")
    print(f"Link: {link}")
    if args.qr is not None:
        args.qr.write_bytes(qr_png(link))
        print(f"QR code: {args.qr}")
    return EXIT_DONE


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%a %Y-%m-%d %H:%M")


async def _list(
    uow: UnitOfWork, settings: Settings, now: datetime, args: argparse.Namespace
) -> int:
    lpu_id = community_id = None
    if args.lpu:
        lpu = await uow.communities.lpu_by_slug(args.lpu.strip().lower())
        if lpu is None:
            raise ConfigError(f"--lpu: no LPU has the slug {args.lpu!r}")
        lpu_id = lpu.id
    if args.community:
        try:
            community_id = (await _community(uow, args.community)).id
        except RowError as exc:
            raise ConfigError(f"--community: {exc}") from None
    events = await uow.organisers.upcoming_events(
        now,
        everywhere=lpu_id is None and community_id is None,
        lpu_id=lpu_id,
        community_id=community_id,
        include_cancelled=args.cancelled,
        limit=500,
    )
    if not events:
        print("No events to come.")
        return EXIT_DONE
    counts = await uow.organisers.rsvp_counts([e.id for e in events if e.id is not None])
    print(
        f"{'ID':>6}  {'WHEN (' + settings.timezone + ')':<26}{'KIND':<14}{'TITLE':<42}"
        f"{'GOING':>6}{'MAYBE':>6}{'WAIT':>6}{'IN':>5}"
    )
    for event in events:
        assert event.id is not None
        n = counts.get(event.id, {})
        title = shorten(event.title, 40)
        if event.status == "cancelled":
            title = f"[cancelled] {title}"[:40]
        print(
            f"{event.id:>6}  {_local(event.starts_at, settings.tz):<26}{event.kind:<14}{title:<42}"
            f"{n.get('going', 0):>6}{n.get('maybe', 0):>6}{n.get('waitlist', 0):>6}"
            f"{n.get('checked_in', 0):>5}"
        )
    return EXIT_DONE


async def _cancel(
    uow: UnitOfWork, settings: Settings, now: datetime, args: argparse.Namespace
) -> int:
    event = await uow.events.get(args.id)
    if event is None or event.status == "cancelled":
        state = "no event" if event is None else "already cancelled:"
        print(f"Nothing cancelled: {state} {args.id}.")
        return EXIT_NOT_FOUND
    if event.status == "series":
        told = await cancel_series(uow, event, now)
        what = f"every date still to come of {event.title!r}"
    else:
        told = await cancel_event(uow, event, now)
        what = f"{event.title!r} on {_local(event.starts_at, settings.tz)}"
    await uow.commit()
    people = "person" if told == 1 else "people"
    print(f"Cancelled {what} (event {args.id}); {told} {people} will be told.")
    return EXIT_DONE


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged, "
            f"{len(self.errors)} rejected"
        )


def read_rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The CSV rows with their line numbers (the header is row 1); ConfigError for a
    file that cannot be read or has unknown or missing columns."""
    if path.suffix.lower() != ".csv":
        raise ConfigError(f"{path}: events are imported from a .csv file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.__class__.__name__})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        raise ConfigError(f"{path}: unknown column(s) {', '.join(unknown)}")
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ConfigError(f"{path}: missing column(s) {', '.join(missing)}")
    reader.fieldnames = header
    rows = []
    for raw in reader:
        # Cleaned as typed text is (no NUL: PostgreSQL would refuse the whole file).
        values = {k: clean(v or "") for k, v in raw.items() if isinstance(k, str)}
        if None in raw:
            values["__extra__"] = "yes"
        rows.append((reader.line_num, values))
    return rows


_UPDATABLE = ("ends_at", "venue", "address", "capacity", "accessibility", "description", "kind")


IMPORT_KEY_LENGTH = 200  # Event.external_id


def import_key(place: str, starts: str, title: str) -> str:
    """The key that finds a row's event when the file is imported again.

    It is the place, the start and the title. One too long for its column ends in a
    digest of the whole instead of being cut, so two long titles that differ only
    at their end stay two events.
    """
    key = f"{place}|{starts}|{title}"
    if len(key) <= IMPORT_KEY_LENGTH:
        return key
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    return f"{key[: IMPORT_KEY_LENGTH - len(digest) - 1]}#{digest}"


async def known_event(uow: UnitOfWork, place: str, starts: str, title: str) -> Event | None:
    """The event a row was imported as before, by its key.

    Before keys ended in a digest, one too long was cut to the column: an event
    imported then, with this title, is found by that cut key and given the new one,
    so it is updated instead of being added a second time.
    """
    key = import_key(place, starts, title)
    existing = await uow.events.by_external("csv", key)
    whole = f"{place}|{starts}|{title}"
    if existing is None and whole != key:
        existing = await uow.events.by_external("csv", whole[:IMPORT_KEY_LENGTH])
        if existing is not None and existing.title != title:
            return None  # another row's event (the cut made two rows one)
        if existing is not None:
            existing.external_id = key
            uow.session.add(existing)
    return existing


async def import_rows(
    uow: UnitOfWork, rows: list[tuple[int, dict[str, str]]], tz: ZoneInfo, now: datetime
) -> ImportSummary:
    """Save the good rows (each is checked in full before it is written); report the
    others by row. A row is known again by its place, start and title, so importing
    the same file twice changes nothing."""
    summary = ImportSummary()
    for line, row in rows:
        if not any(v for k, v in row.items() if k != "__extra__"):
            continue  # a blank line
        try:
            if "__extra__" in row:
                raise RowError("has more cells than the header")
            draft = await check_event(
                uow,
                tz,
                now,
                kind=row.get("kind", ""),
                title=row.get("title", ""),
                when=row.get("starts_local", ""),
                ends=row.get("ends_local", ""),
                community=row.get("community", ""),
                lpu=row.get("lpu", ""),
                venue=row.get("venue", ""),
                address=row.get("address", ""),
                capacity=row.get("capacity", ""),
                accessibility=row.get("accessibility", ""),
                description=row.get("description", ""),
            )
        except RowError as exc:
            summary.errors.append(f"row {line}: {exc}")
            continue
        place = draft.community.slug if draft.community else f"lpu:{draft.lpu_id}"
        key = import_key(place, row["starts_local"], draft.title)
        existing = await known_event(uow, place, row["starts_local"], draft.title)
        fields = draft.fields("csv")
        if existing is None:
            event = Event(
                **fields,
                starts_at=draft.starts,
                external_id=key,
                checkin_token=deeplink.new_token(),
            )
            await uow.events.add(event)
            summary.added += 1
            continue
        changed = [name for name in _UPDATABLE if getattr(existing, name) != fields[name]]
        for name in changed:  # a cancelled event stays cancelled
            setattr(existing, name, fields[name])
        if changed:
            uow.session.add(existing)
            await uow.session.flush()
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary


async def _import(
    uow: UnitOfWork, settings: Settings, now: datetime, args: argparse.Namespace
) -> int:
    rows = read_rows(args.file)
    summary = await import_rows(uow, rows, settings.tz, now)
    await uow.commit()
    print(f"Imported {args.file}: {summary}.")
    for error in summary.errors:
        print(error)
    if summary.errors:
        print("The rejected rows were not saved; fix them and import the file again.")
        return EXIT_SOME_REJECTED
    return EXIT_DONE


COMMANDS = {"add": _add, "list": _list, "cancel": _cancel, "import": _import}


async def run_events(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app

    if args.events_command == "import":
        read_rows(args.file)  # a bad file fails before the database is touched
    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            return await COMMANDS[args.events_command](uow, settings, app.deps.clock(), args)
    finally:
        await app.close()
