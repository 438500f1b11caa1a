"""The catalogue version (models.CatalogueVersion): bumped by every catalogue write, read before cached answers.

Every function that writes films, titles, people, credits or music calls `bump` first, in the caller's
transaction: the new version is visible exactly when the write is, to every process sharing the database.
Bumping first also takes the write lock on that one row first, so catalogue writers always lock in the same
order, and take turns a transaction at a time (as SQLite's writers always do). Read the version before the
rows an answer is made of: then a cached answer is never older than the version it is filed under.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db.engine import Database, upsert_insert
from db.models import CatalogueVersion

VERSION = cast(Table, CatalogueVersion.__table__)
ROW = 1  # the one row


async def bump(session: AsyncSession | AsyncConnection) -> None:
    """Count a catalogue change, in one statement (the row is created by the first change)."""
    insert = upsert_insert(session, VERSION).values(id=ROW, version=1)
    await session.execute(
        insert.on_conflict_do_update(index_elements=[VERSION.c.id], set_={"version": VERSION.c.version + 1})
    )


async def current(session: AsyncSession | AsyncConnection) -> int:
    """A number that grows with every committed catalogue write (0 before the first)."""
    return await session.scalar(select(VERSION.c.version).where(VERSION.c.id == ROW)) or 0


async def read(db: Database) -> int:
    """`current` on a connection of its own: no ORM session to begin and end, the cheapest check there is."""
    async with db.reading() as connection:
        return await current(connection)
