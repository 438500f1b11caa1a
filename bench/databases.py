"""Throw-away PostgreSQL databases for the benchmarks (bench imports nothing from tests)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine


async def admin_execute(url: str, statement: str) -> None:
    """Run ``statement`` outside a transaction (CREATE/DROP DATABASE)."""
    engine = create_async_engine(url, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        await connection.execute(text(statement))
    await engine.dispose()


@asynccontextmanager
async def scratch_database(admin_url: str, prefix: str = "filmclub_bench") -> AsyncIterator[str]:
    """A new empty database on the server of ``admin_url``; yields its URL and drops it afterwards."""
    admin = make_url(admin_url).set(drivername="postgresql+asyncpg")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin_ = admin.render_as_string(hide_password=False)
    await admin_execute(admin_, f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin_execute(admin_, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
