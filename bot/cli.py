"""The `filmclub` command line (also `python -m bot`)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot import __version__
from bot.app import App, CannotStart, MissingToken, serve
from bot.config import ConfigError, Settings, load_settings
from bot.logging import setup_logging
from db import Database, migrate
from db.engine import DatabaseUnavailable, explained, sqlite_file
from services.errors import FilmClubError
from services.films import imdb as imdb_source


class _Parser(argparse.ArgumentParser):
    """Takes ``--config``; so do its subcommands (argparse makes them of the same class), wherever it is written."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_argument(
            "--config",
            type=Path,
            default=argparse.SUPPRESS,  # a subcommand without it keeps what came before it
            help="TOML config file (default: $FILMCLUB_CONFIG, else none)",
        )


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="filmclub", description="Film Club, a Discord bot for film discussion.")
    parser.add_argument("--version", action="version", version=f"filmclub {__version__}")
    parser.set_defaults(config=None)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", help="connect to Discord and serve (applies migrations first)")

    console = commands.add_parser("console", help="try the bot offline in this terminal (no Discord account needed)")
    console.add_argument("--user", default="alice", help="the demo member you type as (alice, bob or carol)")
    console.add_argument("--channel", default="general", help="the channel you start in")

    sync = commands.add_parser("sync", help="register the slash commands with Discord now")
    sync.add_argument(
        "--guild",
        type=int,
        action="append",
        dest="guilds",
        metavar="ID",
        help="sync to this guild only (instant); repeatable. Default: dev_guild_ids, else global",
    )

    db = commands.add_parser("db", help="database schema migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    upgrade = db_commands.add_parser("upgrade", help="migrate to the newest schema (or REVISION)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db_commands.add_parser("downgrade", help="migrate back to REVISION (e.g. -1 or base)")
    downgrade.add_argument("revision")
    db_commands.add_parser("current", help="show the database's schema revision")
    revision = db_commands.add_parser("revision", help="(developers) autogenerate a migration from the models")
    revision.add_argument("-m", "--message", required=True)

    importer = commands.add_parser("import", help="import a film dataset into the catalogue")
    sources = importer.add_subparsers(dest="source", required=True, metavar="SOURCE")
    imdb = sources.add_parser(
        "imdb",
        help="IMDb's non-commercial datasets (personal, non-commercial use only)",
        description="Import the IMDb dataset files (title.basics, title.principals, name.basics, title.crew; "
        "optionally title.akas and title.ratings, as .tsv.gz) from DIR. Resumes an interrupted import; "
        "re-running updates in place. Adult titles are skipped. " + imdb_source.ATTRIBUTION,
    )
    imdb.add_argument("directory", type=Path, metavar="DIR")
    imdb.add_argument(
        "--title-types",
        default="movie",
        metavar="TYPES",
        help="comma-separated IMDb title types to keep (default: movie; e.g. movie,tvMovie)",
    )
    imdb.add_argument("--min-votes", type=int, metavar="N", help="keep only titles with at least N votes")
    batch = imdb_source.ImportOptions().batch_size
    imdb.add_argument("--batch-size", type=int, default=batch, metavar="N", help=f"rows per transaction ({batch:,})")
    imdb.add_argument("--restart", action="store_true", help="ignore saved progress and import everything again")
    imdb.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


@asynccontextmanager
async def _database(url: str) -> AsyncIterator[Database]:
    """The database for one command, disposed after; a failure to reach or write it becomes DatabaseUnavailable."""
    database = Database(url)
    try:
        with explained(url):
            yield database
    finally:
        await database.dispose()


async def _db_command(settings: Settings, args: argparse.Namespace) -> int:
    url = settings.resolved_database_url
    if args.db_command == "current" and (path := sqlite_file(url)) is not None and not path.exists():
        print(f"no database yet at {path}: `filmclub db upgrade` or `filmclub run` creates it")
        return 0
    async with _database(url) as database:
        match args.db_command:
            case "upgrade":
                await migrate.upgrade(database.engine, args.revision)
            case "downgrade":
                await migrate.downgrade(database.engine, args.revision)
            case "revision":
                await migrate.revision(database.engine, args.message)
            case "current":
                current, head = await migrate.current(database.engine)
                state = "up to date" if current == head else f"newest is {head}; run `filmclub db upgrade`"
                print(f"database at {current or 'no revision (empty)'}: {state}")
    return 0


async def _import_imdb(settings: Settings, args: argparse.Namespace) -> int:
    types = frozenset(t.strip() for t in args.title_types.split(",") if t.strip())
    if not types or args.batch_size < 1 or (args.min_votes is not None and args.min_votes < 0):
        print("--title-types needs a type, --batch-size and --min-votes must be positive", file=sys.stderr)
        return 2
    options = imdb_source.ImportOptions(title_types=types, min_votes=args.min_votes, batch_size=args.batch_size)
    try:
        async with _database(settings.resolved_database_url) as database:
            await migrate.upgrade(database.engine)
            report = await imdb_source.import_imdb(
                database, args.directory, options, show_progress=not args.quiet, restart=args.restart
            )
    except FilmClubError as exc:
        print(exc, file=sys.stderr)
        return 2
    for phase in report.phases:
        if phase.skipped:
            print(f"{phase.name:<11} already done")
        else:
            print(
                f"{phase.name:<11} {phase.rows_read:>12,} rows read {phase.rows_written:>10,} written "
                f"{phase.rows_bad:>6,} bad {phase.seconds:8.1f} s {phase.rows_per_second:>10,.0f} rows/s"
            )
    for line in report.notes():
        print(line)
    print(f"{report.films:,} films, {report.people:,} people. {imdb_source.ATTRIBUTION}")
    return 0


async def _sync(settings: Settings, guilds: list[int] | None) -> int:
    if not settings.discord_token:
        raise MissingToken
    app = await App.open(settings, sync_on_start=False)
    try:
        await app.login()
        where = await app.bot.sync_commands(guild_ids=guilds)
        print("synced commands: " + ", ".join(where))
    finally:
        await app.close()
    return 0


async def _console(settings: Settings, user: str, channel: str) -> int:
    from rich.console import Console

    from bot.console import run_offline

    await run_offline(settings, console=Console(), user=user, channel=channel)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(args.config)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    # The console is a conversation on this terminal: only problems are logged there.
    level = "WARNING" if args.command == "console" and settings.log_level in ("DEBUG", "INFO") else settings.log_level
    setup_logging(
        level, settings.log_format, [s.get_secret_value() for s in (settings.token, settings.tmdb_token) if s]
    )
    try:
        return asyncio.run(_settled(_command(settings, args)))
    except CannotStart as exc:
        print(exc, file=sys.stderr)
        return exc.exit_code
    except DatabaseUnavailable as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


async def _command(settings: Settings, args: argparse.Namespace) -> int:
    match args.command:
        case "run":
            await serve(settings)
            return 0
        case "console":
            return await _console(settings, args.user, args.channel)
        case "sync":
            return await _sync(settings, args.guilds)
        case "db":
            return await _db_command(settings, args)
        case "import":
            return await _import_imdb(settings, args)
    raise AssertionError(f"unhandled command {args.command}")


async def _settled(command: Awaitable[int]) -> int:
    """Run ``command``, then let aiosqlite's worker threads finish before the event loop closes: a connection
    that failed to open stops its thread without waiting for it, and the thread's late reply to a closed
    loop would print a traceback under the sentence that explains the failure."""
    try:
        return await command
    finally:
        for thread in threading.enumerate():
            if thread.name.endswith("(_connection_worker_thread)"):  # "Thread-N (target)": aiosqlite's
                await asyncio.to_thread(thread.join, 1.0)
