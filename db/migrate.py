"""Schema migrations through Alembic, on the caller's engine and event loop."""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
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
