"""Typed settings: defaults, then a TOML file, then environment variables; validated once.

Every key ``k`` in the file can be overridden by the environment variable ``FILMCLUB_K``
(upper case); the token is also read from ``DISCORD_TOKEN``, the variable every Discord
tutorial uses.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import AliasChoices, Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.logging import hide_url_passwords

DISCORD_API_BASE = "https://discord.com/api/v10"
CONFIG_ENV = "FILMCLUB_CONFIG"


class ConfigError(Exception):
    """The configuration cannot be used; the message says which key and what is allowed."""


class Settings(BaseSettings):
    """Everything the bot can be configured with. See config.example.toml for the documentation."""

    model_config = SettingsConfigDict(
        env_prefix="FILMCLUB_",
        extra="forbid",
        populate_by_name=True,
        frozen=True,
    )

    # Only these two variables (any other TOKEN in the environment is somebody else's); `token` in the file.
    token: SecretStr | None = Field(default=None, validation_alias=AliasChoices("DISCORD_TOKEN", "FILMCLUB_TOKEN"))
    data_dir: Path = Path("data")
    database_url: str | None = None
    database_echo: bool = False
    dev_guild_ids: list[int] = Field(default_factory=list)
    shard_count: int | None = Field(default=None, ge=1)
    shard_ids: list[int] | None = None
    api_base_url: str = DISCORD_API_BASE
    gateway_url: str | None = None
    guild_ready_timeout: float = Field(default=2.0, ge=0)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    tmdb_token: SecretStr | None = None
    tmdb_base_url: str = "https://api.themoviedb.org/3"
    tmdb_refresh_days: int = Field(default=30, ge=1)
    tmdb_timeout_seconds: float = Field(default=10.0, gt=0)
    tmdb_concurrent_lookups: int = Field(default=4, ge=1)
    review_consensus_min: int = Field(default=3, ge=1)
    party_reminder_minutes: list[int] = Field(default_factory=lambda: [60, 0], max_length=5)
    party_margin_minutes: int = Field(default=15, ge=0, le=240)
    party_archive_days: float = Field(default=3.0, gt=0, le=30)
    party_reminder_grace_minutes: int = Field(default=30, ge=1)
    party_reminder_lease_seconds: float = Field(default=120.0, ge=10)
    party_reminder_poll_seconds: float = Field(default=30.0, gt=0)
    ask_model_url: str | None = None
    ask_model: str | None = None
    ask_model_key: SecretStr | None = None
    ask_model_timeout_seconds: float = Field(default=4.0, gt=0)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The file's values arrive as init kwargs; the environment wins over them.
        return env_settings, init_settings

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("api_base_url", "tmdb_base_url", "gateway_url", "ask_model_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("http://", "https://", "ws://", "wss://")):
            raise ValueError("must be an http(s):// or ws(s):// URL")
        return value.rstrip("/") if value is not None else None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "must start with sqlite+aiosqlite:// or postgresql+asyncpg:// (the async drivers Film Club uses)"
            )
        return value

    @field_validator("party_reminder_minutes")
    @classmethod
    def _reminder_minutes(cls, value: list[int]) -> list[int]:
        if any(not 0 <= minutes <= 7 * 24 * 60 for minutes in value):
            raise ValueError("must be minutes before the start, from 0 (at the start) to 10080 (a week)")
        return sorted(set(value), reverse=True)

    @field_validator("shard_ids")
    @classmethod
    def _shard_ids(cls, value: list[int] | None, info: ValidationInfo) -> list[int] | None:
        if value is not None:
            count = info.data.get("shard_count")
            if count is None:
                raise ValueError("needs shard_count too: say how many shards there are in all")
            if not value or any(not 0 <= i < count for i in value):
                raise ValueError(f"must be a non-empty list of shard numbers from 0 to {count - 1}")
        return value

    @property
    def resolved_database_url(self) -> str:
        """The configured URL, or a SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'filmclub.sqlite3').resolve()}"

    @property
    def discord_token(self) -> str | None:
        return self.token.get_secret_value() if self.token else None


def _describe(error: ValidationError, source: str) -> str:
    lines = [f"Invalid configuration ({source}):"]
    for item in error.errors():
        key = ".".join(str(part) for part in item["loc"]) or "(top level)"
        env = f"FILMCLUB_{key.upper()}" if key != "token" else "DISCORD_TOKEN"
        if item["type"] == "extra_forbidden":
            lines.append(f"  - `{key}` is not a known setting (see config.example.toml for the list)")
            continue
        message = item["msg"].removeprefix("Value error, ")
        field = Settings.model_fields.get(key)
        if field is not None and SecretStr in (field.annotation, *get_args(field.annotation)):
            got = "(not shown: it is a secret)"
        else:
            got = hide_url_passwords(repr(item.get("input")))
        lines.append(f"  - `{key}` (file key `{key}` or env {env}): {message}; got {got}")
    return "\n".join(lines)


def load_settings(path: Path | None = None) -> Settings:
    """Load settings from defaults, then the TOML file, then the environment.

    The file is ``path``, else ``$FILMCLUB_CONFIG``, else none. Raises ConfigError with a
    message that names the offending key and what is allowed.
    """
    if path is None and os.environ.get(CONFIG_ENV):
        path = Path(os.environ[CONFIG_ENV])
    values: dict[str, Any] = {}
    source = "defaults and environment"
    if path is not None:
        source = f"{path} and environment"
        try:
            values = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"Config file {path} does not exist (given by --config or {CONFIG_ENV}).") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"Config file {path} is not valid TOML: {exc}") from None
    try:
        return Settings(**values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, source)) from None
