"""Bulk writes: the title index rows of one film (``add_titles``, through the caller's session), and
``BulkLoader``, a dataset importer's driver-level writes of many films, titles, people and credits.

Rows written by an importer carry its ``source``; a film or person that another source owns (the
curated starter catalogue, TMDB) keeps its fields: upserts only update rows of the importer's own
source, and the films the loader lists are its source's. Every transaction bumps the catalogue version
first (db.films.version), so bot processes drop the answers they cached.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any, ClassVar, cast

from sqlalchemy import Column, Table, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from db import checkpoints
from db.engine import Database, upsert_insert
from db.films import version
from db.films.keys import TitleRows
from db.films.records import CreditRecord
from db.models import Credit, Film, FilmTitle, FilmTitlePrefix, FilmTitleWord, Person, TitleVocabulary

FILMS = cast(Table, Film.__table__)
PEOPLE = cast(Table, Person.__table__)
CREDITS = cast(Table, Credit.__table__)
TITLES = cast(Table, FilmTitle.__table__)
TITLE_WORDS = cast(Table, FilmTitleWord.__table__)
TITLE_PREFIXES = cast(Table, FilmTitlePrefix.__table__)
VOCABULARY = cast(Table, TitleVocabulary.__table__)
CATALOGUE = ("films", "people", "credits", "film_titles", "film_title_words", "film_title_prefixes", "title_vocabulary")

IN_CHUNK = 5000  # ids per IN (...) list: well below SQLite's parameter limit
LIST_CHUNK = 50_000  # rows per read when listing a table's ids
SQLITE_IMPORT_CACHE_KIB = 65_536  # page cache of the importing connection: a batch's index pages stay in memory

# Rows, as tuples in these orders (JSON columns as their JSON text):
FilmRow = tuple[str, str, str | None, int | None, int | None, str, float]
"""imdb_id, title, original_title, year, runtime_minutes, genres, popularity"""
TitleRow = tuple[int, str, str, str]
"""film_id, title, folded, kind"""
IndexRow = tuple[str, int, float]
"""word or prefix, film_id, popularity"""
PersonRow = tuple[str, str, str]
"""imdb_id, name, folded"""
CreditRow = tuple[int, int, str, str, str, int | None, str | None]
"""film_id, person_id, department, job, characters, billing, external_ref"""
CrewRow = tuple[int, int, str, str | None]
"""film_id, person_id, job, external_ref"""


async def add_titles(session: AsyncSession, rows: TitleRows) -> None:
    """Add film titles with their index words, word prefixes and vocabulary, skipping known ones.

    ``rows`` (see db.films.keys.title_rows) must not repeat a (film_id, folded).
    """
    if not (rows.titles or rows.words or rows.prefixes):
        return
    await version.bump(session)
    for table, keys, values in (
        (TITLES, ["film_id", "folded"], rows.titles),
        (TITLE_WORDS, ["word", "film_id"], rows.words),
        (VOCABULARY, ["word"], rows.vocabulary),
        (TITLE_PREFIXES, ["prefix", "film_id"], rows.prefixes),
    ):
        if values:
            await session.execute(upsert_insert(session, table).on_conflict_do_nothing(index_elements=keys), values)


def credit_row(
    film_id: int, person_id: int, credit: CreditRecord, *, source: str, fetched_at: datetime
) -> dict[str, Any]:
    """The ``credits`` row of one credit of a film."""
    return {
        "film_id": film_id,
        "person_id": person_id,
        "department": credit.department,
        "job": credit.job,
        "characters": list(credit.characters),
        "billing": credit.billing,
        "external_ref": credit.external_ref,
        "source": source,
        "fetched_at": fetched_at,
    }


class BulkLoader(ABC):
    """One importer's writes on one connection, at the driver level: tuples in, no ORM, no per-row SQLAlchemy
    processing. Open it with ``BulkLoader.open``; write between ``begin`` and ``commit``, which stores a
    checkpoint with the rows. Writes of many rows are one executemany (SQLite) or one statement over arrays
    (PostgreSQL). Rows given to one call must not repeat a key that is updated (films', people's imdb_id;
    a credit's film, person and job).
    """

    backend: ClassVar[str]

    def __init__(self, connection: AsyncConnection, source: str, fetched_at: datetime) -> None:
        self.connection = connection
        self.source = source
        self.fetched_at = fetched_at

    @staticmethod
    @asynccontextmanager
    async def open(db: Database, source: str, fetched_at: datetime) -> AsyncIterator[BulkLoader]:
        """A loader on a connection of its own, for rows of ``source`` fetched at ``fetched_at``."""
        kind: type[BulkLoader] = _PostgresLoader if db.backend == "postgresql" else _SqliteLoader
        async with db.engine.connect() as connection:
            loader = kind(connection, source, fetched_at)
            await loader._setup()
            try:
                yield loader
            finally:
                if connection.in_transaction():
                    await connection.rollback()
                await loader._teardown()

    def _value(self, column: Column[Any], value: Any) -> Any:
        """``value`` as the driver stores it in ``column`` (what SQLAlchemy would bind)."""
        dialect = self.connection.dialect
        process = column.type.dialect_impl(dialect).bind_processor(dialect)
        return process(value) if process else value

    @abstractmethod
    async def _setup(self) -> None:
        """Prepare the connection for bulk writes."""

    @abstractmethod
    async def _teardown(self) -> None:
        """Leave the connection as the pool expects it."""

    async def begin(self) -> None:
        """Start a transaction; its first write bumps the catalogue version."""
        await self.connection.begin()
        await version.bump(self.connection)

    async def commit(self, checkpoint: str, value: dict[str, Any]) -> None:
        """Store the checkpoint ``checkpoint`` = ``value`` with the rows written since ``begin``, and commit."""
        await checkpoints.put(self.connection, checkpoint, value)
        await self.connection.commit()

    async def rollback(self) -> None:
        await self.connection.rollback()

    @abstractmethod
    async def upsert_films(self, rows: Sequence[FilmRow]) -> dict[str, int]:
        """Insert films, or update those of the source with the same imdb_id; the ids of the films of the
        source by imdb_id (films held by another source are left alone and not in the answer).
        """

    @abstractmethod
    async def clear_titles_and_credits(self, film_ids: Sequence[int]) -> None:
        """Delete the titles (with their words and prefixes) of these films and the credits the source gave
        them: a re-import then stores what its files say, not that and what they said before.
        """

    @abstractmethod
    async def add_titles(
        self, titles: Sequence[TitleRow], words: Sequence[IndexRow], prefixes: Sequence[IndexRow]
    ) -> None:
        """Add titles, title words (and the vocabulary) and prefixes, skipping those a film already has."""

    @abstractmethod
    async def upsert_people(self, rows: Sequence[PersonRow]) -> None:
        """Insert people, or update those of the source with the same imdb_id."""

    @abstractmethod
    async def upsert_credits(self, rows: Sequence[CreditRow]) -> None:
        """Insert credits; an existing (film, person, job) takes the new row's fields and source."""

    @abstractmethod
    async def add_crew(self, rows: Sequence[CrewRow], writing_jobs: Iterable[str]) -> None:
        """Insert crew credits where the film has none for that person and job, and "writer" ones only where
        the person has no credit of the film in ``writing_jobs`` either (it says how they wrote it).
        """

    async def films(self) -> AsyncIterator[list[tuple[str, int, float]]]:
        """(imdb_id, id, popularity) of the source's films with an IMDb id, a part at a time."""
        query = select(FILMS.c.imdb_id, FILMS.c.id, FILMS.c.popularity).where(
            FILMS.c.source == self.source, FILMS.c.imdb_id.is_not(None)
        )
        async for part in self._list(query, FILMS.c.id):
            yield part

    async def people(self) -> AsyncIterator[list[tuple[str, int]]]:
        """(imdb_id, id) of every person with an IMDb id, whichever source holds them, a part at a time."""
        query = select(PEOPLE.c.imdb_id, PEOPLE.c.id).where(PEOPLE.c.imdb_id.is_not(None))
        async for part in self._list(query, PEOPLE.c.id):
            yield part

    async def _list(self, query: Any, key: Column[int]) -> AsyncIterator[list[Any]]:
        """The rows of ``query`` in parts of LIST_CHUNK, in order of ``key`` (the row's second column)."""
        after = 0
        while rows := (await self.connection.execute(query.where(key > after).order_by(key).limit(LIST_CHUNK))).all():
            after = rows[-1][1]
            yield [tuple(row) for row in rows]
        await self.connection.rollback()  # a read-only transaction: end it

    async def counts(self) -> tuple[int, int]:
        """How many films and people the source holds."""
        films = await self.connection.scalar(
            select(func.count()).select_from(FILMS).where(FILMS.c.source == self.source)
        )
        people = await self.connection.scalar(
            select(func.count()).select_from(PEOPLE).where(PEOPLE.c.source == self.source)
        )
        await self.connection.rollback()
        return int(films or 0), int(people or 0)

    @abstractmethod
    async def refresh_statistics(self) -> None:
        """Refresh the query planner's statistics of the catalogue tables, so the first query after a bulk
        load is planned as well as the hundredth.
        """


class _SqliteLoader(BulkLoader):
    """executemany on the aiosqlite connection, with a larger page cache while it is open. Constants (the
    source, the fetch time) are SQL literals rendered by SQLAlchemy, so the tuples carry only the rows' own
    values.
    """

    backend = "sqlite"

    async def _setup(self) -> None:
        self._cache = int((await self.connection.exec_driver_sql("PRAGMA cache_size")).scalar_one())
        await self.connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        await self.connection.commit()
        self._source = self._literal(FILMS.c.source, self.source)
        self._fetched = self._literal(FILMS.c.fetched_at, self.fetched_at)

    async def _teardown(self) -> None:
        await self.connection.exec_driver_sql(f"PRAGMA cache_size = {self._cache}")
        await self.connection.commit()

    def _literal(self, column: Column[Any], value: Any) -> str:
        rendered = literal(value, column.type).compile(
            dialect=self.connection.dialect, compile_kwargs={"literal_binds": True}
        )
        return str(rendered)

    async def _many(self, statement: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if rows:
            await self.connection.exec_driver_sql(statement, list(rows))

    async def upsert_films(self, rows: Sequence[FilmRow]) -> dict[str, int]:
        await self._many(
            "INSERT INTO films (imdb_id, title, original_title, year, runtime_minutes, genres, popularity, "
            f"countries, languages, source, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, '[]', '[]', {self._source}, "
            f"{self._fetched}) ON CONFLICT (imdb_id) DO UPDATE SET title = excluded.title, "
            "original_title = excluded.original_title, year = excluded.year, "
            "runtime_minutes = excluded.runtime_minutes, genres = excluded.genres, popularity = excluded.popularity, "
            "fetched_at = excluded.fetched_at WHERE films.source = excluded.source",
            rows,
        )
        found: dict[str, int] = {}
        imdb_ids = [row[0] for row in rows]
        for start in range(0, len(imdb_ids), IN_CHUNK):
            chunk = imdb_ids[start : start + IN_CHUNK]
            result = await self.connection.exec_driver_sql(
                f"SELECT imdb_id, id FROM films WHERE source = {self._source} "
                f"AND imdb_id IN ({', '.join('?' * len(chunk))})",
                tuple(chunk),
            )
            found.update(cast("list[tuple[str, int]]", result.all()))
        return found

    async def clear_titles_and_credits(self, film_ids: Sequence[int]) -> None:
        ids = sorted(film_ids)
        for start in range(0, len(ids), IN_CHUNK):
            chunk = tuple(ids[start : start + IN_CHUNK])
            marks = ", ".join("?" * len(chunk))
            for table in ("film_titles", "film_title_words", "film_title_prefixes"):
                await self.connection.exec_driver_sql(f"DELETE FROM {table} WHERE film_id IN ({marks})", chunk)
            await self.connection.exec_driver_sql(
                f"DELETE FROM credits WHERE film_id IN ({marks}) AND source = {self._source}", chunk
            )

    async def add_titles(
        self, titles: Sequence[TitleRow], words: Sequence[IndexRow], prefixes: Sequence[IndexRow]
    ) -> None:
        await self._many(
            "INSERT INTO film_titles (film_id, title, folded, kind) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (film_id, folded) DO NOTHING",
            titles,
        )
        await self._many(
            "INSERT INTO film_title_words (word, film_id, popularity) VALUES (?, ?, ?) "
            "ON CONFLICT (word, film_id) DO NOTHING",
            words,
        )
        await self._many(
            "INSERT INTO title_vocabulary (word) VALUES (?) ON CONFLICT (word) DO NOTHING",
            [(word,) for word in sorted({row[0] for row in words})],
        )
        await self._many(
            "INSERT INTO film_title_prefixes (prefix, film_id, popularity) VALUES (?, ?, ?) "
            "ON CONFLICT (prefix, film_id) DO NOTHING",
            prefixes,
        )

    async def upsert_people(self, rows: Sequence[PersonRow]) -> None:
        await self._many(
            f"INSERT INTO people (imdb_id, name, folded, source, fetched_at) VALUES (?, ?, ?, {self._source}, "
            f"{self._fetched}) ON CONFLICT (imdb_id) DO UPDATE SET name = excluded.name, folded = excluded.folded, "
            "fetched_at = excluded.fetched_at WHERE people.source = excluded.source",
            rows,
        )

    async def upsert_credits(self, rows: Sequence[CreditRow]) -> None:
        await self._many(
            "INSERT INTO credits (film_id, person_id, department, job, characters, billing, external_ref, source, "
            f"fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, {self._source}, {self._fetched}) "
            "ON CONFLICT (film_id, person_id, job) DO UPDATE SET department = excluded.department, "
            "characters = excluded.characters, billing = excluded.billing, external_ref = excluded.external_ref, "
            "source = excluded.source, fetched_at = excluded.fetched_at",
            rows,
        )

    async def add_crew(self, rows: Sequence[CrewRow], writing_jobs: Iterable[str]) -> None:
        jobs = ", ".join(self._literal(CREDITS.c.job, job) for job in sorted(writing_jobs))
        await self._many(
            "INSERT INTO credits (film_id, person_id, department, job, characters, billing, external_ref, source, "
            f"fetched_at) SELECT ?1, ?2, 'crew', ?3, '[]', NULL, ?4, {self._source}, {self._fetched} "
            "WHERE ?3 <> 'writer' OR NOT EXISTS (SELECT 1 FROM credits WHERE film_id = ?1 AND person_id = ?2 "
            f"AND job IN ({jobs})) ON CONFLICT (film_id, person_id, job) DO NOTHING",
            rows,
        )

    async def refresh_statistics(self) -> None:
        for table in CATALOGUE:
            await self.connection.exec_driver_sql(f"ANALYZE {table}")
        await self.connection.commit()


class _PostgresLoader(BulkLoader):
    """One statement per call over arrays (``unnest``), so a batch is one round trip, RETURNING included."""

    backend = "postgresql"

    async def _setup(self) -> None:
        pass  # nothing to tune: the server's settings hold

    async def _teardown(self) -> None:
        pass

    async def _run(self, statement: str, *parameters: Any) -> Any:
        return await self.connection.exec_driver_sql(statement, parameters)

    @staticmethod
    def _columns(rows: Sequence[tuple[Any, ...]], width: int) -> list[list[Any]]:
        return [list(column) for column in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]

    async def upsert_films(self, rows: Sequence[FilmRow]) -> dict[str, int]:
        if not rows:
            return {}
        result = await self._run(
            "INSERT INTO films (imdb_id, title, original_title, year, runtime_minutes, genres, popularity, "
            "countries, languages, source, fetched_at) "
            "SELECT i, t, o, y, r, g, p, '[]', '[]', $8, $9 FROM unnest($1::varchar[], $2::varchar[], "
            "$3::varchar[], $4::int[], $5::int[], $6::json[], $7::float8[]) AS u(i, t, o, y, r, g, p) "
            "ON CONFLICT (imdb_id) DO UPDATE SET title = excluded.title, original_title = excluded.original_title, "
            "year = excluded.year, runtime_minutes = excluded.runtime_minutes, genres = excluded.genres, "
            "popularity = excluded.popularity, fetched_at = excluded.fetched_at "
            "WHERE films.source = excluded.source RETURNING imdb_id, id",
            *self._columns(rows, 7),
            self.source,
            self._value(FILMS.c.fetched_at, self.fetched_at),
        )
        return dict(cast("list[tuple[str, int]]", result.all()))

    async def clear_titles_and_credits(self, film_ids: Sequence[int]) -> None:
        if not film_ids:
            return
        ids = list(film_ids)
        for table in ("film_titles", "film_title_words", "film_title_prefixes"):
            await self._run(f"DELETE FROM {table} WHERE film_id = ANY($1::int[])", ids)
        await self._run("DELETE FROM credits WHERE film_id = ANY($1::int[]) AND source = $2", ids, self.source)

    async def add_titles(
        self, titles: Sequence[TitleRow], words: Sequence[IndexRow], prefixes: Sequence[IndexRow]
    ) -> None:
        if titles:
            await self._run(
                "INSERT INTO film_titles (film_id, title, folded, kind) "
                "SELECT * FROM unnest($1::int[], $2::varchar[], $3::varchar[], $4::varchar[]) "
                "ON CONFLICT (film_id, folded) DO NOTHING",
                *self._columns(titles, 4),
            )
        for table, key, rows in (("film_title_words", "word", words), ("film_title_prefixes", "prefix", prefixes)):
            if rows:
                await self._run(
                    f"INSERT INTO {table} ({key}, film_id, popularity) "
                    "SELECT * FROM unnest($1::varchar[], $2::int[], $3::float8[]) "
                    f"ON CONFLICT ({key}, film_id) DO NOTHING",
                    *self._columns(rows, 3),
                )
        if words:
            await self._run(
                "INSERT INTO title_vocabulary (word) SELECT * FROM unnest($1::varchar[]) ON CONFLICT (word) DO NOTHING",
                sorted({row[0] for row in words}),
            )

    async def upsert_people(self, rows: Sequence[PersonRow]) -> None:
        if rows:
            await self._run(
                "INSERT INTO people (imdb_id, name, folded, source, fetched_at) "
                "SELECT i, n, f, $4, $5 FROM unnest($1::varchar[], $2::varchar[], $3::varchar[]) AS u(i, n, f) "
                "ON CONFLICT (imdb_id) DO UPDATE SET name = excluded.name, folded = excluded.folded, "
                "fetched_at = excluded.fetched_at WHERE people.source = excluded.source",
                *self._columns(rows, 3),
                self.source,
                self._value(PEOPLE.c.fetched_at, self.fetched_at),
            )

    async def upsert_credits(self, rows: Sequence[CreditRow]) -> None:
        if rows:
            await self._run(
                "INSERT INTO credits (film_id, person_id, department, job, characters, billing, external_ref, "
                "source, fetched_at) SELECT f, p, d, j, c, b, r, $8, $9 FROM unnest($1::int[], $2::int[], "
                "$3::varchar[], $4::varchar[], $5::json[], $6::int[], $7::varchar[]) AS u(f, p, d, j, c, b, r) "
                "ON CONFLICT (film_id, person_id, job) DO UPDATE SET department = excluded.department, "
                "characters = excluded.characters, billing = excluded.billing, "
                "external_ref = excluded.external_ref, source = excluded.source, fetched_at = excluded.fetched_at",
                *self._columns(rows, 7),
                self.source,
                self._value(CREDITS.c.fetched_at, self.fetched_at),
            )

    async def add_crew(self, rows: Sequence[CrewRow], writing_jobs: Iterable[str]) -> None:
        if rows:
            await self._run(
                "INSERT INTO credits (film_id, person_id, department, job, characters, billing, external_ref, "
                "source, fetched_at) SELECT f, p, 'crew', j, '[]', NULL, r, $5, $6 "
                "FROM unnest($1::int[], $2::int[], $3::varchar[], $4::varchar[]) AS u(f, p, j, r) "
                "WHERE j <> 'writer' OR NOT EXISTS (SELECT 1 FROM credits c WHERE c.film_id = u.f "
                "AND c.person_id = u.p AND c.job = ANY($7::varchar[])) "
                "ON CONFLICT (film_id, person_id, job) DO NOTHING",
                *self._columns(rows, 4),
                self.source,
                self._value(CREDITS.c.fetched_at, self.fetched_at),
                sorted(writing_jobs),
            )

    async def refresh_statistics(self) -> None:
        await self.connection.exec_driver_sql(f"ANALYZE {', '.join(CATALOGUE)}")
        await self.connection.commit()
