"""Read a communities file (JSON or CSV) into checked records; no database involved.

Each bad row is reported with where it is (``row 4`` in a CSV file, counting the
header as row 1; ``communities[3] (tarvin)`` in a JSON file) and left out; the good
rows are kept. Only a file that cannot be read at all raises ``ImportFormatError``.
The format is documented in README.md, "Importing communities".
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from storage.imports.fields import FieldReader, normalise_sector, quoted
from storage.imports.records import (
    ROLES,
    BaseRecord,
    CommunityRecord,
    ForceRecord,
    ImportFormatError,
    LpuRecord,
    MemberRecord,
    ParsedImport,
    Point,
    RowError,
)
from storage.text import clean

DEFAULT_FORCE = "cheshire"

FORCE_FIELDS = {"slug", "name", "telephone", "url"}
LPU_FIELDS = {"slug", "name"}
COMMUNITY_FIELDS = {
    *("slug", "name", "lpu", "external_id", "description", "postcode_sectors", "centroid"),
    *("boundary", "contact", "url", "team", "bases"),
}
MEMBER_FIELDS = {"name", "rank", "role", "email", "phone", "social", "bio"}
BASE_FIELDS = {
    *("name", "address", "postcode", "latitude", "longitude", "opening_times"),
    "accessibility",
}

CSV_COLUMNS = (
    *("slug", "name", "lpu", "lpu_name", "postcode_sectors", "centroid_lat", "centroid_lon"),
    *("officer_name", "officer_rank", "officer_email", "officer_phone"),
    *("pcso_name", "pcso_email", "pcso_phone"),
    *("base_name", "base_address", "base_postcode", "base_opening_times", "base_accessibility"),
    "description",
)
CSV_REQUIRED = ("slug", "name", "lpu", "postcode_sectors", "centroid_lat", "centroid_lon")

_POSTCODE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})")
SECTOR_HINT = 'an outward code, a space and a digit, such as "CH3 8"'


# --- parts shared by both formats ------------------------------------------------


def _sectors(row: FieldReader, values: list[object]) -> tuple[str, ...]:
    if not values:
        row.problem("postcode_sectors is missing")
    found: list[str] = []
    for value in values:
        sector = normalise_sector(value) if isinstance(value, str) else None
        if sector is None:
            row.problem(f"postcode sector {quoted(value)} is not {SECTOR_HINT}")
        elif sector in found:
            row.problem(f"postcode sector {sector} is listed twice")
        else:
            found.append(sector)
    return tuple(found)


def _member(raw: Mapping[str, object], label: str, problems: list[str]) -> MemberRecord | None:
    member = FieldReader(raw, label, problems)
    before = len(problems)
    name = member.text("name", max_length=200, required=True)
    rank = member.text("rank", max_length=80, required=True)
    role = member.text("role", max_length=24, required=True).lower()
    if role and role not in ROLES:
        member.problem(f"{member.name('role')} {quoted(role)} must be one of {', '.join(ROLES)}")
    record = MemberRecord(
        name=name,
        rank=rank,
        role=role,
        email=member.email("email"),
        phone=member.text("phone", max_length=64),
        social=member.strings("social"),
        bio=member.text("bio", max_length=2000),
    )
    return record if len(problems) == before else None


def _postcode(base: FieldReader) -> str:
    raw = base.text("postcode", max_length=12)
    if not raw:
        return ""
    match = _POSTCODE.fullmatch(" ".join(raw.upper().split()))
    if match is None:
        base.problem(f"{base.name('postcode')} {quoted(raw)} is not a postcode")
        return ""
    return f"{match[1]} {match[2]}"


def _base(raw: Mapping[str, object], label: str, problems: list[str]) -> BaseRecord | None:
    base = FieldReader(raw, label, problems)
    before = len(problems)
    latitude = base.number("latitude", -90, 90)
    longitude = base.number("longitude", -180, 180)
    if (latitude is None) != (longitude is None) and len(problems) == before:
        base.problem(f"{label}latitude and {label}longitude go together: give both or neither")
    record = BaseRecord(
        name=base.text("name", max_length=200, required=True),
        address=base.text("address", max_length=400, required=True),
        postcode=_postcode(base),
        latitude=latitude,
        longitude=longitude,
        opening_times=base.text("opening_times", max_length=500),
        accessibility=base.text("accessibility", max_length=500),
    )
    return record if len(problems) == before else None


def _no_repeats(row: FieldReader, what: str, names: Iterable[str]) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            row.problem(f"{what} {quoted(name)} is listed twice")
        seen.add(name)


def _ref(record: CommunityRecord) -> str:
    """How another row names this one: ``communities[3] (tarvin)`` or ``"tarvin" (row 4)``."""
    if record.where.startswith("row "):
        return f"{quoted(record.slug)} ({record.where})"
    return record.where


def _cross_check(
    candidates: Iterable[CommunityRecord], errors: list[RowError]
) -> list[CommunityRecord]:
    """Keep the first of two rows that share a slug, a postcode sector or an external id."""
    kept: list[CommunityRecord] = []
    by_slug: dict[str, CommunityRecord] = {}
    by_sector: dict[str, CommunityRecord] = {}
    by_external: dict[str, CommunityRecord] = {}
    for record in candidates:
        reasons = []
        if record.slug in by_slug:
            reasons.append(
                f"slug {quoted(record.slug)} is already used by {_ref(by_slug[record.slug])}"
            )
        for sector in record.postcode_sectors:
            if sector in by_sector:
                other = _ref(by_sector[sector])
                reasons.append(f"postcode sector {sector} is already claimed by {other}")
        if record.external_id and record.external_id in by_external:
            other = _ref(by_external[record.external_id])
            reasons.append(f"external_id {quoted(record.external_id)} is already used by {other}")
        if reasons:
            errors += [record.error(reason) for reason in reasons]
            continue
        kept.append(record)
        by_slug[record.slug] = record
        by_sector.update(dict.fromkeys(record.postcode_sectors, record))
        if record.external_id:
            by_external[record.external_id] = record
    return kept


# --- JSON ---------------------------------------------------------------------------


def _json_force(raw: object) -> ForceRecord:
    if not isinstance(raw, dict):
        raise ImportFormatError('"force" must be an object with a slug and a name')
    problems: list[str] = []
    force = FieldReader(raw, "force.", problems)
    force.unknown(FORCE_FIELDS)
    record = ForceRecord(
        slug=force.slug("slug", max_length=64),
        name=force.text("name", max_length=200, required=True),
        telephone=force.optional_text("telephone", max_length=64),
        url=force.optional_text("url", max_length=300),
    )
    if problems:
        raise ImportFormatError("; ".join(problems))
    return record


def _json_lpus(raw: object, errors: list[RowError]) -> list[LpuRecord]:
    if not isinstance(raw, list):
        raise ImportFormatError('"lpus" must be a list of {"slug", "name"} objects')
    lpus: dict[str, LpuRecord] = {}
    for index, item in enumerate(raw):
        slug = item.get("slug") if isinstance(item, dict) else None
        where = f"lpus[{index}]" + (f" ({clean(slug)})" if isinstance(slug, str) and slug else "")
        position = (0, index)
        if not isinstance(item, dict):
            errors.append(RowError(position, where, "must be an object"))
            continue
        problems: list[str] = []
        lpu = FieldReader(item, "", problems)
        lpu.unknown(LPU_FIELDS)
        record = LpuRecord(
            slug=lpu.slug("slug", max_length=64),
            name=lpu.text("name", max_length=200, required=True),
            where=where,
            position=position,
        )
        if not problems and record.slug in lpus:
            problems.append(
                f"slug {quoted(record.slug)} is already used by {lpus[record.slug].where}"
            )
        if problems:
            errors += [RowError(position, where, reason) for reason in problems]
        else:
            lpus[record.slug] = record
    return list(lpus.values())


def _json_points(row: FieldReader, value: object) -> tuple[Point, ...]:
    if not isinstance(value, list) or len(value) < 3:
        row.problem("boundary must be a list of at least 3 [latitude, longitude] points")
        return ()
    points = [row.point(item, f"boundary[{i}]") for i, item in enumerate(value)]
    return tuple(p for p in points if p is not None)


def _json_entries(
    row: FieldReader, item: Mapping[str, object], key: str, allowed: set[str]
) -> list[tuple[dict[str, object], str]]:
    """The objects listed under ``key`` (team or bases), each with its label, e.g. ``team[0].``."""
    entries = item.get(key) or []
    if not isinstance(entries, list):
        row.problem(f"{key} must be a list")
        return []
    found = []
    for index, entry in enumerate(entries):
        label = f"{key}[{index}]."
        if not isinstance(entry, dict):
            row.problem(f"{key}[{index}] must be an object")
            continue
        FieldReader(entry, label, row.problems).unknown(allowed)
        found.append((entry, label))
    return found


def _json_community(
    item: dict[str, object], where: str, position: tuple[int, int], lpus: set[str]
) -> tuple[CommunityRecord | None, list[str]]:
    problems: list[str] = []
    row = FieldReader(item, "", problems)
    row.unknown(COMMUNITY_FIELDS)
    slug = row.slug("slug", max_length=80)
    name = row.text("name", max_length=200, required=True)
    lpu = row.text("lpu", max_length=64, required=True, exact=True)
    if lpu and lpu not in lpus:
        row.problem(f'unknown LPU {quoted(lpu)}: it must be listed in "lpus"')
    sectors_raw = item.get("postcode_sectors")
    if sectors_raw is not None and not isinstance(sectors_raw, list):
        row.problem('postcode_sectors must be a list such as ["CH3 8"]')
        sectors_raw = []
    sectors = _sectors(row, list(sectors_raw or []))
    centroid = row.point(item["centroid"], "centroid") if row.present("centroid") else None
    if not row.present("centroid"):
        row.problem("centroid is missing")
    boundary = _json_points(row, item["boundary"]) if row.present("boundary") else ()
    team = [
        member
        for entry, label in _json_entries(row, item, "team", MEMBER_FIELDS)
        if (member := _member(entry, label, problems)) is not None
    ]
    bases = [
        base
        for entry, label in _json_entries(row, item, "bases", BASE_FIELDS)
        if (base := _base(entry, label, problems)) is not None
    ]
    _no_repeats(row, "team member", (m.name for m in team))
    _no_repeats(row, "base", (b.name for b in bases))
    external_id = row.optional_text("external_id", max_length=80, exact=True)
    record = CommunityRecord(
        where=where,
        position=position,
        slug=slug,
        name=name,
        lpu=lpu,
        postcode_sectors=sectors,
        centroid=centroid or (0.0, 0.0),
        external_id=external_id or None,
        description=row.text("description", max_length=4000),
        boundary=boundary,
        contact=row.strings("contact"),
        url=row.text("url", max_length=300),
        team=tuple(team),
        bases=tuple(bases),
    )
    return (None if problems else record), problems


def parse_json(text: str) -> ParsedImport:
    """Read the JSON format: ``{"force": {...}, "lpus": [...], "communities": [...]}``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ImportFormatError('expected an object with "force", "lpus" and "communities"')
    unknown = sorted(set(data) - {"force", "lpus", "communities"})
    if unknown:
        raise ImportFormatError(f"unknown top-level key(s): {', '.join(unknown)}")
    force = _json_force(data.get("force"))
    errors: list[RowError] = []
    lpus = _json_lpus(data.get("lpus"), errors)
    items = data.get("communities")
    if not isinstance(items, list):
        raise ImportFormatError('"communities" must be a list')
    lpu_slugs = {lpu.slug for lpu in lpus}
    candidates: list[CommunityRecord] = []
    for index, item in enumerate(items):
        slug = item.get("slug") if isinstance(item, dict) else None
        shown = clean(slug) if isinstance(slug, str) else ""
        where = f"communities[{index}]" + (f" ({shown})" if shown else "")
        position = (1, index)
        if not isinstance(item, dict):
            errors.append(RowError(position, where, "must be an object"))
            continue
        record, problems = _json_community(item, where, position, lpu_slugs)
        errors += [RowError(position, where, reason) for reason in problems]
        if record is not None:
            candidates.append(record)
    communities = _cross_check(candidates, errors)
    return ParsedImport(force, lpus, communities, sorted(errors))


