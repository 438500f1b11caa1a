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
from services.films.values import Ambiguous, AmbiguousPerson, UnknownFilm, UnknownPerson
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


@pytest.mark.parametrize(
    ("film", "typed", "credited"),
    [
        ("Never Let Me Go", "KATHY", "Kathy"),
        ("Never Let Me Go", "kathie", "Kathy"),
        ("Never Let Me Go", "young kathy", "Young Kathy"),
        ("The Godfather", "vito", "Don Vito Corleone"),
    ],
)
async def test_the_answer_names_the_part_as_the_film_credits_it(
    catalogue: FilmCatalogue, film: str, typed: str, credited: str
) -> None:
    assert (await catalogue.cast(await film_id(catalogue, film), typed)).character == credited


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


@pytest.mark.parametrize(
    ("name", "job", "film"),
    [
        ("Kazuo Ishiguro", "novel", "Never Let Me Go (2010)"),
        ("Frank Herbert", "novel", "Dune (2021)"),
        ("Stanisław Lem", "novel", "Solaris (1972)"),
        ("stanislaw lem", "novel", "Solaris (2002)"),
        ("Boris Strugatsky", "novel", "Stalker (1979)"),  # "Arkady and Boris Strugatsky" are two people
        ("Murray Burnett", "writer", "Casablanca (1942)"),  # a play's authors are its writers
        ("Brian Eno", "music", "Dune (1984)"),
        ("Azumi Inoue", "music", "My Neighbor Totoro (1988)"),
    ],
)
async def test_source_authors_and_performers_are_people(
    catalogue: FilmCatalogue, name: str, job: str, film: str
) -> None:
    """Named only in a film's source work or its other music, they are credited like anyone, so found the same way
    (TMDB and IMDb credit a novel's authors as "novel" too)."""
    roles = dict((await catalogue.person(name)).filmography)
    assert film in [role.film.label for role in roles[job]]


@pytest.mark.parametrize(
    ("name", "some"),
    [
        ("Robert", ["Robert Duvall (The Godfather, 1972)", "Robert Shaw (Jaws, 1975)"]),
        ("Lee", ["Lee Van Cleef (The Good, the Bad and the Ugly, 1966)", "Lee Sun-kyun (Parasite, 2019)"]),
        ("Strugatsky", ["Arkady Strugatsky (Stalker, 1979)", "Boris Strugatsky (Stalker, 1979)"]),
    ],
)
async def test_a_name_several_people_have_is_asked_back(catalogue: FilmCatalogue, name: str, some: list[str]) -> None:
    with pytest.raises(AmbiguousPerson, match=f'"{name}" could be several people: ') as raised:
        await catalogue.person(name)
    labels = [person.label for person in raised.value.choices]
    assert set(some) <= set(labels)
    assert [person.value for person in raised.value.choices] == [f"person:{p.id}" for p in raised.value.choices]
    found = await catalogue.person(raised.value.choices[0].value)  # what the picker asks for
    assert found.name == raised.value.choices[0].name


async def test_namesakes_are_told_apart_by_a_film(db: Database) -> None:
    smith = [PersonRecord("John Smith", ExternalIds(tmdb=number)) for number in (1, 2)]
    await add(
        db,
        film("Alpha", 2001, 50, "tt0000101", credits=(CreditRecord(smith[0], "actor", ("Al",), 0),)),
        film("Beta", 2002, 40, "tt0000102", credits=(CreditRecord(smith[1], "composer"),)),
    )
    with pytest.raises(AmbiguousPerson) as raised:
        await FilmCatalogue(db, clock=FakeClock()).person("john smith")
    assert [person.label for person in raised.value.choices] == ["John Smith (Alpha, 2001)", "John Smith (Beta, 2002)"]


async def test_one_person_a_name_fits_is_answered(catalogue: FilmCatalogue) -> None:
    assert (await catalogue.person("Kubrick")).name == "Stanley Kubrick"  # a later word of the name
    assert (await catalogue.person("nick cave")).name == "Nick Cave and the Bad Seeds"  # the start of the name
    assert (await catalogue.person("Bryan Eno")).name == "Brian Eno"  # nearly spelt
    with pytest.raises(UnknownPerson, match="Did you mean: Kazuo Ishiguro") as raised:
        await catalogue.person("Ishigro")
    assert [person.name for person in raised.value.choices] == ["Kazuo Ishiguro"]


