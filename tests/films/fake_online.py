"""An in-memory online source for catalogue tests, with answers that take time or wait to be let through."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta

from db.films.records import FilmRecord


class FakeTMDB:
    """Implements the FilmLookup protocol over ``records``.

    Each answer takes ``delay`` seconds, after waiting for ``release()`` when ``gated``. ``active`` counts the
    calls being answered now and ``most_active`` the most at once, so tests can tell overlapping lookups from
    queued ones without timing them.
    """

    def __init__(
        self, *records: FilmRecord, max_age: timedelta = timedelta(days=30), delay: float = 0.0, gated: bool = False
    ) -> None:
        self.records = records
        self.max_age = max_age
        self.delay = delay
        self.searches: list[tuple[str, int | None]] = []
        self.refreshed: list[int] = []
        self.active = 0
        self.most_active = 0
        self._gate = asyncio.Event()
        if not gated:
            self._gate.set()
        self._changed = asyncio.Condition()

    def release(self) -> None:
        """Let every call waiting at the gate (and every later one) through."""
        self._gate.set()

    async def until_active(self, calls: int) -> None:
        """Return once ``calls`` calls are being answered at the same time."""
        async with self._changed:
            await self._changed.wait_for(lambda: self.active >= calls)

    @asynccontextmanager
    async def _answering(self) -> AsyncIterator[None]:
        async with self._changed:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
            self._changed.notify_all()
        try:
            await self._gate.wait()
            await asyncio.sleep(self.delay)
            yield
        finally:
            self.active -= 1

    async def search(self, title: str, year: int | None) -> list[FilmRecord]:
        self.searches.append((title, year))
        async with self._answering():
            return [r for r in self.records if r.title.casefold() == title.casefold() and year in (None, r.year)]

    def is_stale(self, source: str, fetched_at: datetime, now: datetime) -> bool:
        return source == "tmdb" and now - fetched_at > self.max_age

    async def refresh(self, tmdb_id: int) -> FilmRecord | None:
        self.refreshed.append(tmdb_id)
        async with self._answering():
            return next((r for r in self.records if r.ids.tmdb == tmdb_id), None)
