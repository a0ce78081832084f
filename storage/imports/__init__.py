"""Importing communities from a file: ``read_import`` checks it, ``save_import`` writes it.

``communities`` reads JSON or CSV into records (pure, every bad row reported with its
row number), ``upsert`` writes them through the repositories in the caller's unit of
work. ``chinwag import communities`` and the demo loader both go this way.
"""

from storage.imports.communities import DEFAULT_FORCE, parse_csv, parse_json, read_import
from storage.imports.records import ImportFormatError, ParsedImport, RowError
from storage.imports.upsert import ImportSummary, save_import

__all__ = [
    "DEFAULT_FORCE",
    "ImportFormatError",
    "ImportSummary",
    "ParsedImport",
    "RowError",
    "parse_csv",
    "parse_json",
    "read_import",
    "save_import",
]
