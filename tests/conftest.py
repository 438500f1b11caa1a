"""Shared fixtures.

Database tests run on a fresh SQLite file each; when FILMCLUB_TEST_DATABASE_URL names a PostgreSQL
database they run on it as well (``backend`` is parametrised). PostgreSQL gets a throw-away database
per test session, migrated once and truncated between tests.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import create_async_engine

from db import Database, migrate
from db.models import Base
from tests.catalogue_fixtures import catalogue, clock, reviews, starter_file  # noqa: F401  # shared fixtures
from tests.model_stub import model, stub  # noqa: F401  # a language model endpoint stub and its client

PG_ENV = "FILMCLUB_TEST_DATABASE_URL"
BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get(PG_ENV) else [])


@pytest.fixture(autouse=True, scope="session")
def _clean_filmclub_env() -> Iterator[None]:
    """Tests see no FILMCLUB_* or DISCORD_TOKEN settings from the machine they run on."""
    with pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if (name.startswith("FILMCLUB_") and name != PG_ENV) or name == "DISCORD_TOKEN":
                patch.delenv(name)
        yield


# Set-up that needs the database runs in sync fixtures on a short-lived loop of its own, so that
# the parametrised fixtures below can pick a back end with getfixturevalue.


async def _migrate(url: str) -> None:
    database = Database(url)
    await migrate.upgrade(database.engine)
    await database.dispose()


async def admin_execute(url: URL, statement: str) -> None:
    """Run ``statement`` outside a transaction (CREATE/DROP DATABASE)."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as conn:
        await conn.execute(text(statement))
    await engine.dispose()


async def truncate_all(url: str) -> None:
    """Empty every table (PostgreSQL), so a shared test database starts clean."""
    engine = create_async_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    async with engine.begin() as conn:
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    asyncio.run(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session (dropped at the end)."""
    admin_url = make_url(os.environ[PG_ENV]).set(drivername="postgresql+asyncpg")
    name = f"filmclub_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(admin_execute(admin_url, f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    try:
        asyncio.run(_migrate(url))
        yield url
    finally:
        asyncio.run(admin_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    """The URL of an empty database at the newest schema, for this test only."""
    return empty_database(backend, tmp_path, request)


def empty_database(backend: str, directory: Path, request: pytest.FixtureRequest) -> str:
    """A fresh SQLite file in ``directory``, or the session's PostgreSQL database emptied."""
    if backend == "sqlite":
        path = directory / "filmclub.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    asyncio.run(truncate_all(url))
    return url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    yield database
    await database.dispose()
