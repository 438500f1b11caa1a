"""The catalogue repository: upserting source records and finding films by key, word and id."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from db import Database
from db.films import repository as repo
from db.films.records import BasedOn, CreditRecord, ExternalIds, FilmRecord, MusicRecord, PersonRecord
from db.models import Credit, Film, FilmMusic, FilmTitle, Person

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

MULLIGAN = PersonRecord("Carey Mulligan", ExternalIds(imdb="nm1659547"), slug="carey-mulligan")
KNIGHTLEY = PersonRecord("Keira Knightley", ExternalIds(imdb="nm0461136"), slug="keira-knightley")
PORTMAN = PersonRecord("Rachel Portman", ExternalIds(tmdb=1402), slug="rachel-portman")


def never_let_me_go(**changes: object) -> FilmRecord:
    fields: dict[str, object] = {
        "title": "Never Let Me Go",
        "source": "starter",
        "year": 2010,
        "alternate_titles": ("Nunca me abandones",),
        "based_on": BasedOn("Never Let Me Go", "Kazuo Ishiguro", "novel", 2005),
        "ids": ExternalIds(imdb="tt1334260"),
        "slug": "never-let-me-go-2010",
        "popularity": 60.0,
        "credits": (
            CreditRecord(MULLIGAN, "actor", ("Kathy",), 0),
            CreditRecord(KNIGHTLEY, "actor", ("Ruth",), 2),
            CreditRecord(PORTMAN, "composer"),
        ),
        "music": (MusicRecord("Never Let Me Go", "Jane Monheit"),),
    }
    fields.update(changes)
    return FilmRecord(**fields)  # type: ignore[arg-type]


async def count(db: Database, model: type) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_upsert_twice_updates_in_place(db: Database) -> None:
    async with db.transaction() as session:
        first = await repo.upsert_film(session, never_let_me_go(), now=NOW)
    async with db.transaction() as session:
        again = await repo.upsert_film(
            session,
            never_let_me_go(
                ids=ExternalIds(tmdb=42188),
                credits=(CreditRecord(MULLIGAN, "actor", ("Kathy H.",), 0),),
                music=(),
            ),
            now=NOW,
        )
    assert again.id == first.id
    assert again.imdb_id == "tt1334260"
    assert again.tmdb_id == 42188
    assert await count(db, Film) == 1
    assert await count(db, Credit) == 1
    assert await count(db, FilmMusic) == 0
    assert await count(db, Person) == 3  # people outlive their credits
    async with db.transaction() as session:
        credit = (await session.scalars(select(Credit))).one()
        assert credit.characters == ["Kathy H."]
        assert credit.source == "starter"
        titles = {(t.folded, t.kind) for t in await session.scalars(select(FilmTitle))}
    assert titles == {("never let me go", "primary"), ("nunca me abandones", "alternate")}


async def test_a_lower_ranked_source_adds_identifiers_but_never_overwrites_curated_facts(db: Database) -> None:
    async with db.transaction() as session:
        curated = await repo.upsert_film(session, never_let_me_go(ids=ExternalIds(imdb="tt1334260")), now=NOW)
    async with db.transaction() as session:
        refreshed = await repo.upsert_film(
            session,
            never_let_me_go(
                source="tmdb",
                title="Never Let Me Go (TMDB)",
                ids=ExternalIds(imdb="tt1334260", tmdb=42188),
                poster_path="/poster.jpg",
                credits=(CreditRecord(MULLIGAN, "actor", ("Kathy H.",), 0),),
                music=(),
            ),
            now=NOW,
        )
    assert refreshed.id == curated.id
    assert (refreshed.source, refreshed.title) == ("starter", "Never Let Me Go")
    assert (refreshed.tmdb_id, refreshed.poster_path) == (42188, "/poster.jpg")
    assert await count(db, Credit) == 3
    assert await count(db, FilmMusic) == 1
    assert repo.outranks("starter", "tmdb")
    assert repo.outranks("tmdb", "imdb")
    assert not repo.outranks("imdb", "starter")


async def test_duplicate_cast_entries_merge_characters(db: Database) -> None:
    record = never_let_me_go(
        credits=(CreditRecord(MULLIGAN, "actor", ("Kathy",), 3), CreditRecord(MULLIGAN, "actor", ("Narrator",), 1))
    )
    async with db.transaction() as session:
        await repo.upsert_film(session, record, now=NOW)
    async with db.transaction() as session:
        credit = (await session.scalars(select(Credit))).one()
    assert credit.characters == ["Kathy", "Narrator"]
    assert credit.billing == 1