# --- CSV ----------------------------------------------------------------------------


def _csv_rows(text: str) -> Iterable[tuple[int, list[str]]]:
    """``(line, cells)`` for each non-blank record; ``line`` is where the record starts."""
    reader = csv.reader(io.StringIO(text))
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(f"line {reader.line_num}: {exc}") from None
        if any(cell.strip() for cell in cells):
            yield start, cells


def _csv_header(cells: list[str]) -> list[str]:
    header = [cell.strip().lower() for cell in cells]
    unknown = [name for name in header if name not in CSV_COLUMNS]
    missing = [name for name in CSV_REQUIRED if name not in header]
    repeated = sorted({name for name in header if header.count(name) > 1})
    if unknown or missing or repeated:
        parts = []
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if repeated:
            parts.append(f"repeated column(s) {', '.join(repeated)}")
        raise ImportFormatError(
            f"{'; '.join(parts)} in the header (columns: {', '.join(CSV_COLUMNS)})"
        )
    return header


def _csv_person(
    row: Mapping[str, str], prefix: str, role: str, rank: str, problems: list[str]
) -> MemberRecord | None:
    """The officer or PCSO in a CSV row; ``None`` if the row names none."""
    fields = {key[len(prefix) :]: value for key, value in row.items() if key.startswith(prefix)}
    if not any(value.strip() for value in fields.values()):
        return None
    raw: dict[str, object] = {**fields, "role": role}
    if not fields.get("rank", "").strip():
        raw["rank"] = rank
    return _member(raw, prefix, problems)


