"""The store: engine settings, migrations that match the models, and round trips on both back ends."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.engine import Connection, make_url

from bot.app import App
from bot.config import Settings
from db import Database, checkpoints, migrate
from db.models import Base, Credit, Film, Person
from tests.conftest import PG_ENV, admin_execute
from tests.processes import start_filmclub


async def test_migrations_produce_exactly_the_models_schema(db: Database) -> None:
    def diff(connection: Connection) -> list[object]:
        return list(
            compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
        )

    async with db.engine.connect() as connection:
        assert await connection.run_sync(diff) == []


async def test_downgrade_to_base_and_back(db: Database) -> None:
    await migrate.downgrade(db.engine, "base")
    async with db.engine.connect() as connection:
        tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
    assert tables <= {"alembic_version"}
    await migrate.upgrade(db.engine)
    current, head = await migrate.current(db.engine)
    assert current == head is not None


async def test_sqlite_connections_get_wal_foreign_keys_and_busy_timeout(db: Database, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    async with db.engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


async def test_a_connection_the_server_closed_is_replaced_before_use(db: Database, backend: str) -> None:
    """After PostgreSQL ends a pooled connection (a restart, an idle timeout), the next unit of work gets a new
    one rather than an error, without asking the server on every checkout."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL's pooled connections")
    async with db.engine.connect() as connection:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
        pid = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    closed = asyncio.Event()
    driver.add_termination_listener(lambda _: closed.set())
    await admin_execute(make_url(db.url), f"SELECT pg_terminate_backend({int(pid)})")  # as the server would
    await asyncio.wait_for(closed.wait(), 10)
    for _ in range(3):  # every pooled connection in turn, the ended one included
        async with db.transaction() as session:
            assert (await session.execute(text("SELECT 1"))).scalar_one() == 1


async def test_datetimes_come_back_aware_in_utc(db: Database) -> None:
    fetched = datetime(2026, 3, 1, 21, 30, tzinfo=timezone(timedelta(hours=-5)))
    async with db.transaction() as session:
        session.add(Film(title="Brief Encounter", year=1945, source="starter", fetched_at=fetched))
    async with db.transaction() as session:
        film = (await session.execute(select(Film))).scalar_one()
    assert film.fetched_at == fetched
    assert film.fetched_at.tzinfo == UTC


async def test_naive_datetimes_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive"):
        async with db.transaction() as session:
            session.add(Film(title="Naive", source="starter", fetched_at=datetime(2026, 1, 1)))  # noqa: DTZ001  # naive on purpose


async def test_foreign_keys_cascade_from_film_to_credits(db: Database) -> None:
    async with db.transaction() as session:
        film = Film(title="Never Let Me Go", year=2010, source="starter")
        person = Person(name="Carey Mulligan", folded="carey mulligan", source="starter")
        session.add(
            Credit(film=film, person=person, department="cast", job="actor", characters=["Kathy"], source="starter")
        )
    async with db.transaction() as session:
        await session.delete((await session.execute(select(Film))).scalar_one())
    async with db.transaction() as session:
        assert (await session.execute(select(Credit))).first() is None
        assert (await session.execute(select(Person))).scalar_one().name == "Carey Mulligan"


async def test_a_failed_unit_of_work_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            session.add(Film(title="Lost", source="starter"))
            await session.flush()
            raise RuntimeError("boom")
    async with db.transaction() as session:
        assert (await session.execute(select(Film))).first() is None


async def test_checkpoints_round_trip(db: Database) -> None:
    async with db.transaction() as session:
        assert await checkpoints.get(session, "x") is None
        await checkpoints.put(session, "x", {"n": 1})
    async with db.transaction() as session:
        await checkpoints.put(session, "x", {"n": 2})
    async with db.transaction() as session:
        assert await checkpoints.get(session, "x") == {"n": 2}


@pytest.fixture
async def fresh_database_url(backend: str, tmp_path: Path) -> AsyncIterator[str]:
    """A database nobody has migrated yet: a new PostgreSQL database, or a SQLite file still to be made."""
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin = make_url(os.environ[PG_ENV]).set(drivername="postgresql+asyncpg")
    name = f"filmclub_fresh_{uuid.uuid4().hex[:8]}"
    await admin_execute(admin, f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def test_processes_starting_together_migrate_and_seed_once(
    backend: str, fresh_database_url: str, tmp_path: Path
) -> None:
    """Sharded processes share one PostgreSQL database and may all start at once."""
    if backend != "postgresql":
        pytest.skip("several processes share a database only on PostgreSQL")
    settings = [Settings(database_url=fresh_database_url, data_dir=tmp_path) for _ in range(3)]
    apps = await asyncio.gather(*(App.open(s, sync_on_start=False) for s in settings))
    for app in apps:
        await app.close()
    database = Database(fresh_database_url)
    current, head = await migrate.current(database.engine)
    async with database.transaction() as session:
        films = await session.scalar(select(func.count()).select_from(Film))
    await database.dispose()
    assert current == head
    assert films == 62


async def test_concurrent_db_upgrade_commands_all_succeed(fresh_database_url: str) -> None:
    """Every path that migrates takes the one lock: three `filmclub db upgrade` at once on a new database."""
    env = {"FILMCLUB_DATABASE_URL": fresh_database_url}
    processes = [await start_filmclub("db", "upgrade", env=env) for _ in range(3)]
    outputs = await asyncio.gather(*(p.communicate() for p in processes))
    for process, (_, stderr) in zip(processes, outputs, strict=True):
        assert process.returncode == 0, stderr.decode()
    database = Database(fresh_database_url)
    current, head = await migrate.current(database.engine)
    await database.dispose()
    assert current == head is not None
