"""The catalogue version: every catalogue write bumps it, in the writer's own transaction, on every back end."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from db import Database
from db.films import bulk, version
from db.films import repository as repo
from db.films.keys import index_title, title_rows
from db.films.records import CreditRecord, ExternalIds, FilmRecord, PersonRecord

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
    "bulk.upsert_films": lambda session, film, person: bulk.upsert_films(
        session,
        [{"imdb_id": "tt0000002", "title": "Le clown", "source": "imdb", "fetched_at": NOW}],
        source="imdb",
    ),
    "bulk.upsert_people": lambda session, film, person: bulk.upsert_people(
        session,
        [{"imdb_id": "nm3485845", "name": "A. Driver", "folded": "a driver", "source": "imdb", "fetched_at": NOW}],
        source="imdb",
    ),
    "bulk.upsert_credits": lambda session, film, person: bulk.upsert_credits(
        session,
        [bulk.credit_row(film, person, CreditRecord(DRIVER, "director"), source="imdb", fetched_at=NOW)],
        replace=True,
    ),
    "bulk.add_titles": lambda session, film, person: bulk.add_titles(
        session, title_rows(film, [index_title("Paterson, New Jersey", "alternate")])
    ),
    "bulk.set_popularity": lambda session, film, person: bulk.set_popularity(
        session, {"tt5247022": 42.0}, source="imdb"
    ),
    "bulk.clear_titles_and_credits": lambda session, film, person: bulk.clear_titles_and_credits(
        session, [film], source="imdb"
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
        people = await bulk.person_ids(session, ["nm3485845"])
    return film.id, people["nm3485845"]


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
async def test_every_catalogue_write_bumps_the_version(db: Database, paterson: tuple[int, int], write: Write) -> None:
    before = await current(db)
    async with db.transaction() as session:
        await write(session, *paterson)
    assert await current(db) > before


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