async def test_unknown_person_suggests_close_names(catalogue: FilmCatalogue) -> None:
    with pytest.raises(NotFound, match="I don't know anyone called"):
        await catalogue.person("Zbigniew Qwerty")


# Titles in general.


async def test_unknown_title_suggests_the_closest(catalogue: FilmCatalogue) -> None:
    suggestion = r"I don't know a film called \"Never Let Me Know\"\. Did you mean: Never Let Me Go"
    with pytest.raises(NotFound, match=suggestion):
        await resolve(catalogue, "Never Let Me Know")


@pytest.mark.parametrize("query", ["The Matrix", "Blade Runner", "Qqqxz Zzyzx"])
async def test_a_title_with_nothing_close_gets_popular_suggestions(catalogue: FilmCatalogue, query: str) -> None:
    with pytest.raises(
        UnknownFilm, match=f'"{query}". Nothing I know is close; popular films here include: '
    ) as raised:
        await catalogue.find(query)
    assert "The Godfather (1972)" in [film.label for film in raised.value.choices]


@pytest.mark.parametrize(
    ("query", "known"),
    [
        ("Mulholland Drive", "Drive (2011)"),
        ("Star Wars: The Last Jedi", "Star Wars (1977)"),
        ("Parasite Eve", "Parasite (2019)"),
        ("Portrait of a Lady", "Portrait of a Lady on Fire (2019)"),  # a different film (1996)
        ("Everything Everywhere", "Everything Everywhere All at Once (2022)"),
    ],
)
async def test_a_title_inside_a_longer_or_shorter_one_is_suggested_not_answered(
    catalogue: FilmCatalogue, query: str, known: str
) -> None:
    with pytest.raises(UnknownFilm) as raised:
        await catalogue.find(query)
    assert known in [film.label for film in raised.value.choices]


async def test_a_word_some_title_has_is_not_taken_for_a_typo(catalogue: FilmCatalogue) -> None:
    with pytest.raises(UnknownFilm):  # "The Driver" (1978) is another film; Taxi Driver has the word
        await catalogue.find("Driver")
    assert (await catalogue.find("the godfahter")).label == "The Godfather (1972)"  # no title has "godfahter"
    assert (await catalogue.find("in the mood of love")).label == "In the Mood for Love (2000)"  # short words slip
    with pytest.raises(UnknownFilm) as raised:  # "Chocolate" (2008) is another film, not a typo of Chocolat
        await catalogue.find("Chocolate")
    assert [film.label for film in raised.value.choices] == ["Chocolat (2000)"]
    with pytest.raises(UnknownFilm) as raised:  # nothing has every word: the films with some of them
        await catalogue.find("Jaws of Death")
    assert "Jaws (1975)" in [film.label for film in raised.value.choices]


@pytest.mark.parametrize(
    ("query", "original"),
    [
        ("The Godfather Part II", "The Godfather (1972)"),
        ("Godfather 2", "The Godfather (1972)"),
        ("Toy Story 2", "Toy Story (1995)"),
        ("Toy Story 3", "Toy Story (1995)"),
        ("Dune Part Two", "Dune (2021)"),
        ("Jaws 2", "Jaws (1975)"),
        ("Psycho II", "Psycho (1960)"),
        ("Solaris 2", "Solaris (1972)"),
    ],
)
async def test_a_sequel_is_not_answered_with_the_original(catalogue: FilmCatalogue, query: str, original: str) -> None:
    with pytest.raises(UnknownFilm) as raised:
        await catalogue.find(query)
    assert original in [film.label for film in raised.value.choices]