def _csv_community(
    row: Mapping[str, str], line: int
) -> tuple[CommunityRecord | None, str, list[str]]:
    """The record (or ``None``), the row's ``lpu_name``, and the reasons it is bad."""
    problems: list[str] = []
    reader = FieldReader(row, "", problems)
    slug = reader.slug("slug", max_length=80)
    name = reader.text("name", max_length=200, required=True)
    lpu = reader.slug("lpu", max_length=64)
    lpu_name = reader.text("lpu_name", max_length=200)
    sectors_text = row.get("postcode_sectors", "")
    sectors = _sectors(reader, [s for s in sectors_text.split(";") if s.strip()])
    lat = reader.number("centroid_lat", -90, 90, required=True)
    lon = reader.number("centroid_lon", -180, 180, required=True)
    team = [
        _csv_person(row, "officer_", "officer", "PC", problems),
        _csv_person(row, "pcso_", "pcso", "PCSO", problems),
    ]
    members = tuple(m for m in team if m is not None)
    _no_repeats(reader, "team member", (m.name for m in members))
    base_fields = {k[len("base_") :]: v for k, v in row.items() if k.startswith("base_")}
    base = None
    if any(value.strip() for value in base_fields.values()):
        base = _base(base_fields, "base_", problems)
    record = CommunityRecord(
        where=f"row {line}",
        position=(1, line),
        slug=slug,
        name=name,
        lpu=lpu,
        postcode_sectors=sectors,
        centroid=(lat or 0.0, lon or 0.0),
        description=reader.text("description", max_length=4000),
        team=members,
        bases=(base,) if base else (),
    )
    return (None if problems else record), lpu_name, problems


