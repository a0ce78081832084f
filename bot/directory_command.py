"""``chinwag directory import FILE`` and ``chinwag directory list``: the community directory.

The CSV's header names its columns, in any order: name and category are required;
description, where_when, contact, community, lpu, accessibility, languages and
keywords may be left out. ``community`` and ``lpu`` are a slug or a name; with
neither the entry serves the whole force. Categories: clubs, youth, social,
support, crime, advice, bases, or other. Keywords are stored as typed ones are
(``handlers.directory.typed.keywords``): split at commas, semicolons and line
breaks, each once, as many whole ones as fit.

An entry is the same entry when its name and area match: importing a file again
changes nothing. The dashboard's ``/directory.csv`` has these columns and an ``id``
first: imported again (edited or not), a row with the id of a listed entry changes
that entry, its name and area included; a ``'`` the download put before a cell that
a spreadsheet would read as a formula is taken off. Exit codes: 0 every row imported; 1 some rows rejected (each
printed with its row number and reason; the good rows are still saved); 2 the file
cannot be read at all.
"""

from __future__ import annotations

import argparse
import csv
import io
from dataclasses import dataclass
from pathlib import Path

from bot.errors import ConfigError
from bot.settings import Settings
from handlers import spreadsheet
from handlers.directory.categories import CATEGORIES, OTHER
from handlers.directory.typed import PARTS, tidy
from storage.clock import utcnow
from storage.models import Community, DirectoryEntry, Lpu
from storage.uow import UnitOfWork

COLUMNS = (
    "name",
    "category",
    "description",
    "where_when",
    "contact",
    "community",
    "lpu",
    "accessibility",
    "languages",
    "keywords",
)
REQUIRED = ("name", "category")
ID = "id"  # optional: the listed entry a row changes (the dashboard's download has it)
EXIT_ALL_IMPORTED = 0
EXIT_SOME_REJECTED = 1


@dataclass(frozen=True, slots=True)
class Row:
    number: int
    values: dict[str, str]


def add_directory_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("directory", help="the community directory")
    what = parser.add_subparsers(dest="directory_command", required=True)
    importing = what.add_parser("import", help="add or update directory entries from a .csv file")
    importing.add_argument("file", type=Path, help="a .csv file")
    what.add_parser("list", help="list the active directory entries")


def read_rows(path: Path) -> list[Row]:
    """The file's rows, numbered as a spreadsheet would (the header is row 1)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        records = list(csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ConfigError(f"{path}: {exc}") from None
    if not records:
        raise ConfigError(f"{path}: the file is empty")
    header = [cell.strip().lower() for cell in records[0]]
    unknown = [c for c in header if c not in COLUMNS and c != ID]
    missing = [c for c in REQUIRED if c not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise ConfigError(
            f"{path}: the header must name the columns {', '.join(COLUMNS)} "
            f"(name and category are required)"
        )
    rows = []
    for number, cells in enumerate(records[1:], start=2):
        if any(cell.strip() for cell in cells):
            values = {
                c: (spreadsheet.uncell(cells[i].strip()) if i < len(cells) else "")
                for i, c in enumerate(header)
            }
            rows.append(Row(number, values))
    return rows


def _find(options: list[Community] | list[Lpu], wanted: str) -> Community | Lpu | None:
    folded = wanted.casefold()
    for option in options:
        if option.slug.casefold() == folded or option.name.casefold() == folded:
            return option
    return None


async def save_rows(uow: UnitOfWork, rows: list[Row]) -> tuple[int, int, list[str]]:
    """``(added, updated, errors)``; a rejected row changes nothing."""
    communities = list(await uow.communities.all())
    lpus = list(await uow.communities.lpus())
    existing = await uow.directory.active()
    added = updated = 0
    errors: list[str] = []
    for row in rows:
        v = row.values
        # Each part as the chat and the dashboard store it: cleaned, cut to its column.
        fields = {part: tidy(part, v.get(part, "")) for part in PARTS}
        problems = []
        if not fields["name"]:
            problems.append("name is missing")
        if v.get("category", "").lower() not in (*CATEGORIES, OTHER):
            problems.append(f"category must be one of {', '.join(CATEGORIES)}")
        community = _find(communities, v["community"]) if v.get("community") else None
        lpu = _find(lpus, v["lpu"]) if v.get("lpu") else None
        if v.get("community") and community is None:
            problems.append(f"no community {v['community']!r}")
        if v.get("lpu") and lpu is None:
            problems.append(f"no LPU {v['lpu']!r}")
        if isinstance(community, Community) and lpu is not None and community.lpu_id != lpu.id:
            problems.append(f"{community.name} is not in {lpu.name}")
        by_id = None
        if v.get(ID):
            by_id = next((e for e in existing if str(e.id) == v[ID]), None)
            if by_id is None:
                problems.append(f"no listed entry has the id {v[ID]!r}")
        if problems:
            errors.append(f"row {row.number}: {'; '.join(problems)}")
            continue
        community_id = community.id if community is not None else None
        lpu_id = lpu.id if lpu is not None and community is None else None
        fields["category"] = v["category"].lower()
        match = by_id or next(
            (
                e
                for e in existing
                if e.name.casefold() == fields["name"].casefold()
                and e.community_id == community_id
                and e.lpu_id == lpu_id
            ),
            None,
        )
        if match is None:
            entry = DirectoryEntry(
                name=fields["name"],
                community_id=community_id,
                lpu_id=lpu_id,
                source="csv",
            )
            for k, value in fields.items():
                setattr(entry, k, value)
            existing.append(await uow.directory.add(entry))
            added += 1
            continue
        # Its area too: a row found by its id may move the entry (by name, it is the same).
        changes: dict[str, object] = {**fields, "community_id": community_id, "lpu_id": lpu_id}
        if any(getattr(match, k) != new for k, new in changes.items()):
            for k, new in changes.items():
                setattr(match, k, new)
            match.updated_at = utcnow()
            await uow.directory.save(match)
            updated += 1
    return added, updated, errors


async def run_directory(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app

    rows = read_rows(args.file) if args.directory_command == "import" else []
    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            if args.directory_command == "list":
                for entry in await uow.directory.active():
                    print(f"{entry.id}\t{entry.category}\t{entry.name}")
                return EXIT_ALL_IMPORTED
            added, updated, errors = await save_rows(uow, rows)
            await uow.commit()
    finally:
        await app.close()
    print(f"Imported {args.file}: {added} added, {updated} updated, {len(errors)} rejected.")
    for error in errors:
        print(error)
    if errors:
        print("The rejected rows were not saved; fix them and import the file again.")
        return EXIT_SOME_REJECTED
    return EXIT_ALL_IMPORTED
