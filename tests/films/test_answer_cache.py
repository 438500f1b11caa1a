"""Answers the catalogue keeps: given again without loading anything, dropped as soon as any process
changes the catalogue (on every back end)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event

from db import Database
from db.films import repository as repo
from db.films.records import CreditRecord, ExternalIds, FilmRecord, PersonRecord
from db.models import Base
from services.errors import NotFound
from services.films.cache import AnswerCache, catalogue_written, one_version_per_task
from services.films.catalogue import FilmCatalogue
from services.films.starter import STARTER_FILE, parse_starter
from tests.films.lookups import film_id

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
PORTMAN = PersonRecord("Rachel Portman", ExternalIds(imdb="nm0006231"), slug="rachel-portman")
EMMA = FilmRecord("Emma", "tmdb", 1996, ids=ExternalIds(imdb="tt0116191"), credits=(CreditRecord(PORTMAN, "composer"),))


def starter_record(slug: str) -> FilmRecord:
    catalogue = parse_starter(json.loads(STARTER_FILE.read_text(encoding="utf-8")))
    return next(record for record in catalogue.films if record.slug == slug)


@dataclass
class Activity:
    statements: list[str] = field(default_factory=list)
    loaded: list[object] = field(default_factory=list)  # ORM objects built from rows


@contextmanager
def watching(db: Database) -> Iterator[Activity]:
    """Record the SQL ``db`` runs and the ORM objects any session loads meanwhile."""
    seen = Activity()

    def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
        seen.statements.append(sql)

    def load(target: object, context: Any) -> None:
        seen.loaded.append(target)

    event.listen(db.engine.sync_engine, "before_cursor_execute", statement)
    event.listen(Base, "load", load, propagate=True)
    try:
        yield seen
    finally:
        event.remove(Base, "load", load)
        event.remove(db.engine.sync_engine, "before_cursor_execute", statement)


@pytest.fixture
async def other_process(database_url: str) -> AsyncIterator[Database]:
    """The same database through an engine of its own, as another bot process or `filmclub import` has."""
    database = Database(database_url)
    yield database
    await database.dispose()


async def store(db: Database, *records: FilmRecord) -> None:
    async with db.transaction() as session:
        for record in records:
            await repo.upsert_film(session, record, now=NOW)


async def test_a_kept_answer_is_given_again_after_one_version_read(db: Database, catalogue: FilmCatalogue) -> None:
    never = await film_id(catalogue, "Never Let Me Go")
    asked = (
        lambda: catalogue.details(never),
        lambda: catalogue.score(never),
        lambda: catalogue.cast(never, "kathy"),
        lambda: catalogue.person("Carey Mulligan"),
        lambda: catalogue.autocomplete("never l"),
        lambda: catalogue.autocomplete(""),
    )
    first = [await ask() for ask in asked]
    for ask, answer in zip(asked, first, strict=True):
        with watching(db) as seen:
            assert await ask() == answer
        assert seen.loaded == []
        assert len(seen.statements) == 1, seen.statements
        assert "catalogue_version" in seen.statements[0]


async def test_an_interaction_reads_the_version_once_and_then_sees_its_own_changes(
    db: Database, catalogue: FilmCatalogue, other_process: Database
) -> None:
    """A command's film option and its answer are made at one catalogue version, read once; another process's
    change shows in the next interaction, and this one's own (an online lookup stored) in its next answer."""
    never = await film_id(catalogue, "Never Let Me Go")
    await catalogue.details(never)
    await catalogue.score(never)

    async def interaction() -> None:
        one_version_per_task()
        with watching(db) as seen:
            found = await catalogue.find(f"film:{never}")
            assert (await catalogue.details(found.id)).film == found
            await catalogue.score(never)
        assert len(seen.statements) == 1, seen.statements  # the version, once
        await store(other_process, EMMA)  # another process changes the catalogue meanwhile
        with watching(db) as seen:
            await catalogue.details(never)
        assert seen.statements == []  # still this interaction's version
        catalogue_written()  # as after this interaction stored what an online lookup found
        with watching(db) as seen:
            await catalogue.details(never)
        assert "catalogue_version" in seen.statements[0]
        assert len(seen.statements) > 1  # the kept answers were made at an older version: loaded again

    await asyncio.create_task(interaction())
    with watching(db) as seen:  # not an interaction's task: the version is read every time
        await catalogue.details(never)
        await catalogue.details(never)
    assert [("catalogue_version" in sql) for sql in seen.statements] == [True, True]


async def test_details_and_score_load_no_orm_objects_even_the_first_time(
    db: Database, catalogue: FilmCatalogue
) -> None:
    never = await film_id(catalogue, "Never Let Me Go")
    with watching(db) as seen:
        await catalogue.score(never)
        await catalogue.details(never)
    assert seen.loaded == []
    # A version read each; the film, its alternate titles, credits and music; the composers' other films.
    assert len(seen.statements) == (1 + 4 + 1) + (1 + 4), seen.statements


async def test_a_write_by_another_process_is_seen_at_once(
    db: Database, catalogue: FilmCatalogue, other_process: Database
) -> None:
    never = await film_id(catalogue, "Never Let Me Go")
    details, score = await catalogue.details(never), await catalogue.score(never)
    mulligan = await catalogue.person("Carey Mulligan")
    assert "Emma (1996)" not in [film.label for film in score.composers[0].other_films]
    assert "Emma (1996)" not in [c.name for c in await catalogue.autocomplete("emma")]

    longer = replace(starter_record("never-let-me-go-2010"), runtime_minutes=details.runtime_minutes + 1)
    await store(other_process, longer, EMMA)

    assert (await catalogue.details(never)).runtime_minutes == details.runtime_minutes + 1
    assert "Emma (1996)" in [film.label for film in (await catalogue.score(never)).composers[0].other_films]
    assert "Emma (1996)" in [c.name for c in await catalogue.autocomplete("emma")]
    assert await catalogue.person("Carey Mulligan") == mulligan  # made again, the same


async def test_a_film_another_process_removed_is_gone(
    db: Database, catalogue: FilmCatalogue, other_process: Database
) -> None:
    await store(db, EMMA)
    emma = await film_id(catalogue, "Emma")
    await catalogue.details(emma)
    async with other_process.transaction() as session:
        await repo.delete_films_of_source(session, "tmdb", keep_slugs=[])
    with pytest.raises(NotFound, match="no longer in the catalogue"):
        await catalogue.details(emma)


# The cache itself.


def test_the_least_recently_used_answer_goes_first() -> None:
    cache: AnswerCache[int, str] = AnswerCache(2)
    assert cache.get(1, 10) is None
    cache.put(1, 10, "ten")
    cache.put(1, 20, "twenty")
    assert cache.get(1, 10) == "ten"
    cache.put(1, 30, "thirty")
    assert (cache.get(1, 10), cache.get(1, 20), cache.get(1, 30)) == ("ten", None, "thirty")
    assert len(cache) == 2


def test_another_version_empties_the_cache() -> None:
    cache: AnswerCache[int, str] = AnswerCache(10)
    cache.get(1, 10)
    cache.put(1, 10, "ten")
    assert cache.get(2, 10) is None
    assert len(cache) == 0
    assert cache.get(1, 10) is None  # back to an older version (a restored database): nothing kept is given


def test_an_answer_made_at_a_version_the_cache_has_left_is_not_kept() -> None:
    cache: AnswerCache[int, str] = AnswerCache(10)
    cache.get(1, 10)  # a caller read version 1 and makes its answer...
    cache.get(2, 10)  # ...meanwhile another read version 2
    cache.put(1, 10, "stale")
    assert cache.get(2, 10) is None
