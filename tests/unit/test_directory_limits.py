"""A typed directory part is never longer than its database column allows."""

from __future__ import annotations

from sqlalchemy import String

from handlers.directory.edit import FIELDS
from handlers.directory.limits import limit
from handlers.directory.organise import TEXT_FIELDS
from storage.models import DirectoryEntry


def test_every_typed_part_fits_its_column() -> None:
    columns = DirectoryEntry.__table__.c  # type: ignore[attr-defined]
    for field in set(FIELDS) | set(TEXT_FIELDS):
        kind = columns[field].type
        if isinstance(kind, String) and kind.length is not None:
            assert limit(field) <= kind.length, field
        else:
            assert limit(field) > 0, field
