"""The catalogue service on the starter data, on every back end: resolution, cast, score, people."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update

from db import Database
from db.films import repository as repo
from db.films.records import BasedOn, CreditRecord, ExternalIds, FilmRecord, PersonRecord
from db.models import Film, FilmTitle, Person
from services.errors import NotFound
from services.films.catalogue import FilmCatalogue
from services.films.values import Ambiguous
from tests.clock import FakeClock
from tests.films.fake_online import FakeTMDB
from tests.films.lookups import film_id, resolve

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


async def add(db: Database, *records: FilmRecord) -> None:
    async with db.transaction() as session:
        for record in records:
            await repo.upsert_film(session, record, now=NOW)


def film(title: str, year: int, popularity: float, imdb: str, **fields: object) -> FilmRecord:
    ids = ExternalIds(imdb=imdb)
    return FilmRecord(title=title, year=year, popularity=popularity, ids=ids, source="tmdb", **fields)  # type: ignore[arg-type]


# Never Let Me Go, as the users of the issue asked about it.


@pytest.mark.parametrize(
    "query", ["Never Let Me Go", "never let me go 2010", "Never Let Me Go (2010)", "nevr let me go", "NEVER LET ME GO"]
)
async def test_never_let_me_go_resolves_however_it_is_typed(catalogue: FilmCatalogue, query: str) -> None:
    details = await resolve(catalogue, query)
    assert details.film.label == "Never Let Me Go (2010)"


async def test_who_played_ruth(catalogue: FilmCatalogue) -> None:
    answer = await catalogue.cast(await film_id(catalogue, "Never Let Me Go"), "Ruth")
    played = {member.name: member.characters for member in answer.cast}
    assert "Keira Knightley" in played
    assert next(iter(played)) == "Keira Knightley"  # billing order: the adult part first


async def test_who_played_kathy_includes_the_young_kathy(catalogue: FilmCatalogue) -> None:
    answer = await catalogue.cast(await film_id(catalogue, "Never Let Me Go"), "kathy")
    names = [member.name for member in answer.cast]
    assert names[:2] == ["Carey Mulligan", "Isobel Meikle-Small"]
    assert answer.source == "starter catalogue"


async def test_a_misspelt_character_still_matches(catalogue: FilmCatalogue) -> None:
    answer = await catalogue.cast(await film_id(catalogue, "Never Let Me Go"), "Kathie")
    assert "Carey Mulligan" in [member.name for member in answer.cast]


async def test_an_unknown_character_says_who_is_in_it(catalogue: FilmCatalogue) -> None:
    with pytest.raises(NotFound, match=r'Nobody plays "Gandalf" in Never Let Me Go \(2010\).*Kathy'):
        await catalogue.cast(await film_id(catalogue, "Never Let Me Go"), "Gandalf")


async def test_details_director_composer_and_source_novel(catalogue: FilmCatalogue) -> None:
    details = await resolve(catalogue, "Never Let Me Go")
    assert details.directors == ("Mark Romanek",)
    assert details.composers == ("Rachel Portman",)
    assert details.based_on is not None
    assert (details.based_on.author, details.based_on.kind, details.based_on.year) == ("Kazuo Ishiguro", "novel", 2005)
    assert details.cast[0].name == "Carey Mulligan"
    assert details.source == "starter catalogue"


async def test_score_names_the_composer(catalogue: FilmCatalogue) -> None:
    answer = await catalogue.score(await film_id(catalogue, "Never Let Me Go"))
    assert [composer.name for composer in answer.composers] == ["Rachel Portman"]


async def test_score_lists_the_composers_other_films(db: Database, catalogue: FilmCatalogue) -> None:
    portman = PersonRecord("Rachel Portman", ExternalIds(imdb="nm0006231"), slug="rachel-portman")
    await add(db, film("Emma", 1996, 40, "tt0116191", credits=(CreditRecord(portman, "composer"),)))
    answer = await catalogue.score(await film_id(catalogue, "Never Let Me Go"))
    assert "Emma (1996)" in [f.label for f in answer.composers[0].other_films]
    assert "Never Let Me Go (2010)" not in [f.label for f in answer.composers[0].other_films]


async def test_let_me_go_autocompletes_never_let_me_go(catalogue: FilmCatalogue) -> None:
    for typed in ("let me go", "let me g", "never let", "Never", "nevr let me go"):
        choices = await catalogue.autocomplete(typed)
        assert "Never Let Me Go (2010)" in [c.name for c in choices[:3]], typed


async def test_autocomplete_values_resolve_to_the_same_film(catalogue: FilmCatalogue) -> None:
    choice = (await catalogue.autocomplete("never let me go"))[0]
    assert choice.value.startswith("film:")
    assert (await resolve(catalogue, choice.value)).film.label == choice.name


async def test_autocomplete_on_an_empty_box_offers_popular_films(catalogue: FilmCatalogue) -> None:
    choices = await catalogue.autocomplete("")
    assert 0 < len(choices) <= 25
    assert all(len(c.name) <= 100 for c in choices)


async def test_person_filmography_by_role(catalogue: FilmCatalogue) -> None:
    answer = await catalogue.person("carey mulligan")
    roles = dict(answer.filmography)
    assert ("Never Let Me Go (2010)", ("Kathy",)) in [(r.film.label, r.characters) for r in roles["actor"]]
    assert (await catalogue.person("Rachel Portman")).filmography[0][0] == "composer"
    assert (await catalogue.person("Mulligan")).name == "Carey Mulligan"
    assert (await catalogue.person("Carrey Mulligan")).name == "Carey Mulligan"


async def test_unknown_person_suggests_close_names(catalogue: FilmCatalogue) -> None:
    with pytest.raises(NotFound, match="I don't know anyone called"):
        await catalogue.person("Zbigniew Qwerty")


# Titles in general.


async def test_unknown_title_suggests_the_closest(catalogue: FilmCatalogue) -> None:
    suggestion = r"I don't know a film called \"Never Let Me Know\"\. Did you mean: Never Let Me Go"
    with pytest.raises(NotFound, match=suggestion):
        await resolve(catalogue, "Never Let Me Know")
    with pytest.raises(NotFound, match="I don't know a film called"):
        await resolve(catalogue, "Qqqxz Zzyzx")


async def test_remakes_are_told_apart_by_year(db: Database, catalogue: FilmCatalogue) -> None:
    await add(db, film("Suspiria", 1977, 50, "tt0076786"), film("Suspiria", 2018, 40, "tt1034415"))
    assert (await resolve(catalogue, "Suspiria (1977)")).film.year == 1977
    assert (await resolve(catalogue, "suspiria 2018")).film.year == 2018
    assert (await resolve(catalogue, "Suspiria, 2019")).film.year == 2018  # a year out is forgiven
    with pytest.raises(Ambiguous, match=r"Suspiria \(1977\), Suspiria \(2018\)") as raised:
        await resolve(catalogue, "suspiria")
    assert [c.year for c in raised.value.choices] == [1977, 2018]
    with pytest.raises(NotFound, match="only as"):
        await resolve(catalogue, "Suspiria (1990)")


async def test_a_much_more_popular_film_wins_without_a_year(db: Database, catalogue: FilmCatalogue) -> None:
    await add(db, film("Suspiria", 1977, 60, "tt0076786"), film("Suspiria", 2018, 20, "tt1034415"))
    assert (await resolve(catalogue, "Suspiria")).film.year == 1977


async def test_titles_with_years_in_them(db: Database, catalogue: FilmCatalogue) -> None:
    await add(
        db,
        film("1917", 2019, 60, "tt8579674"),
        film("Blade Runner 2049", 2017, 60, "tt1856101"),
        film("2001: A Space Odyssey", 1968, 70, "tt0062622"),
        film("Airport 1975", 1974, 10, "tt0071110"),
        film("Airport", 1970, 15, "tt0065377"),
    )
    assert (await resolve(catalogue, "1917")).film.year == 2019
    assert (await resolve(catalogue, "1917 (2019)")).film.year == 2019
    assert (await resolve(catalogue, "blade runner 2049")).film.title == "Blade Runner 2049"
    assert (await resolve(catalogue, "2001: a space odyssey")).film.year == 1968
    assert (await resolve(catalogue, "Airport 1975")).film.title == "Airport 1975"
    assert (await resolve(catalogue, "Airport (1970)")).film.title == "Airport"


async def test_articles_accents_and_alternate_titles(db: Database, catalogue: FilmCatalogue) -> None:
    await add(
        db,
        film(
            "Amélie",
            2001,
            75,
            "tt0211915",
            original_title="Le Fabuleux Destin d'Amélie Poulain",
            alternate_titles=("The Fabulous Destiny of Amélie Poulain",),
        ),
        film("Schindler's List", 1993, 80, "tt0108052"),
        film("A", 1998, 5, "tt0000001"),
    )
    assert (await resolve(catalogue, "amelie")).film.title == "Amélie"
    assert (await resolve(catalogue, "Fabuleux destin d'Amelie Poulain")).film.title == "Amélie"
    assert (await resolve(catalogue, "fabulous destiny of amelie poulain")).film.title == "Amélie"
    assert (await resolve(catalogue, "schindlers list")).film.year == 1993
    assert (await resolve(catalogue, "A")).film.year == 1998
    assert "Amélie (2001)" in [c.name for c in await catalogue.autocomplete("the fabulous")]


async def test_films_from_tmdb_are_refreshed_once_stale(db: Database) -> None:
    old = FilmRecord(title="Paterson", year=2016, source="tmdb", ids=ExternalIds(tmdb=370755), runtime_minutes=100)
    await add(db, old)
    async with db.transaction() as session:  # fetched long ago
        await session.execute(update(Film).values(fetched_at=NOW - timedelta(days=90)))
    new = replace(old, runtime_minutes=118)
    online = FakeTMDB(new)
    details = await resolve(FilmCatalogue(db, clock=FakeClock(), online=online), "Paterson")
    assert online.refreshed == [370755]
    assert details.runtime_minutes == 118
    await resolve(FilmCatalogue(db, clock=FakeClock(), online=online), "Paterson")
    assert online.refreshed == [370755], "a fresh copy is not fetched again"


async def test_unknown_titles_are_looked_up_online_and_stored(db: Database, catalogue: FilmCatalogue) -> None:
    online = FakeTMDB(film("Paterson", 2016, 30, "tt5247022"))
    with_online = FilmCatalogue(db, clock=FakeClock(), online=online)
    assert (await resolve(with_online, "Paterson (2016)")).film.source == "TMDB"
    assert online.searches == [("Paterson", 2016)]
    assert (await resolve(catalogue, "Paterson")).film.year == 2016  # stored: no second lookup needed
    assert (await resolve(with_online, "Paterson")).film.year == 2016
    assert len(online.searches) == 1
    with pytest.raises(NotFound):
        await resolve(with_online, "Nothing Like It")
    assert online.searches[-1] == ("Nothing Like It", None)


PATERSON = FilmRecord(
    title="Paterson",
    year=2016,
    source="tmdb",
    ids=ExternalIds(tmdb=370755, imdb="tt5247022"),
    alternate_titles=("Paterson (film)",),
    credits=(CreditRecord(PersonRecord("Adam Driver", ExternalIds(tmdb=1023139)), "actor", ("Paterson",), 0),),
)


async def test_two_members_asking_for_the_same_unknown_film_at_once_both_get_it(db: Database) -> None:
    online = FakeTMDB(PATERSON, delay=0.1)
    catalogue = FilmCatalogue(db, clock=FakeClock(), online=online)
    first, second = await asyncio.gather(catalogue.find("Paterson"), catalogue.find("paterson 2016"))
    assert first == second
    assert first.source == "TMDB"


async def test_bot_processes_storing_the_same_film_at_once_both_get_it(db: Database, database_url: str) -> None:
    processes = [Database(database_url) for _ in range(2)]  # each its own engine, lock and catalogue
    try:
        found = await asyncio.gather(
            *(
                FilmCatalogue(database, clock=FakeClock(), online=FakeTMDB(PATERSON, delay=0.1)).find("Paterson")
                for database in processes
            )
        )
    finally:
        for database in processes:
            await database.dispose()
    assert found[0] == found[1]
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Film)) == 1
        assert await session.scalar(select(func.count()).select_from(Person)) == 1


async def test_a_stale_film_asked_for_twice_at_once_is_refreshed_without_error(db: Database) -> None:
    await add(db, PATERSON)
    async with db.transaction() as session:  # fetched long ago
        await session.execute(update(Film).values(fetched_at=NOW - timedelta(days=90)))
    online = FakeTMDB(replace(PATERSON, runtime_minutes=118), delay=0.1)
    catalogue = FilmCatalogue(db, clock=FakeClock(), online=online)
    await asyncio.gather(catalogue.find("Paterson"), catalogue.find("Paterson"))
    assert (await resolve(catalogue, "Paterson")).runtime_minutes == 118
    assert online.refreshed == [370755], "the second caller finds the copy the first one fetched"


async def test_known_titles_are_not_looked_up_online(db: Database, catalogue: FilmCatalogue) -> None:
    online = FakeTMDB()
    await resolve(FilmCatalogue(db, clock=FakeClock(), online=online), "never let me go")
    assert online.searches == []


# Text longer than the columns: PostgreSQL refuses it, so it is cut where rows are made.

LONG_TITLE = ("Rock & Roll, Élan & Ça " * 27)[:600]  # folding spells out "&" and gets longer still
LONG_NAME = "Maria " + "Ñandú-Åberg & " * 40  # far beyond people.name
LONG_AUTHOR = "Author & Co " * 40


async def test_a_600_character_title_and_a_very_long_name_are_stored_and_found(db: Database) -> None:
    person = PersonRecord(LONG_NAME, ExternalIds(tmdb=99))
    record = FilmRecord(
        title=LONG_TITLE,
        original_title=LONG_TITLE.upper(),
        alternate_titles=("The " + LONG_TITLE,),
        source="tmdb",
        year=2001,
        ids=ExternalIds(tmdb=12),
        based_on=BasedOn(LONG_TITLE, LONG_AUTHOR, "novel"),
        credits=(CreditRecord(person, "actor", ("Someone",), 0),),
    )
    await add(db, record)
    await add(db, record)  # and again: the stored person is the one the record names
    catalogue = FilmCatalogue(db, clock=FakeClock())
    found = await resolve(catalogue, LONG_TITLE)  # the query folds the way the stored key was made
    assert found.film.year == 2001
    assert len(found.film.title) <= 500
    assert [len(member.name) for member in found.cast] == [300]
    assert (await catalogue.person(LONG_NAME)).name == found.cast[0].name
    async with db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        assert await session.scalar(select(func.max(func.length(FilmTitle.folded)))) == 500
        assert await session.scalar(select(func.max(func.length(FilmTitle.title)))) == 500
