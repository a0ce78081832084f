"""``chinwag import communities FILE``: add or update communities from a JSON or CSV file.

Exit codes: 0 when every row was imported; 1 when some rows were rejected (each is
printed with its row number and reason; the good rows are still saved); 2 when the
file cannot be read at all (missing, unreadable, unknown format), in one line like
the other configuration errors. The format is in README.md, "Importing communities".
"""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.errors import ConfigError
from bot.settings import Settings

EXIT_ALL_IMPORTED = 0
EXIT_SOME_REJECTED = 1


def add_import_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("import", help="import data from a file")
    what = parser.add_subparsers(dest="import_command", required=True)
    communities = what.add_parser(
        "communities", help="add or update communities from a .json or .csv file"
    )
    communities.add_argument("file", type=Path, help="a .json or .csv file")
    communities.add_argument(
        "--force",
        default=None,
        help='the force a CSV file\'s communities belong to (default "cheshire"); '
        "a JSON file names its own",
    )


async def run_import(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app
    from storage.imports import ImportFormatError, read_import, save_import

    try:
        parsed = read_import(args.file, args.force)  # before touching the database
    except ImportFormatError as exc:
        raise ConfigError(str(exc)) from None
    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            summary = await save_import(uow, parsed)
            await uow.commit()
    finally:
        await app.close()
    print(f"Imported {args.file}: {summary}.")
    for error in summary.errors:
        print(error)
    if summary.errors:
        print("The rejected rows were not saved; fix them and import the file again.")
        return EXIT_SOME_REJECTED
    return EXIT_ALL_IMPORTED
