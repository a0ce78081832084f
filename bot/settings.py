"""Settings from ``CHINWAG_*`` environment variables and an optional TOML file.

The TOML file is ``chinwag.toml`` in the working directory, or the path in
``CHINWAG_CONFIG``; environment variables win over it. Keys in the file are the
setting names without the prefix, in lower case (``database_url = "..."``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bot.errors import ConfigError

OFFICIAL_API_URL = "https://api.telegram.org"
TOKEN_PATTERN = re.compile(r"^[0-9]{3,20}:[A-Za-z0-9_-]{30,60}$")
TRANSPORTS = ("aiogram", "ptb")
BOT_USERNAME_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]{4,31}$")


def config_file() -> Path | None:
    explicit = os.environ.get("CHINWAG_CONFIG")
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"CHINWAG_CONFIG: no such file {explicit}")
        return path
    default = Path("chinwag.toml")
    return default if default.is_file() else None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CHINWAG_", extra="ignore")

    telegram_token: SecretStr | None = None
    telegram_api_url: str = OFFICIAL_API_URL
    bot_username: str | None = None  # for links the CLI prints; `chinwag run` asks Telegram
    database_url: str = "sqlite:///./chinwag.db"
    database_pool_size: int = Field(default=40, ge=1)  # PostgreSQL connections a worker keeps
    transport: str = "aiogram"
    timezone: str = "Europe/London"
    default_locale: str = "en"
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = "text"
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "0.0.0.0:8080"
    metrics_listen: str | None = None  # HOST:PORT for /healthz, /readyz, /metrics on their own
    police_api_url: str = "https://data.police.uk/api"
    postcodes_api_url: str = "https://api.postcodes.io"
    police_force: str = "cheshire"
    flood_limit: int = Field(default=20, ge=1)
    flood_window_seconds: float = Field(default=10.0, gt=0)
    reminder_grace_minutes: int = Field(default=30, ge=0)
    send_rate: float = Field(default=25.0, gt=0)
    dispatch_interval_seconds: float = Field(default=5.0, gt=0)
    language_detect_min_letters: int = Field(default=20, ge=1)
    language_detect_confidence: float = Field(default=0.90, gt=0, le=1)
    emergency_keywords_file: Path | None = None  # TOML: a list of words per language
    retention_months: int = Field(default=24, ge=0)  # 0 keeps answers linked for ever
    dashboard_url: str = "http://127.0.0.1:8090"  # the web dashboard as browsers reach it
    web_listen: str = "127.0.0.1:8090"  # HOST:PORT that `chinwag web` serves the dashboard on
    web_enabled: bool = False  # `chinwag run` serves the dashboard too

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @field_validator("telegram_api_url", "police_api_url", "postcodes_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s]+", value):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @field_validator("dashboard_url")
    @classmethod
    def _dashboard_url(cls, value: str) -> str:
        if not re.match(r"^https?://[^/\s?#]+(/[^\s?#]*)?$", value):
            raise ValueError("must be an http(s) URL such as https://dashboard.example.org")
        return value.rstrip("/")

    @field_validator("bot_username")
    @classmethod
    def _bot_username(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        name = value.strip().removeprefix("@")
        if not BOT_USERNAME_PATTERN.match(name):
            raise ValueError("must be a Telegram username such as chinwag_bot")
        return name

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def token(self) -> str:
        """The bot token, checked; only transports that talk to Telegram ask for it."""
        if self.telegram_token is None or not self.telegram_token.get_secret_value():
            raise ConfigError("CHINWAG_TELEGRAM_TOKEN: not set (get one from @BotFather)")
        value = self.telegram_token.get_secret_value().strip()
        if not TOKEN_PATTERN.match(value):
            raise ConfigError(
                "CHINWAG_TELEGRAM_TOKEN: malformed (expected 123456789:ABC..., from @BotFather)"
            )
        return value

    def check_transport(self) -> str:
        if self.transport not in TRANSPORTS:
            raise ConfigError(
                f"CHINWAG_TRANSPORT: unknown transport {self.transport!r} (use {' or '.join(TRANSPORTS)})"
            )
        return self.transport


def load_settings(**overrides: Any) -> Settings:
    """Read and validate settings; any problem becomes a one-line ``ConfigError``."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "CHINWAG_" + str(first["loc"][0]).upper() if first["loc"] else "settings"
        raise ConfigError(f"{name}: {first['msg']}") from None
    try:
        settings.tz  # noqa: B018
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"CHINWAG_TIMEZONE: unknown time zone {settings.timezone!r}") from None
    return settings
