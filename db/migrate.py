"""Schema migrations through Alembic, on the caller's engine and event loop."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import sqlite_file


def alembic_config(url: str = "") -> Config:
    config = Config()
    config.set_main_option("script_location", "db:migrations")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.set_main_option("file_template", "%%(year)d%%(month).2d%%(day).2d_%%(rev)s_%%(slug)s")
    return config


async def _with_connection(engine: AsyncEngine, fn: Any, *args: Any) -> None:
    def run(connection: Connection) -> None:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        fn(config, *args)

    async with exclusive(engine), engine.begin() as connection:
        await connection.run_sync(run)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    await _with_connection(engine, command.upgrade, revision)


async def downgrade(engine: AsyncEngine, revision: str) -> None:
    await _with_connection(engine, command.downgrade, revision)


async def revision(engine: AsyncEngine, message: str) -> None:
    """Autogenerate a new revision from the difference between the models and the database."""
    await _with_connection(engine, lambda config, msg: command.revision(config, msg, autogenerate=True), message)


async def current(engine: AsyncEngine) -> tuple[str | None, str | None]:
    """(the database's revision, the newest revision in the code)."""

    def read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        db_rev = await connection.run_sync(read)
    return db_rev, ScriptDirectory.from_config(alembic_config()).get_current_head()


# Any constant shared by every Film Club process: pg_advisory_lock takes a 64-bit key.
MIGRATION_LOCK_KEY = 0x46494C4D434C5542  # "FILMCLUB"

_held: ContextVar[frozenset[str]] = ContextVar("filmclub_migration_locks", default=frozenset())
"""The databases whose lock this task already holds (so a migration inside `exclusive` does not wait on itself)."""


@asynccontextmanager
async def exclusive(engine: AsyncEngine) -> AsyncIterator[None]:
    """Let one process at a time change this database's schema (and seed it, for callers that wrap that too).

    Every migration takes it; App.open holds it across migrating and loading the starter catalogue, because
    shard processes may start together. PostgreSQL uses an advisory lock; a SQLite file a lock on its
    directory (SQLite's own locks do not cover a migration's several statements). Re-entrant within a task.
    """
    key = engine.url.render_as_string(hide_password=True)
    if key in _held.get():
        yield
        return
    token = _held.set(_held.get() | {key})
    try:
        if engine.dialect.name == "postgresql":
            async with _advisory_lock(engine):
                yield
        else:
            async with _directory_lock(engine):
                yield
    finally:
        _held.reset(token)


@asynccontextmanager
async def _advisory_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
        await connection.commit()
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
            await connection.commit()


@asynccontextmanager
async def _directory_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    path = sqlite_file(engine.url)
    if path is None:  # in memory: nobody else can see it
        yield
        return
    import fcntl  # POSIX only, like the signal handling of `filmclub run`

    # Not the database file itself: closing another descriptor of it would drop SQLite's own locks.
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(0.05)
        yield
    finally:
        os.close(descriptor)  # releases the lock
