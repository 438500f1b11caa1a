"""Checkpoints written by several processes at once (shard processes start together)."""

from __future__ import annotations

import asyncio
import contextlib

from db import Database, checkpoints


async def test_processes_writing_the_same_new_checkpoint_at_once_both_succeed(db: Database, database_url: str) -> None:
    others = [Database(database_url) for _ in range(2)]  # one engine per process
    both_written = asyncio.Event()
    written = 0

    async def write(database: Database, n: int) -> None:
        nonlocal written
        async with database.transaction() as session:
            await checkpoints.put(session, "shard", {"n": n})
            written += 1
            if written == 2:
                both_written.set()
            # Commit only once both have written (or once the other is seen to wait for this one).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(both_written.wait(), 0.5)

    try:
        await asyncio.gather(*(write(database, n) for n, database in enumerate(others)))
    finally:
        for database in others:
            await database.dispose()
    async with db.transaction() as session:
        assert await checkpoints.get(session, "shard") in ({"n": 0}, {"n": 1})


async def test_a_checkpoint_is_read_fresh_after_it_is_overwritten_in_the_same_session(db: Database) -> None:
    async with db.transaction() as session:
        await checkpoints.put(session, "x", {"n": 1})
        assert await checkpoints.get(session, "x") == {"n": 1}
        await checkpoints.put(session, "x", {"n": 2})
        assert await checkpoints.get(session, "x") == {"n": 2}
