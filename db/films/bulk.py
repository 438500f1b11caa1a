"""Bulk writes for dataset importers: Core upserts by external id, executemany, no ORM unit of work.

Rows written by an importer carry its ``source``; a film or person that another source owns (the
curated starter catalogue, TMDB) keeps its fields: upserts only update rows of the importer's own
source, and id look-ups for attaching titles and credits only return films of that source.
Every function takes the caller's session (one unit of work) and none commits; every write bumps the
catalogue version first (db.films.version), so bot processes drop the answers they cached.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from db.engine import upsert_insert
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

LOOKUP_CHUNK = 5000  # ids per IN (...) list: well below SQLite's and asyncpg's parameter limits

Rows = Sequence[Mapping[str, Any]]


def _chunks(items: Sequence[Any], size: int = LOOKUP_CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


async def upsert_films(session: AsyncSession, rows: Rows, *, source: str) -> dict[str, int]:
    """Insert films or update those of ``source`` with the same ``imdb_id`` (popularity too); their ids by IMDb id.

    Films held by another source are left alone and are not in the answer. ``rows`` must not repeat an imdb_id.
    """
    if not rows:
        return {}
    await version.bump(session)
    insert = upsert_insert(session, FILMS)
    fields = ("title", "original_title", "year", "runtime_minutes", "genres", "popularity", "fetched_at")
    statement = insert.on_conflict_do_update(
        index_elements=["imdb_id"],
        set_={name: insert.excluded[name] for name in fields},
        where=FILMS.c.source == source,
    ).returning(FILMS.c.imdb_id, FILMS.c.id)
    result = await session.execute(statement, list(rows))
    return dict(result.all())


async def upsert_people(session: AsyncSession, rows: Rows, *, source: str) -> None:
    """Insert people or update those of ``source`` with the same ``imdb_id`` (``rows`` must not repeat one)."""
    if not rows:
        return
    await version.bump(session)
    insert = upsert_insert(session, PEOPLE)
    statement = insert.on_conflict_do_update(
        index_elements=["imdb_id"],
        set_={name: insert.excluded[name] for name in ("name", "folded", "fetched_at")},
        where=PEOPLE.c.source == source,
    )
    await session.execute(statement, list(rows))


async def clear_titles_and_credits(session: AsyncSession, film_ids_: Iterable[int], *, source: str) -> None:
    """Delete the titles (with their words and prefixes) of these films of ``source``, and the credits
    ``source`` gave them: a re-import then stores what its files say, not that and what they said before.
    """
    ids = sorted(set(film_ids_))
    if not ids:
        return
    await version.bump(session)
    for chunk in _chunks(ids):
        for table in (TITLES, TITLE_WORDS, TITLE_PREFIXES):
            await session.execute(delete(table).where(table.c.film_id.in_(chunk)))
        await session.execute(delete(CREDITS).where(CREDITS.c.film_id.in_(chunk), CREDITS.c.source == source))


async def film_ids(session: AsyncSession, imdb_ids: Iterable[str], *, source: str) -> dict[str, int]:
    """The ids of the films of ``source`` with these IMDb ids."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(imdb_ids))):
        query = select(FILMS.c.imdb_id, FILMS.c.id).where(FILMS.c.imdb_id.in_(chunk), FILMS.c.source == source)
        found.update((await session.execute(query)).all())
    return found


async def person_ids(session: AsyncSession, imdb_ids: Iterable[str]) -> dict[str, int]:
    """The ids of the people with these IMDb ids, whichever source holds them."""
    found: dict[str, int] = {}
    for chunk in _chunks(sorted(set(imdb_ids))):
        query = select(PEOPLE.c.imdb_id, PEOPLE.c.id).where(PEOPLE.c.imdb_id.in_(chunk))
        found.update((await session.execute(query)).all())
    return found


async def credit_keys(session: AsyncSession, film_ids_: Iterable[int]) -> set[tuple[int, int, str]]:
    """(film_id, person_id, job) of every credit of these films."""
    found: set[tuple[int, int, str]] = set()
    for chunk in _chunks(sorted(set(film_ids_))):
        query = select(CREDITS.c.film_id, CREDITS.c.person_id, CREDITS.c.job).where(CREDITS.c.film_id.in_(chunk))
        found.update((await session.execute(query)).all())
    return found


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


async def upsert_credits(session: AsyncSession, rows: Rows, *, replace: bool) -> None:
    """Insert credits; an existing (film, person, job) is updated when ``replace``, else kept.

    ``rows`` must not repeat a (film_id, person_id, job).
    """
    if not rows:
        return
    await version.bump(session)
    insert = upsert_insert(session, CREDITS)
    keys = ["film_id", "person_id", "job"]
    fields = ("department", "characters", "billing", "external_ref", "source", "fetched_at")
    statement = (
        insert.on_conflict_do_update(index_elements=keys, set_={name: insert.excluded[name] for name in fields})
        if replace
        else insert.on_conflict_do_nothing(index_elements=keys)
    )
    await session.execute(statement, list(rows))


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


async def set_popularity(session: AsyncSession, popularity: Mapping[str, float], *, source: str) -> None:
    """Set the popularity of the films of ``source`` by IMDb id, and of their title words and prefixes."""
    if not popularity:
        return
    await version.bump(session)
    params = [{"key": k, "value": v} for k, v in popularity.items()]
    film = select(FILMS.c.id).where(FILMS.c.imdb_id == bindparam("key"), FILMS.c.source == source).scalar_subquery()
    for table in (TITLE_WORDS, TITLE_PREFIXES):
        await session.execute(
            update(table).where(table.c.film_id == film).values(popularity=bindparam("value")), params
        )
    statement = (
        update(FILMS)
        .where(FILMS.c.imdb_id == bindparam("key"), FILMS.c.source == source)
        .values(popularity=bindparam("value"))
    )
    await session.execute(statement, params)


async def source_counts(session: AsyncSession, source: str) -> tuple[int, int]:
    """How many films and people ``source`` holds."""
    films = await session.scalar(select(func.count()).select_from(FILMS).where(FILMS.c.source == source))
    people = await session.scalar(select(func.count()).select_from(PEOPLE).where(PEOPLE.c.source == source))
    return int(films or 0), int(people or 0)