def parse_csv(text: str, force: str = DEFAULT_FORCE) -> ParsedImport:
    """Read the CSV format: a header row, then one row per community."""
    rows = iter(_csv_rows(text))
    first = next(rows, None)
    if first is None:
        raise ImportFormatError("the file is empty (expected a header row)")
    header = _csv_header(first[1])
    errors: list[RowError] = []
    candidates: list[CommunityRecord] = []
    lpu_names: dict[str, str] = {}
    for line, cells in rows:
        where = f"row {line}"
        if len(cells) > len(header):
            reason = f"has {len(cells)} cells but the header has {len(header)} columns"
            errors.append(RowError((1, line), where, reason))
            continue
        row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))
        record, lpu_name, problems = _csv_community(row, line)
        errors += [RowError((1, line), where, reason) for reason in problems]
        if record is not None:
            candidates.append(record)
            if lpu_name:
                lpu_names[record.slug] = lpu_name
    communities = _cross_check(candidates, errors)
    lpus: dict[str, LpuRecord] = {}
    kept: list[CommunityRecord] = []
    for record in communities:
        name = lpu_names.get(record.slug)
        known = lpus.get(record.lpu)
        if known is not None and name and known.name and name != known.name:
            reason = (
                f"lpu_name {quoted(name)} differs from {quoted(known.name)} "
                f"given for LPU {quoted(record.lpu)} on {known.where}"
            )
            errors.append(record.error(reason))
            continue
        if known is None or (name and not known.name):
            lpus[record.lpu] = LpuRecord(record.lpu, name or None, record.where, record.position)
        kept.append(record)
    force_record = ForceRecord(slug=force)
    return ParsedImport(force_record, list(lpus.values()), kept, sorted(errors), partial=True)


# --- files --------------------------------------------------------------------------


def read_import(path: Path, force: str | None = None) -> ParsedImport:
    """Read and check ``path`` (``.json`` or ``.csv``).

    ``force`` is the force a CSV file's communities belong to (default "cheshire");
    a JSON file names its own force, and must agree with ``force`` if one is given.
    """
    kind = path.suffix.lower()
    if kind not in (".json", ".csv"):
        shown = f'"{path.suffix}"' if path.suffix else "with no extension"
        raise ImportFormatError(f"{path}: unknown format {shown}; use a .json or .csv file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ImportFormatError(f"{path}: no such file") from None
    except UnicodeDecodeError:
        raise ImportFormatError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise ImportFormatError(f"{path}: cannot read it ({exc.strerror or exc})") from None
    try:
        if kind == ".csv":
            return parse_csv(text, force or DEFAULT_FORCE)
        parsed = parse_json(text)
    except ImportFormatError as exc:
        raise ImportFormatError(f"{path}: {exc}") from None
    if force and parsed.force.slug != force:
        raise ImportFormatError(
            f"{path}: the file is for the force {quoted(parsed.force.slug)}, not {quoted(force)}"
        )
    return parsed
