"""The catalogue version: every catalogue write bumps it, in the writer's own transaction, on every back end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db import Database
from db.films import bulk, version
from db.films import repository as repo
from db.films.bulk import BulkLoader
from db.films.keys import index_title, title_rows
from db.films.records import CreditRecord, ExternalIds, FilmRecord, PersonRecord
from db.models import Person

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)
DRIVER = PersonRecord("Adam Driver", ExternalIds(imdb="nm3485845"))
PATERSON = FilmRecord(
    "Paterson", "imdb", 2016, ids=ExternalIds(imdb="tt5247022"), credits=(CreditRecord(DRIVER, "actor"),)
)
Write = Callable[[AsyncSession, int, int], Awaitable[object]]  # (session, film id, person id)

WRITES: dict[str, Write] = {
    "repository.upsert_film": lambda session, film, person: repo.upsert_film(session, PATERSON, now=NOW),
    "repository.delete_films_of_source": lambda session, film, person: repo.delete_films_of_source(
        session, "imdb", keep_slugs=[]
    ),
    "bulk.add_titles": lambda session, film, person: bulk.add_titles(
        session, title_rows(film, [index_title("Paterson, New Jersey", "alternate")])
    ),
}


async def current(db: Database) -> int:
    async with db.transaction() as session:
        return await version.current(session)


@pytest.fixture
async def paterson(db: Database) -> tuple[int, int]:
    """Paterson and Adam Driver stored; their ids."""
    async with db.transaction() as session:
        film = await repo.upsert_film(session, PATERSON, now=NOW)
        person = await session.scalar(select(Person.id).where(Person.imdb_id == "nm3485845"))
    assert person is not None
    return film.id, person


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_every_catalogue_write_bumps_the_version(db: Database, paterson: tuple[int, int], write: Write) -> None:
    before = await current(db)
    async with db.transaction() as session:
        await write(session, *paterson)
    assert await current(db) > before


LoaderWrite = Callable[[BulkLoader, int, int], Awaitable[object]]  # (loader, film id, person id)

LOADER_WRITES: dict[str, LoaderWrite] = {
    "upsert_films": lambda loader, film, person: loader.upsert_films(
        [("tt0000002", "Le clown", None, None, None, "[]", 0.0)]
    ),
    "upsert_people": lambda loader, film, person: loader.upsert_people([("nm3485845", "A. Driver", "a driver")]),
    "upsert_credits": lambda loader, film, person: loader.upsert_credits(
        [(film, person, "crew", "director", "[]", None, None)]
    ),
    "add_crew": lambda loader, film, person: loader.add_crew([(film, person, "writer", None)], ["writer"]),
    "add_titles": lambda loader, film, person: loader.add_titles(
        [(film, "Paterson, NJ", "paterson nj", "alternate")], [("nj", film, 0.0)], [("n", film, 0.0)]
    ),
    "clear_titles_and_credits": lambda loader, film, person: loader.clear_titles_and_credits([film]),
}


@pytest.mark.parametrize("write", LOADER_WRITES.values(), ids=LOADER_WRITES.keys())
async def test_every_bulk_loader_transaction_bumps_the_version(
    db: Database, paterson: tuple[int, int], write: LoaderWrite
) -> None:
    before = await current(db)
    async with BulkLoader.open(db, "imdb", NOW) as loader:
        await loader.begin()
        await write(loader, *paterson)
        await loader.commit("test", {"done": True})
    assert await current(db) > before

    async with BulkLoader.open(db, "imdb", NOW) as loader:
        await loader.begin()
        await write(loader, *paterson)
        await loader.rollback()
    async with BulkLoader.open(db, "imdb", NOW) as loader:
        await loader.begin()
        await write(loader, *paterson)  # left open: the loader rolls it back when it closes
    assert await current(db) == before + 1


async def test_a_write_that_rolls_back_leaves_the_version(db: Database, paterson: tuple[int, int]) -> None:
    before = await current(db)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await repo.upsert_film(session, PATERSON, now=NOW)
            raise RuntimeError("the unit of work fails")
    assert await current(db) == before


async def test_an_empty_catalogue_is_at_version_zero(db: Database) -> None:
    assert await current(db) == 0
    async with db.transaction() as session:
        await version.bump(session)
        await version.bump(session)
    assert await current(db) == 2
