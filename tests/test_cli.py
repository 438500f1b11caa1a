"""The command line as a user runs it: a real process, real files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.conftest import PG_ENV
from tests.processes import run_filmclub


def assert_explained(result: subprocess.CompletedProcess[str], sentence: str) -> None:
    """Failed, saying what failed in a line or two of its own (besides the odd log line), with no traceback."""
    assert result.returncode == 1, result.stderr
    assert sentence in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 6, result.stderr


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


def postgres_url(**parts: str) -> str:
    if not os.environ.get(PG_ENV):
        pytest.skip(f"needs PostgreSQL ({PG_ENV})")
    return make_url(os.environ[PG_ENV]).set(**parts).render_as_string(hide_password=False)  # type: ignore[arg-type]


def test_an_unreachable_postgresql_is_explained_without_its_password() -> None:
    result = run_filmclub(
        "db", "upgrade", env={"FILMCLUB_DATABASE_URL": "postgresql+asyncpg://filmclub:S3cretPw@127.0.0.1:9/filmclub"}
    )
    assert_explained(result, "Cannot reach PostgreSQL at 127.0.0.1:9")
    assert "S3cretPw" not in result.stderr


def test_postgresql_refusing_the_user_is_explained() -> None:
    result = run_filmclub("db", "current", env={"FILMCLUB_DATABASE_URL": postgres_url(username="no_such_filmclub")})
    assert_explained(result, "refused user 'no_such_filmclub'")


def test_a_missing_postgresql_database_is_explained() -> None:
    result = run_filmclub("run", env={"FILMCLUB_DATABASE_URL": postgres_url(database="no_such_filmclub")})
    assert result.returncode == 2, "without a token it stops before touching the database"
    result = run_filmclub("db", "upgrade", env={"FILMCLUB_DATABASE_URL": postgres_url(database="no_such_filmclub")})
    assert_explained(result, 'has no database "no_such_filmclub": create it')


def test_a_read_only_sqlite_file_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "films.sqlite3"
    sqlite3.connect(path).close()  # an empty file, opened the way a read-only mount or file would be
    result = run_filmclub(
        "db", "upgrade", env={"FILMCLUB_DATABASE_URL": f"sqlite+aiosqlite:///file:{path}?mode=ro&uri=true"}
    )
    assert_explained(result, f"The SQLite database {path} is read-only")


def test_a_read_only_data_directory_is_explained(tmp_path: Path) -> None:
    tmp_path.chmod(0o555)
    try:
        if os.access(tmp_path, os.W_OK):
            pytest.skip("directory permissions do not bind this user (root)")
        result = run_filmclub("db", "upgrade", env={"FILMCLUB_DATA_DIR": str(tmp_path)})
    finally:
        tmp_path.chmod(0o755)
    assert_explained(result, f"Cannot open the SQLite database {tmp_path / 'filmclub.sqlite3'}")


def test_a_data_directory_that_cannot_be_made_is_explained(tmp_path: Path) -> None:
    (tmp_path / "a-file").touch()
    result = run_filmclub("console", env={"FILMCLUB_DATA_DIR": str(tmp_path / "a-file" / "data")}, input="/quit\n")
    assert_explained(result, f"Cannot create the directory {tmp_path / 'a-file' / 'data'} for the SQLite database")


def test_a_directory_as_the_database_file_is_explained(tmp_path: Path) -> None:
    result = run_filmclub("db", "upgrade", env={"FILMCLUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}"})
    assert_explained(result, f"Cannot open the SQLite database {tmp_path}")


def test_a_locked_sqlite_file_is_explained(tmp_path: Path) -> None:
    path = tmp_path / "films.sqlite3"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program in the middle of writing
    try:
        result = run_filmclub("db", "upgrade", env={"FILMCLUB_DATABASE_URL": f"sqlite+aiosqlite:///{path}"})
    finally:
        holder.close()
    assert_explained(result, f"The SQLite database {path} stayed locked by another program")


def test_an_unreachable_discord_is_explained(tmp_path: Path) -> None:
    result = run_filmclub(
        "run",
        env={
            "DISCORD_TOKEN": "x",
            "FILMCLUB_DATA_DIR": str(tmp_path),
            "FILMCLUB_API_BASE_URL": "http://127.0.0.1:9/api/v10",
            "FILMCLUB_LOG_LEVEL": "WARNING",
        },
    )
    assert_explained(result, "Cannot reach Discord at http://127.0.0.1:9/api/v10")


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


@pytest.mark.parametrize(
    "where",
    [
        ("--config", "{config}", "db", "current"),
        ("db", "--config", "{config}", "current"),
        ("db", "current", "--config", "{config}"),
    ],
)
def test_every_command_takes_config_wherever_it_is_written(tmp_path: Path, where: tuple[str, ...]) -> None:
    config = tmp_path / "filmclub.toml"
    config.write_text(f'data_dir = "{tmp_path / "from-config"}"\n')
    result = run_filmclub(*(arg.format(config=config) for arg in where))
    assert result.returncode == 0, result.stderr
    assert f"no database yet at {tmp_path / 'from-config' / 'filmclub.sqlite3'}" in result.stdout


def test_console_takes_config_after_the_command(tmp_path: Path) -> None:
    config = tmp_path / "filmclub.toml"
    config.write_text(f'data_dir = "{tmp_path}"\n')
    result = run_filmclub("console", "--config", str(config), input="/quit\n")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "console.sqlite3").exists()


@pytest.mark.parametrize(
    ("option", "choices"),
    [(("--user", "dave"), "alice, bob, carol"), (("--channel", "nope"), "#general, #film-talk, #watch-parties")],
)
def test_console_names_the_choices_for_an_unknown_user_or_channel(
    tmp_path: Path, option: tuple[str, str], choices: str
) -> None:
    result = run_filmclub("console", *option, env={"FILMCLUB_DATA_DIR": str(tmp_path)}, input="/quit\n")
    assert result.returncode == 2
    assert [line for line in result.stderr.splitlines() if line] == [result.stderr.strip()], "one line"
    assert f"'{option[1]}'" in result.stderr or f"#{option[1]}" in result.stderr
    assert choices in result.stderr
    assert not (tmp_path / "console.sqlite3").exists(), "it stops before starting the bot"
