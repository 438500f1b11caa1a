"""The command line as a user runs it: a real process, real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.processes import run_filmclub


def test_run_without_a_token_explains_what_to_do_and_exits_non_zero(tmp_path: Path) -> None:
    result = run_filmclub("run", env={"FILMCLUB_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "DISCORD_TOKEN" in result.stderr
    assert "https://discord.com/developers/applications" in result.stderr
    assert "`bot` and `applications.commands`" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "filmclub.sqlite3").exists(), "it should stop before touching the database"


def test_invalid_config_exits_with_the_key_named(tmp_path: Path) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('log_level = "LOUD"\n')
    result = run_filmclub("--config", str(config), "run")
    assert result.returncode == 2
    assert "`log_level`" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_invalid_database_url_does_not_print_its_password() -> None:
    result = run_filmclub("db", "current", env={"FILMCLUB_DATABASE_URL": "postgresql://u:S3cretPw@h/db"})
    assert result.returncode == 2
    assert "`database_url`" in result.stderr
    assert "postgresql://u:***@h/db" in result.stderr
    assert "S3cretPw" not in result.stderr


def test_db_upgrade_then_current(tmp_path: Path) -> None:
    env = {"FILMCLUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}
    assert run_filmclub("db", "upgrade", env=env).returncode == 0
    result = run_filmclub("db", "current", env=env)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert result.stderr == "", "a status command answers, and logs nothing at the default log level"


def test_db_current_creates_no_database(tmp_path: Path) -> None:
    data = tmp_path / "data"
    result = run_filmclub("db", "current", env={"FILMCLUB_DATA_DIR": str(data)})
    assert result.returncode == 0, result.stderr
    assert "no database yet" in result.stdout
    assert str(data / "filmclub.sqlite3") in result.stdout
    assert not data.exists()


def test_the_token_is_never_echoed(tmp_path: Path) -> None:
    secret = "MTIz.not-a-real-token.but-secret"
    # An unreachable API makes the login fail fast; whatever is printed must not contain the token.
    result = run_filmclub(
        "run",
        env={
            "DISCORD_TOKEN": secret,
            "FILMCLUB_DATA_DIR": str(tmp_path),
            "FILMCLUB_API_BASE_URL": "http://127.0.0.1:9/api/v10",
            "FILMCLUB_LOG_LEVEL": "DEBUG",
        },
    )
    assert result.returncode != 0
    assert secret not in result.stdout + result.stderr


@pytest.mark.parametrize("args", [("--help",), ("db", "--help"), ("sync", "--help")])
def test_help(args: tuple[str, ...]) -> None:
    result = run_filmclub(*args)
    assert result.returncode == 0
    assert "usage: filmclub" in result.stdout
