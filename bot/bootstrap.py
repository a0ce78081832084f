"""The composition root: the one place where the application is put together."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.errors import ConfigError
from bot.integrations.postcodes_io import PostcodesIo
from bot.metrics import Metrics
from bot.settings import Settings
from handlers.context import Deps
from handlers.conversation.questionnaire import load_all
from handlers.deliveries import load_composers
from handlers.flood import FloodGate
from handlers.i18n import available_languages
from handlers.language.detect import DetectionSettings
from handlers.language.detect import prepare as prepare_detection
from handlers.safety.matcher import (
    KeywordMatcher,
    KeywordsFileError,
    load_keywords,
    matcher_for,
)
from storage.database import create_engine, session_factory
from storage.demo.loader import load_demo
from storage.migrate import upgrade
from storage.uow import UnitOfWork

CONNECT_TIMEOUT_SECONDS = 10


def utc_clock() -> datetime:
    return datetime.now(UTC)


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    deps: Deps
    metrics: Metrics = field(default_factory=Metrics)  # this process's Prometheus figures

    async def close(self) -> None:
        if isinstance(self.deps.postcode_locator, PostcodesIo):
            await self.deps.postcode_locator.close()
        await self.engine.dispose()


def sqlite_folder(engine: AsyncEngine) -> Path | None:
    database = engine.url.database
    if engine.url.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    return Path(database).expanduser().resolve().parent


async def check_database(engine: AsyncEngine) -> None:
    folder = sqlite_folder(engine)
    if folder is not None and not folder.is_dir():
        raise ConfigError(f"CHINWAG_DATABASE_URL: the folder {folder} does not exist")
    if folder is not None:
        # SQLite writes its -wal and -shm files beside the database: both must be writable.
        file = folder / Path(str(engine.url.database)).name
        for path in (folder, file) if file.exists() else (folder,):
            if not os.access(path, os.W_OK):
                raise ConfigError(
                    f"CHINWAG_DATABASE_URL: {path} is read-only; the bot must be able to write there"
                )
    try:
        async with asyncio.timeout(CONNECT_TIMEOUT_SECONDS), engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # the driver's own errors vary; all mean "cannot use it"
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ConfigError(
            f"CHINWAG_DATABASE_URL: cannot connect to the database ({reason})"
        ) from None


async def migrate(settings: Settings) -> None:
    await asyncio.to_thread(upgrade, settings.database_url)


def emergency_matcher(settings: Settings) -> KeywordMatcher:
    try:
        return matcher_for(load_keywords(settings.emergency_keywords_file))
    except KeywordsFileError as exc:
        raise ConfigError(f"CHINWAG_EMERGENCY_KEYWORDS_FILE: {exc}") from None


async def build_app(
    settings: Settings,
    *,
    apply_migrations: bool = True,
    demo_if_empty: bool = False,
    bot_username: str | None = None,
) -> App:
    try:
        engine = create_engine(settings.database_url, pool_size=settings.database_pool_size)
    except Exception as exc:
        raise ConfigError(f"CHINWAG_DATABASE_URL: {exc}") from None
    try:
        await check_database(engine)
    except ConfigError:
        await engine.dispose()
        raise
    if apply_migrations:
        await migrate(settings)
    sessions = session_factory(engine)
    load_composers()  # the delivery kinds other features register (reminders, polls)
    await asyncio.to_thread(prepare_detection)  # langdetect's profiles, once

    def unit_of_work() -> UnitOfWork:
        return UnitOfWork(sessions)

    deps = Deps(
        uow=unit_of_work,
        questionnaires=load_all(),
        clock=utc_clock,
        timezone=settings.tz,
        default_locale=settings.default_locale,
        supported_locales=tuple(available_languages()) or ("en",),
        bot_username=bot_username or settings.bot_username,
        flood=FloodGate(settings.flood_limit, settings.flood_window_seconds),
        postcode_locator=PostcodesIo(settings.postcodes_api_url),
        police_force=settings.police_force,
        detection=DetectionSettings(
            settings.language_detect_min_letters, settings.language_detect_confidence
        ),
        emergency=emergency_matcher(settings),
        retention_months=settings.retention_months,
        dashboard_url=settings.dashboard_url,
    )
    app = App(settings=settings, engine=engine, deps=deps, metrics=Metrics())
    if demo_if_empty:
        async with unit_of_work() as uow:
            if await uow.communities.count() == 0:
                await load_demo(uow)
                await uow.commit()
    return app