async def test_sequel_numbers_match_however_they_are_written(db: Database, catalogue: FilmCatalogue) -> None:
    await add(
        db,
        film("The Godfather Part II", 1974, 80, "tt0071562"),
        film("Dune: Part Two", 2024, 80, "tt15239678"),
        film("Blade Runner 2049", 2017, 60, "tt1856101"),
        film("Kill Bill: Vol. 1", 2003, 70, "tt0266697"),
    )
    for query in ("Godfather 2", "godfather part two", "The Godfather: Part 2", "Godfather II"):
        assert (await catalogue.find(query)).label == "The Godfather Part II (1974)", query
    for query in ("Dune Part 2", "dune part two", "Dune II"):
        assert (await catalogue.find(query)).label == "Dune: Part Two (2024)", query
    for query in ("Godfather Part I", "The Godfather 1", "Toy Story 1"):  # the first of a series has no number
        assert (await catalogue.find(query)).year in (1972, 1995), query
    assert (await catalogue.find("7 Samurai")).label == "Seven Samurai (1954)"
    assert (await catalogue.find("Dune Part One")).label == "Dune (2021)"
    for query, suggested in [("Blade Runner", "Blade Runner 2049 (2017)"), ("Kill Bill", "Kill Bill: Vol. 1 (2003)")]:
        with pytest.raises(UnknownFilm) as raised:  # a number the title has is never assumed
            await catalogue.find(query)
        assert suggested in [film.label for film in raised.value.choices]
    with pytest.raises(Ambiguous, match=r"Dune \(2021\), Dune \(1984\)"):
        await catalogue.find("Dune")


async def test_a_year_next_to_the_films_is_answered_with_the_year_asked(catalogue: FilmCatalogue) -> None:
    found = await catalogue.find("Never Let Me Go 2011")
    assert (found.label, found.asked_year) == ("Never Let Me Go (2010)", 2011)
    assert (await catalogue.find("nevr let me go (2009)")).asked_year == 2009
    assert (await catalogue.find("Never Let Me Go 2010")).asked_year is None
    assert (await catalogue.find("Never Let Me Go")).asked_year is None
    with pytest.raises(UnknownFilm, match=r"only as Never Let Me Go \(2010\), not from 1999"):
        await catalogue.find("Never Let Me Go 1999")


async def test_remakes_are_told_apart_by_year(db: Database, catalogue: FilmCatalogue) -> None:
    await add(db, film("Suspiria", 1977, 50, "tt0076786"), film("Suspiria", 2018, 40, "tt1034415"))
    assert (await resolve(catalogue, "Suspiria (1977)")).film.year == 1977
    assert (await resolve(catalogue, "suspiria 2018")).film.year == 2018
    forgiven = await catalogue.find("Suspiria, 2019")  # a year out is forgiven, and said
    assert (forgiven.year, forgiven.asked_year) == (2018, 2019)
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


@pytest.mark.parametrize("value", ["film:99999999999999999999", "film:2147483648"])
async def test_an_id_no_film_can_have_is_text_not_an_id(catalogue: FilmCatalogue, value: str) -> None:
    """Too big for SQLite's integers or PostgreSQL's ids: it used to reach the database and fail there."""
    with pytest.raises(NotFound, match=f'I don\'t know a film called "{value}"'):
        await catalogue.find(value)
    with pytest.raises(NotFound, match="I don't know anyone called"):
        await catalogue.person(value.replace("film:", "person:"))


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


async def test_a_known_film_inside_the_title_does_not_hide_the_film_online(
    db: Database, catalogue: FilmCatalogue
) -> None:
    """The online source is asked only after a local "not found": a confident wrong local answer (Drive) hid
    Mulholland Drive, which only the year used to reach."""
    online = FakeTMDB(film("Mulholland Drive", 2001, 40, "tt0166924"), film("Toy Story 2", 1999, 60, "tt0120363"))
    with_online = FilmCatalogue(db, clock=FakeClock(), online=online)
    assert (await with_online.find("Mulholland Drive")).label == "Mulholland Drive (2001)"
    assert (await with_online.find("Toy Story 2")).label == "Toy Story 2 (1999)"
    assert online.searches == [("Mulholland Drive", None), ("Toy Story 2", None)]
    assert (await with_online.find("Drive")).label == "Drive (2011)"
    assert (await with_online.find("Toy Story")).label == "Toy Story (1995)"


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
