"""The catalogue's online side: looking unknown titles up at an online source (TMDB), refreshing the films it
supplied once they are stale, and storing what it answers.

No member waits on another's lookup: identical requests under way at the same time share one call (a title
by its folded text and year, a refresh by film id), and different ones run side by side, at most
``concurrency`` calls to the source at once. Stores are short and run one at a time in this process; one
that clashes with another bot process's store is tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from sqlalchemy.exc import IntegrityError

from db import Database
from db.films import repository as repo
from db.films.keys import fold
from db.films.records import FilmRecord
from services.clock import Clock
from services.errors import NotFound
from services.films import search
from services.films.cache import Coalesced, catalogue_written
from services.films.query import parse_query

log = logging.getLogger(__name__)

CONCURRENCY = 4  # calls to the online source at once, unless configured otherwise


class FilmLookup(Protocol):
    """An online source (e.g. TMDB): asked when a title is not in the local catalogue, and for fresh
    copies of the films it supplied once they are older than it allows."""

    async def search(self, title: str, year: int | None) -> list[FilmRecord]: ...

    def is_stale(self, source: str, fetched_at: datetime, now: datetime) -> bool: ...

    async def refresh(self, tmdb_id: int) -> FilmRecord | None: ...


class OnlineFilms:
    """Finds films at the online ``source`` for the catalogue and stores them in ``db``."""

    def __init__(self, db: Database, source: FilmLookup, *, clock: Clock, concurrency: int = CONCURRENCY) -> None:
        self.db = db
        self.source = source
        self.clock = clock
        self._turns = asyncio.Semaphore(concurrency)
        self._searches: Coalesced[tuple[str, int | None], None] = Coalesced()
        self._refreshes: Coalesced[int, None] = Coalesced()
        self._storing = asyncio.Lock()

    async def look_up(self, text: str) -> None:
        """Search the source for the title ``text`` names (with its year, if given) and store what it finds."""
        title, year = parse_query(text)
        await self._searches.run((fold(title), year), lambda: self._search(text, title, year))
        catalogue_written()  # what was stored is in this interaction's next answer

    async def refresh_if_stale(self, film_id: int) -> None:
        """Replace a film the source supplied with its current copy once it is too old."""
        if await self._stale_tmdb_id(film_id) is not None:
            await self._refreshes.run(film_id, lambda: self._refresh(film_id))
            catalogue_written()

    async def _search(self, text: str, title: str, year: int | None) -> None:
        async with self._turns:
            with contextlib.suppress(NotFound):
                async with self.db.transaction() as session:
                    await search.find_locally(session, text)
                return  # another lookup stored it while this one waited for its turn
            try:
                records = await self.source.search(title, year)
            except Exception:
                log.warning("online film lookup failed for %r", text, exc_info=True)
                return
        await self._store(records)

    async def _refresh(self, film_id: int) -> None:
        async with self._turns:
            if (tmdb_id := await self._stale_tmdb_id(film_id)) is None:
                return  # refreshed while this call waited for its turn
            try:
                record = await self.source.refresh(tmdb_id)
            except Exception:
                log.warning("online refresh of film %d failed; keeping the stored copy", film_id, exc_info=True)
                return
        await self._store([record] if record is not None else [])

    async def _stale_tmdb_id(self, film_id: int) -> int | None:
        async with self.db.transaction() as session:
            film = await repo.film_by_id(session, film_id)
        now = self.clock.now()
        if film is None or film.tmdb_id is None or not self.source.is_stale(film.source, film.fetched_at, now):
            return None
        return film.tmdb_id

    async def _store(self, records: Sequence[FilmRecord], attempts: int = 2) -> None:
        """Store what the source answered, in one transaction.

        Stores in this process take turns, so they never clash with each other. Another bot process sharing
        the database may store the same film (or person) at the same moment; whichever commits second hits
        a unique constraint. Its rows are then committed and visible, so the store is tried again (it now
        updates them); if that fails too the stored copy is what there is.
        """
        if not records:
            return
        async with self._storing:
            for attempt in range(1, attempts + 1):
                try:
                    async with self.db.transaction() as session:
                        for record in records:
                            await repo.upsert_film(session, record, now=self.clock.now())
                    return
                except IntegrityError:
                    if attempt == attempts:
                        log.warning("another process kept storing %s; using its copy", records[0].title, exc_info=True)
                    else:
                        log.info("another process stored %s at the same time; storing again", records[0].title)
