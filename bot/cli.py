"""The ``chinwag`` command.

Usage:
    chinwag chat                 talk to the bot in this terminal (no token needed)
    chinwag run                  run the Telegram bot (long polling, or a webhook)
    chinwag doctor               check settings, database, migrations and the bot token
    chinwag web                  serve the organisers' web dashboard (CHINWAG_WEB_LISTEN)
    chinwag db upgrade           bring the database schema up to date
    chinwag db downgrade REV     step the schema back to REV ("base" empties it)
    chinwag db current           show the schema revision
    chinwag demo load            load the demo communities into the database
    chinwag import communities FILE  add or update communities from a .json or .csv file
    chinwag directory import FILE  add or update directory entries from a .csv file
    chinwag sync police-uk       fetch neighbourhoods, teams and events from data.police.uk
    chinwag staff invite|list|revoke|grant  staff roles, by one-time invitation or directly
    chinwag events add|list|cancel|import  events from the command line or a CSV file
    chinwag broadcasts list      the audit trail: who sent what to whom, when, with counts
    chinwag funding open|list|export  funding pots for communities and LPUs, and the bids
    chinwag report               what residents and partners said (html, md, csv or json)
    chinwag export answers       every answer for the force, anonymity respected (csv, json)
    chinwag i18n extract         update the catalogues in locales/ from code and questionnaires
    chinwag i18n check           fail if any language lacks or mistranslates a message
    chinwag i18n compile         write the .mo files (optional: .po files are compiled on load)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.broadcasts_command import add_broadcasts_parser, run_broadcasts
from bot.directory_command import add_directory_parser, run_directory
from bot.errors import ConfigError
from bot.events_command import add_events_parser, run_events
from bot.funding_command import add_funding_parser, run_funding
from bot.import_command import add_import_parser, run_import
from bot.logs import setup_logging
from bot.report_command import add_report_parser, run_export, run_report
from bot.settings import Settings, load_settings
from bot.staff_command import add_staff_parser, run_staff

EXIT_CONFIG = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chinwag", description="Chinwag community conversation bot"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    chat = sub.add_parser("chat", help="talk to the bot in this terminal")
    chat.add_argument(
        "--name", default=os.environ.get("USER", "Resident").capitalize() or "Resident"
    )
    chat.add_argument("--language", default=None, help="your language code, e.g. en or pl")
    chat.add_argument("--downloads", default="chinwag-downloads", type=Path)

    run = sub.add_parser("run", help="run the Telegram bot")
    run.add_argument("--webhook-url", default=None, help="serve a webhook at this public URL")
    run.add_argument("--listen", default=None, help="HOST:PORT for the webhook server")

    sub.add_parser("doctor", help="check settings, database, migrations and the bot token")
    web = sub.add_parser("web", help="serve the organisers' web dashboard")
    web.add_argument("--listen", default=None, help="HOST:PORT (default CHINWAG_WEB_LISTEN)")

    db = sub.add_parser("db", help="database schema")
    db_sub = db.add_subparsers(dest="db_command", required=True)
    db_sub.add_parser("upgrade", help="apply all migrations")
    down = db_sub.add_parser("downgrade", help="revert migrations")
    down.add_argument("revision")
    db_sub.add_parser("current", help="show the current revision")

    demo = sub.add_parser("demo", help="demo data")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    demo_sub.add_parser("load", help="load the demo communities")

    add_import_parser(sub)
    add_directory_parser(sub)
    add_staff_parser(sub)
    add_events_parser(sub)
    add_broadcasts_parser(sub)
    add_funding_parser(sub)
    add_report_parser(sub)

    sync = sub.add_parser("sync", help="fetch data from outside sources")
    sync_sub = sync.add_subparsers(dest="sync_command", required=True)
    police = sync_sub.add_parser("police-uk", help="neighbourhoods, teams and events")
    police.add_argument("--force", default=None, help="police.uk force id (CHINWAG_POLICE_FORCE)")
    police.add_argument("--rate", default=8.0, type=float, help="requests per second (max 15)")

    i18n = sub.add_parser("i18n", help="translation catalogues")
    i18n_sub = i18n.add_subparsers(dest="i18n_command", required=True)
    i18n_sub.add_parser("extract", help="update the catalogues from the code and questionnaires")
    i18n_sub.add_parser("check", help="check every catalogue is complete and consistent")
    i18n_sub.add_parser("compile", help="write .mo files next to the .po files")
    return parser


async def _chat(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app
    from bot.scheduler import DeliveryScheduler, start_deliveries
    from bot.transports.terminal import TerminalChat, read_stdin, write_stdout
    from bot.transports.terminal_port import TerminalPort

    app = await build_app(settings, demo_if_empty=True)
    deliveries: DeliveryScheduler | None = None
    try:
        chat = TerminalChat(
            app,
            write=write_stdout,
            name=args.name,
            language=args.language,
            downloads=args.downloads,
        )
        # Reminders and notices for this chat are printed as they fall due.
        deliveries = start_deliveries(app, TerminalPort(chat), only_chat=chat.sender.chat_id)
        await chat.run(read_stdin)
    finally:
        if deliveries is not None:
            await deliveries.shutdown()
        await app.close()
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runner import run_bot

    overrides = {}
    if args.webhook_url:
        overrides["webhook_url"] = args.webhook_url
    if args.listen:
        overrides["listen"] = args.listen
    if overrides:
        settings = settings.model_copy(update=overrides)
    return await run_bot(settings, own_process=True)


async def _web(settings: Settings, args: argparse.Namespace) -> int:
    from bot.web.server import run_web

    return await run_web(settings, args)


async def _db(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import check_database
    from storage.database import create_engine
    from storage.migrate import current_revision, downgrade, head_revision, upgrade

    engine = create_engine(settings.database_url)
    try:
        await check_database(engine)
        if args.db_command == "upgrade":
            await asyncio.to_thread(upgrade, settings.database_url)
            print(f"Database is at revision {await current_revision(engine)} (head).")
        elif args.db_command == "downgrade":
            await asyncio.to_thread(downgrade, settings.database_url, args.revision)
            print(f"Database is at revision {await current_revision(engine) or 'base'}.")
        else:
            current = await current_revision(engine)
            state = "up to date" if current == head_revision() else f"head is {head_revision()}"
            print(f"{current or 'empty (no revision)'}: {state}")
    finally:
        await engine.dispose()
    return 0


async def _demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.bootstrap import build_app
    from storage.demo.loader import load_demo

    app = await build_app(settings)
    try:
        async with app.deps.uow() as uow:
            count = await load_demo(uow)
            await uow.commit()
        print(f"Loaded the demo data: 8 LPUs and {count} communities (fictional people).")
    finally:
        await app.close()
    return 0


async def _sync(settings: Settings, args: argparse.Namespace) -> int:
    from bot.sync.command import sync_police_uk

    return await sync_police_uk(settings, force=args.force, rate=args.rate)


async def _i18n(settings: Settings, args: argparse.Namespace) -> int:
    from bot import i18n_tools

    if args.i18n_command == "extract":
        for lang, missing in i18n_tools.extract().items():
            print(f"{lang}: {missing} message(s) to translate" if missing else f"{lang}: complete")
        return 0
    if args.i18n_command == "compile":
        for path in i18n_tools.compile_all():
            print(f"wrote {path}")
        return 0
    problems = i18n_tools.check()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} problem(s) in the catalogues.", file=sys.stderr)
        return 1
    print("All catalogues are complete.")
    return 0


COMMANDS = {
    "chat": _chat,
    "run": _run,
    "web": _web,
    "db": _db,
    "demo": _demo,
    "import": run_import,
    "directory": run_directory,
    "staff": run_staff,
    "events": run_events,
    "broadcasts": run_broadcasts,
    "funding": run_funding,
    "report": run_report,
    "export": run_export,
    "sync": _sync,
    "i18n": _i18n,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "doctor":  # it reports bad settings itself, as one of its checks
        from bot.doctor import doctor

        return asyncio.run(doctor())
    try:
        settings = load_settings()
        setup_logging(settings.log_level, settings.log_format)
        if args.command == "chat":
            setup_logging("WARNING", settings.log_format)
        return asyncio.run(COMMANDS[args.command](settings, args))
    except ConfigError as exc:
        print(f"chinwag: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130
