"""Settings: load order, validation messages that name the key, and the example file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file() -> None:
    settings = load_settings()
    assert settings.discord_token is None
    assert settings.resolved_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.resolved_database_url.endswith("/data/filmclub.sqlite3")


def test_file_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, 'log_level = "warning"\ndev_guild_ids = [1, 2]\ntoken = "from-file"\n')
    assert load_settings(path).log_level == "WARNING"
    assert load_settings(path).discord_token == "from-file"
    monkeypatch.setenv("FILMCLUB_LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DISCORD_TOKEN", "from-env")
    settings = load_settings(path)
    assert (settings.log_level, settings.discord_token, settings.dev_guild_ids) == ("DEBUG", "from-env", [1, 2])


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMCLUB_CONFIG", str(write(tmp_path, 'data_dir = "/srv/filmclub"\n')))
    assert load_settings().resolved_database_url == "sqlite+aiosqlite:////srv/filmclub/filmclub.sqlite3"


@pytest.mark.parametrize(
    ("text", "key", "allowed"),
    [
        ('log_format = "xml"', "log_format", "'text' or 'json'"),
        ('database_url = "mysql://x"', "database_url", "sqlite+aiosqlite:// or postgresql+asyncpg://"),
        ("shard_count = 0", "shard_count", "greater than or equal to 1"),
        ("shard_ids = [0]", "shard_ids", "needs shard_count"),
        ("shard_count = 2\nshard_ids = [2]", "shard_ids", "from 0 to 1"),
        ('api_base_url = "discord.com"', "api_base_url", "URL"),
        ("tmdb_refresh_days = -1", "tmdb_refresh_days", "greater than or equal to 1"),
        ("tmdb_concurrent_lookups = 0", "tmdb_concurrent_lookups", "greater than or equal to 1"),
        ("colour = 1", "colour", "not a known setting"),
    ],
)
def test_invalid_values_name_the_key_and_what_is_allowed(tmp_path: Path, text: str, key: str, allowed: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    message = str(caught.value)
    assert f"`{key}`" in message
    assert allowed in message


def test_invalid_environment_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMCLUB_SHARD_COUNT", "many")
    with pytest.raises(ConfigError, match="FILMCLUB_SHARD_COUNT"):
        load_settings()


def test_broken_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(write(tmp_path, "token = "))
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml")


def test_the_token_is_not_shown_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    settings = load_settings()
    assert "very-secret-token" not in repr(settings)
    assert "very-secret-token" not in str(settings)


def test_example_file_loads_and_documents_every_setting() -> None:
    assert load_settings(EXAMPLE) is not None
    text = EXAMPLE.read_text(encoding="utf-8")
    for name in Settings.model_fields:
        match = re.search(rf"^(?:# )?{name} = ", text, flags=re.MULTILINE)
        assert match, f"config.example.toml does not mention {name}"
        preceding = text[: match.start()].rstrip("\n").splitlines()[-1]
        assert preceding.startswith("#"), f"{name} has no comment above it"


def test_readme_states_the_permissions_the_invite_link_asks_for() -> None:
    from bot.client import REQUIRED_PERMISSIONS, invite_url

    readme = (EXAMPLE.parent / "README.md").read_text(encoding="utf-8")
    assert f"`{REQUIRED_PERMISSIONS.value}`" in readme
    url = invite_url(1234)
    assert "scope=bot+applications.commands" in url
    assert f"permissions={REQUIRED_PERMISSIONS.value}" in url


def test_only_the_two_token_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOKEN", "somebody-elses-token")
    monkeypatch.setenv("token", "somebody-elses-token")
    assert load_settings().discord_token is None
    monkeypatch.setenv("FILMCLUB_TOKEN", "ours")
    assert load_settings().discord_token == "ours"


@pytest.mark.parametrize(
    ("text", "key", "secret"),
    [
        ('database_url = "postgresql://filmclub:S3cretPw@db.example/filmclub"', "database_url", "S3cretPw"),
        ("token = 1234567890", "token", "1234567890"),
        ("tmdb_token = 98765", "tmdb_token", "98765"),
    ],
)
def test_invalid_values_never_echo_secrets(tmp_path: Path, text: str, key: str, secret: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path, text))
    message = str(caught.value)
    assert f"`{key}`" in message
    assert secret not in message
