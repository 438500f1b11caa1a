"""Schema migrations through Alembic, on the caller's engine and event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine


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

    async with engine.begin() as connection:
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
STARTUP_LOCK_KEY = 0x46494C4D434C5542  # "FILMCLUB"


@asynccontextmanager
async def exclusive_startup(engine: AsyncEngine) -> AsyncIterator[None]:
    """Let one process at a time migrate and seed a shared PostgreSQL database (no-op on SQLite,
    whose file is one machine's and whose writers already take turns)."""
    if engine.dialect.name != "postgresql":
        yield
        return
    async with engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK_KEY})
        await connection.commit()
        try:
            yield
        finally:
            await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK_KEY})
            await connection.commit()
