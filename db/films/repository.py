"""The film catalogue repository: store source records, and find films and people by key, word and id.

Every function takes the caller's session (one unit of work); none commits. Writes bump the catalogue
version first (db.films.version), so bot processes drop the answers they cached.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from db.films import bulk, version
from db.films.keys import NAME_LENGTH, TITLE_LENGTH, clip, fold, index_title, title_rows
from db.films.records import ExternalIds, FilmRecord, PersonRecord, merged_credits
from db.models import Credit, Film, FilmMusic, FilmTitle, FilmTitlePrefix, FilmTitleWord, Person, TitleVocabulary

# Appended to a prefix, the upper bound of a range scan over bytewise-ordered keys.
PREFIX_END = "\uffff"
DRIVER_SCAN = 2_000  # index entries read for the rarest query word, at most; word frequencies are counted up to it

Row = TypeVar("Row", Film, Person)
COMPLETION_WINDOW = 300  # names a person autocomplete looks at, whatever the catalogue's size


def _id_filters(model: type[Film] | type[Person], ids: ExternalIds, slug: str | None) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if ids.imdb:
        filters.append(model.imdb_id == ids.imdb)
    if ids.tmdb is not None:
        filters.append(model.tmdb_id == ids.tmdb)
    if ids.wikidata:
        filters.append(model.wikidata_id == ids.wikidata)
    if slug:
        filters.append(model.slug == slug)
    return filters


IDENTIFIER_KINDS = 4  # IMDb, TMDB, Wikidata, slug

# Which source's facts win when two describe the same film or person: the curated starter file,
# then TMDB, then IMDb's bulk datasets. A source never overwrites the facts of a higher one.
SOURCE_RANK = {"starter": 3, "tmdb": 2, "imdb": 1}


def outranks(source: str, existing: str) -> bool:
    """Whether facts from ``source`` may replace facts that came from ``existing``."""
    return SOURCE_RANK.get(source, 0) >= SOURCE_RANK.get(existing, 0)


def _rank_by_ids(row: Film | Person, ids: ExternalIds, slug: str | None) -> int:
    """Which identifier matched: IMDb first, then TMDB, Wikidata, slug (lower is stronger)."""
    checks = (
        ids.imdb and row.imdb_id == ids.imdb,
        ids.tmdb is not None and row.tmdb_id == ids.tmdb,
        ids.wikidata and row.wikidata_id == ids.wikidata,
        slug and row.slug == slug,
    )
    return next((i for i, hit in enumerate(checks) if hit), IDENTIFIER_KINDS)


def _unclaimed(others: Iterable[Film | Person], ids: ExternalIds, slug: str | None) -> tuple[ExternalIds, str | None]:
    """The record's identifiers minus any that ``others`` already hold (unique columns stay consistent)."""
    others = list(others)
    taken_imdb = {o.imdb_id for o in others}
    taken_tmdb = {o.tmdb_id for o in others}
    taken_wikidata = {o.wikidata_id for o in others}
    taken_slug = {o.slug for o in others}
    return (
        ExternalIds(
            wikidata=ids.wikidata if ids.wikidata not in taken_wikidata else None,
            imdb=ids.imdb if ids.imdb not in taken_imdb else None,
            tmdb=ids.tmdb if ids.tmdb not in taken_tmdb else None,
        ),
        slug if slug not in taken_slug else None,
    )


async def _free_ids(
    session: AsyncSession, model: type[Row], row: Row, ids: ExternalIds, slug: str | None
) -> tuple[ExternalIds, str | None]:
    """The record's identifiers minus any another row already holds."""
    filters = _id_filters(model, ids, slug)
    others = (await session.scalars(select(model).where(or_(*filters), model.id != row.id))).all() if filters else []
    return _unclaimed(others, ids, slug)


def _apply_ids(row: Film | Person, ids: ExternalIds, slug: str | None) -> None:
    """Add identifiers the record knows; identifiers it does not know are kept."""
    row.imdb_id = ids.imdb or row.imdb_id
    row.tmdb_id = ids.tmdb if ids.tmdb is not None else row.tmdb_id
    row.wikidata_id = ids.wikidata or row.wikidata_id
    row.slug = slug or row.slug


async def _find_film(session: AsyncSession, record: FilmRecord) -> Film | None:
    filters = _id_filters(Film, record.ids, record.slug)
    if not filters:
        return None
    found = (await session.scalars(select(Film).where(or_(*filters)))).all()
    return min(found, key=lambda film: _rank_by_ids(film, record.ids, record.slug), default=None)


def _holds(person: Person, record: PersonRecord) -> bool:
    """Whether ``person`` is the one ``record`` names: by an identifier, or by exact name when it has none."""
    if _id_filters(Person, record.ids, record.slug):
        return _rank_by_ids(person, record.ids, record.slug) < IDENTIFIER_KINDS
    return person.name == clip(record.name, NAME_LENGTH)


async def _upsert_people(
    session: AsyncSession, records: Sequence[PersonRecord], source: str, now: datetime
) -> dict[PersonRecord, Person]:
    """Match each person by external id or slug (by exact name only when it has neither), else create.

    One query loads every row that could match or clash; matching then happens in memory, in record
    order, so two records naming the same person in one batch resolve to one row.
    """
    unique = list(dict.fromkeys(records))
    if not unique:
        return {}
    conditions = [
        column.in_(values)
        for column, values in (
            (Person.imdb_id, {r.ids.imdb for r in unique if r.ids.imdb}),
            (Person.tmdb_id, {r.ids.tmdb for r in unique if r.ids.tmdb is not None}),
            (Person.wikidata_id, {r.ids.wikidata for r in unique if r.ids.wikidata}),
            (Person.slug, {r.slug for r in unique if r.slug}),
            (Person.name, {clip(r.name, NAME_LENGTH) for r in unique if not _id_filters(Person, r.ids, r.slug)}),
        )
        if values
    ]
    pool = list((await session.scalars(select(Person).where(or_(*conditions)).order_by(Person.id))).all())
    people: dict[PersonRecord, Person] = {}
    for record in unique:
        matches = [person for person in pool if _holds(person, record)]
        person = min(matches, key=lambda p: _rank_by_ids(p, record.ids, record.slug), default=None)
        if person is None:
            person = Person(
                name=clip(record.name, NAME_LENGTH), folded=fold(record.name), source=source, fetched_at=now
            )
            session.add(person)
            pool.append(person)
        ids, slug = _unclaimed((other for other in pool if other is not person), record.ids, record.slug)
        _apply_ids(person, ids, slug)
        if outranks(source, person.source):
            person.name = clip(record.name, NAME_LENGTH)
            person.folded = fold(record.name)
            person.source = source
            person.fetched_at = now
        people[record] = person
    await session.flush()
    return people


async def delete_films_of_source(session: AsyncSession, source: str, *, keep_slugs: Sequence[str]) -> None:
    """Remove the films ``source`` supplied whose slug is not in ``keep_slugs`` (titles and credits go with them)."""
    await version.bump(session)
    await session.execute(delete(Film).where(Film.source == source, Film.slug.not_in(keep_slugs)))


async def upsert_film(session: AsyncSession, record: FilmRecord, *, now: datetime) -> Film:
    """Store ``record``: update the film it identifies (by IMDb, TMDB or Wikidata id, or slug) or add it.

    The film's titles, credits and music are replaced by the record's; people are matched by their
    own identifiers. Every row written carries the record's source and the current time. A film
    whose facts came from a higher-ranked source (see SOURCE_RANK) keeps them: the record only adds
    identifiers and a poster it lacked. ``now`` is when the source supplied it.
    """
    await version.bump(session)
    film = await _find_film(session, record)
    if film is None:
        film = Film(title=clip(record.title, TITLE_LENGTH), source=record.source, fetched_at=now)
        # No film holds any of these ids (_find_film looked), so the insert carries them: a film another
        # process stores meanwhile then clashes on a unique id instead of leaving an id-less twin here.
        _apply_ids(film, record.ids, record.slug)
        session.add(film)
        await session.flush()
    ids, slug = await _free_ids(session, Film, film, record.ids, record.slug)
    _apply_ids(film, ids, slug)
    if not outranks(record.source, film.source):
        film.poster_path = film.poster_path or record.poster_path
        await session.flush()
        return film
    film.title = clip(record.title, TITLE_LENGTH)
    film.original_title = clip(record.original_title, TITLE_LENGTH)
    film.year = record.year
    film.runtime_minutes = record.runtime_minutes
    film.genres = list(record.genres)
    film.countries = list(record.countries)
    film.languages = list(record.languages)
    film.synopsis = record.synopsis
    based_on = record.based_on
    film.based_on_title = clip(based_on.title, TITLE_LENGTH) if based_on else None
    film.based_on_author = clip(based_on.author, NAME_LENGTH) if based_on else None
    film.based_on_kind = based_on.kind if based_on else None
    film.based_on_year = based_on.year if based_on else None
    film.popularity = record.popularity
    film.poster_path = record.poster_path
    film.source = record.source
    film.fetched_at = now

    for model in (FilmTitle, FilmTitleWord, FilmTitlePrefix, Credit, FilmMusic):
        await session.execute(delete(model).where(model.film_id == film.id))

    named = [(record.title, "primary"), (record.original_title, "original")]
    named += [(alternate, "alternate") for alternate in record.alternate_titles]
    indexed = [index_title(title, kind) for title, kind in named if title]
    await bulk.add_titles(session, title_rows(film.id, indexed, film.popularity))

    credits = merged_credits(record.credits)
    people = await _upsert_people(session, [credit.person for credit in credits], record.source, now)
    session.add_all(
        Credit(**bulk.credit_row(film.id, people[c.person].id, c, source=record.source, fetched_at=now))
        for c in credits
    )
    session.add_all(
        FilmMusic(
            film_id=film.id,
            piece=music.piece,
            performer=music.performer,
            note=music.note,
            source=record.source,
            fetched_at=now,
        )
        for music in record.music
    )
    await session.flush()
    session.expire(film, ["titles", "credits", "music"])
    return film


# Finding films. Searches return ``TitleHit`` rows (one per matching title of a film), cheap to rank.


class TitleHit(NamedTuple):
    film_id: int
    matched: str  # the title that matched (primary, original or alternate)
    kind: str
    folded: str
    title: str  # the film's primary title
    year: int | None
    popularity: float
    source: str


def _hits() -> Select[int, str, str, str, str, int | None, float, str]:
    return select(
        FilmTitle.film_id,
        FilmTitle.title,
        FilmTitle.kind,
        FilmTitle.folded,
        Film.title,
        Film.year,
        Film.popularity,
        Film.source,
    ).join(Film, Film.id == FilmTitle.film_id)


# The lookups made at every keystroke are built once, with bound parameters: building a statement costs more
# than running one of these, and SQLAlchemy reuses the compiled form of a statement it has seen.
_LIMIT: BindParameter[int] = bindparam("limit", type_=Integer)
_SCAN: BindParameter[int] = bindparam("scan", type_=Integer)
_BY_KEY = _hits().where(FilmTitle.folded == bindparam("key")).order_by(Film.popularity.desc(), Film.id).limit(_LIMIT)
_OF_FILMS = _hits().where(FilmTitle.film_id.in_(bindparam("ids", expanding=True)))
_KNOWN_WORDS = select(TitleVocabulary.word).where(TitleVocabulary.word.in_(bindparam("words", expanding=True)))
_VOCABULARY_PREFIX = (
    select(TitleVocabulary.word)
    .where(TitleVocabulary.word >= bindparam("low"), TitleVocabulary.word < bindparam("high"))
    .order_by(TitleVocabulary.word)
    .limit(_LIMIT)
)


async def titles_by_key(session: AsyncSession, key: str, limit: int = 50) -> list[TitleHit]:
    """Titles whose key is exactly ``key`` (see db.films.keys.title_key), most popular film first."""
    rows = await session.execute(_BY_KEY, {"key": key, "limit": limit})
    return [TitleHit._make(row) for row in rows]


async def titles_by_keys(session: AsyncSession, keys: Iterable[str], limit: int = 200) -> list[TitleHit]:
    """Titles whose key is any of ``keys`` (one indexed lookup for many candidate spans), most popular first."""
    wanted = sorted(set(keys))
    if not wanted:
        return []
    query = _hits().where(FilmTitle.folded.in_(wanted)).order_by(Film.popularity.desc(), Film.id).limit(limit)
    return [TitleHit._make(row) for row in await session.execute(query)]


async def popular_titles(session: AsyncSession, limit: int = 25) -> list[TitleHit]:
    """The primary titles of the most popular films (what an empty search box offers)."""
    query = _hits().where(FilmTitle.kind == "primary").order_by(Film.popularity.desc(), Film.id).limit(limit)
    return [TitleHit._make(row) for row in await session.execute(query)]


async def titles_of_films(session: AsyncSession, film_ids: Iterable[int]) -> list[TitleHit]:
    """Every title of the given films."""
    ids = sorted(set(film_ids))
    if not ids:
        return []
    return [TitleHit._make(row) for row in await session.execute(_OF_FILMS, {"ids": ids})]


class WordGroup(NamedTuple):
    """What one query word may match: any of these whole title words, or any of these indexed prefixes."""

    words: frozenset[str] = frozenset()
    prefixes: frozenset[str] = frozenset()  # at most PREFIX_LENGTH letters each


# Statements for word lookups are built once per shape (how many terms of each kind the groups have) and bound
# per call: terms as term0, term1..., the groups' words and prefixes as words0, prefixes0...
STATEMENTS_KEPT = 256


class _Shape(NamedTuple):
    """What a group's part of a statement looks like: how many words and prefixes it has."""

    words: int
    prefixes: int

    @staticmethod
    def of(group: WordGroup) -> _Shape:
        return _Shape(len(group.words), len(group.prefixes))


def _params(groups: Sequence[WordGroup]) -> dict[str, list[str]]:
    params: dict[str, list[str]] = {}
    for index, group in enumerate(groups):
        if group.words:
            params[f"words{index}"] = sorted(group.words)
        if group.prefixes:
            params[f"prefixes{index}"] = sorted(group.prefixes)
    return params


def _listed(name: str) -> BindParameter[str]:
    """A bound list of terms, for ``IN``."""
    return bindparam(name, expanding=True)


def _has(index: int, shape: _Shape, film_id: ColumnElement[int]) -> ColumnElement[bool]:
    """The film has a title word of group ``index``: primary-key lookups, a handful per candidate film."""
    words_, prefixes_ = aliased(FilmTitleWord), aliased(FilmTitlePrefix)
    conditions: list[ColumnElement[bool]] = []
    if shape.words:
        conditions.append(exists().where(words_.film_id == film_id, words_.word.in_(_listed(f"words{index}"))))
    if shape.prefixes:
        prefixes = _listed(f"prefixes{index}")
        conditions.append(exists().where(prefixes_.film_id == film_id, prefixes_.prefix.in_(prefixes)))
    return or_(*conditions)


def _matches(index: int, shape: _Shape) -> Select[int]:
    parts = []
    if shape.words:
        parts.append(select(FilmTitleWord.film_id).where(FilmTitleWord.word.in_(_listed(f"words{index}"))))
    if shape.prefixes:
        prefixes = _listed(f"prefixes{index}")
        parts.append(select(FilmTitlePrefix.film_id).where(FilmTitlePrefix.prefix.in_(prefixes)))
    return parts[0] if len(parts) == 1 else select(union_all(*parts).subquery().c.film_id)


@lru_cache(maxsize=STATEMENTS_KEPT)
def _estimates_statement(shapes: tuple[_Shape, ...]) -> Select[Any]:
    counts = [
        select(func.count()).select_from(_matches(index, shape).limit(DRIVER_SCAN).subquery()).scalar_subquery()
        for index, shape in enumerate(shapes)
    ]
    return select(*counts)


async def _estimates(session: AsyncSession, groups: Sequence[WordGroup]) -> list[int]:
    """How many films each group matches, counted up to DRIVER_SCAN (beyond it every driver costs the same).

    One query, index-only counts.
    """
    statement = _estimates_statement(tuple(_Shape.of(group) for group in groups))
    row = (await session.execute(statement, _params(groups))).one()
    return [int(count) for count in row]


@lru_cache(maxsize=STATEMENTS_KEPT)
def _films_with_words_statement(driver: _Shape, others: tuple[_Shape, ...]) -> Select[tuple[int]]:
    parts = []
    for n in range(driver.words + driver.prefixes):
        table = FilmTitleWord if n < driver.words else FilmTitlePrefix
        column = FilmTitleWord.word if n < driver.words else FilmTitlePrefix.prefix
        scanned = (
            select(table.film_id, table.popularity)
            .where(column == bindparam(f"term{n}"))
            .order_by(table.popularity.desc())
            .limit(_SCAN)
            .subquery()
        )
        has = (_has(index, shape, scanned.c.film_id) for index, shape in enumerate(others))
        part = select(scanned.c.film_id, scanned.c.popularity).where(*has).limit(_LIMIT)
        parts.append(select(part.subquery()))
    found = union_all(*parts).subquery()
    return (
        select(found.c.film_id)
        .group_by(found.c.film_id)
        .order_by(func.max(found.c.popularity).desc(), found.c.film_id)
        .limit(_LIMIT)
    )


class _WordLookup(NamedTuple):
    """A films_with_words lookup ready to run: its statement's shape and its parameters."""

    driver: _Shape
    others: tuple[_Shape, ...]
    params: dict[str, Any]


async def _word_lookup(session: AsyncSession, groups: Sequence[WordGroup]) -> _WordLookup | None:
    """Choose the driving group (the one matching fewest films; see films_with_words) and bind the lookup."""
    groups = [group for group in groups if group.words or group.prefixes]
    if not groups:
        return None
    estimates = await _estimates(session, groups) if len(groups) > 1 else [0]
    driver = groups[estimates.index(min(estimates))]
    others = [group for group in groups if group is not driver]
    terms = sorted(driver.words) + sorted(driver.prefixes)
    params = _params(others) | {f"term{n}": term for n, term in enumerate(terms)}
    return _WordLookup(_Shape.of(driver), tuple(_Shape.of(group) for group in others), params)


async def films_with_words(
    session: AsyncSession, groups: Sequence[WordGroup], limit: int = 50, scan: int = DRIVER_SCAN
) -> list[int]:
    """The most popular films having a title word for every group.

    The group matching fewest films drives: each of its terms is read in popularity order from the
    (term, popularity) index and stops after ``limit`` films that have the other groups' words too, or
    after ``scan`` entries, which bounds the work when every word is common and few films have all.
    """
    if (lookup := await _word_lookup(session, groups)) is None:
        return []
    statement = _films_with_words_statement(lookup.driver, lookup.others)
    return list(await session.scalars(statement, lookup.params | {"limit": limit, "scan": scan}))


@lru_cache(maxsize=STATEMENTS_KEPT)
def _matching_statement(
    prefix: bool, driver: _Shape | None, others: tuple[_Shape, ...]
) -> Select[int, str, str, str, str, int | None, float, str]:
    exact = (
        select(FilmTitle.film_id)
        .join(Film, Film.id == FilmTitle.film_id)
        .where(FilmTitle.folded == bindparam("key"))
        .order_by(Film.popularity.desc(), Film.id)
        .limit(_LIMIT)
        .subquery()
    )
    parts = [select(exact.c.film_id)]
    if prefix:
        begins = (
            select(FilmTitle.film_id)
            .where(FilmTitle.folded >= bindparam("low"), FilmTitle.folded < bindparam("high"))
            .order_by(FilmTitle.folded)
            .limit(_LIMIT)
            .subquery()
        )
        parts.append(select(begins.c.film_id))
    if driver is not None:
        parts.append(select(_films_with_words_statement(driver, others).subquery().c.film_id))
    films = union(*parts).subquery()
    return _hits().where(FilmTitle.film_id.in_(select(films.c.film_id)))


async def titles_matching(
    session: AsyncSession,
    key: str,
    groups: Sequence[WordGroup],
    *,
    prefix: bool,
    limit: int = 50,
    scan: int = DRIVER_SCAN,
) -> list[TitleHit]:
    """Every title of the films a search proposes, in one statement: the ``limit`` most popular whose title key is
    ``key``, with ``prefix`` the first ``limit`` (in key order) whose key begins with it, and those
    films_with_words(``groups``, ``limit``, ``scan``) finds (one statement more first, with several groups)."""
    lookup = await _word_lookup(session, groups)
    params = {"key": key, "limit": limit, "scan": scan} | (lookup.params if lookup else {})
    if prefix:
        params |= {"low": key, "high": key + PREFIX_END}
    statement = _matching_statement(prefix, *((lookup.driver, lookup.others) if lookup else (None, ())))
    return [TitleHit._make(row) for row in await session.execute(statement, params)]


async def vocabulary_with_prefix(session: AsyncSession, prefix: str, limit: int = 5000) -> list[str]:
    """Known title words starting with ``prefix`` (the candidates for correcting a misspelt word)."""
    params = {"low": prefix, "high": prefix + PREFIX_END, "limit": limit}
    return list(await session.scalars(_VOCABULARY_PREFIX, params))


async def vocabulary_near(session: AsyncSession, prefix: str, length: int, slack: int = 1) -> list[str]:
    """Known title words starting with ``prefix`` whose length is within ``slack`` of ``length``: the few that
    may be a misspelling of a word that long (a range scan; only those rows come back)."""
    query = (
        select(TitleVocabulary.word)
        .where(
            TitleVocabulary.word >= prefix,
            TitleVocabulary.word < prefix + PREFIX_END,
            func.length(TitleVocabulary.word).between(length - slack, length + slack),
        )
        .order_by(TitleVocabulary.word)
    )
    return list(await session.scalars(query))


async def known_words(session: AsyncSession, candidates: Iterable[str]) -> set[str]:
    """Those of ``candidates`` that occur in some title."""
    return set(await session.scalars(_KNOWN_WORDS, {"words": sorted(set(candidates))}))


async def film_by_id(session: AsyncSession, film_id: int) -> Film | None:
    return await session.get(Film, film_id)


# Answers about a film or a person: plain rows from Core selects of just the columns they need (no ORM
# objects to build and track).


class FilmRow(NamedTuple):
    id: int
    title: str
    year: int | None
    source: str
    original_title: str | None
    runtime_minutes: int | None
    genres: list[str]
    countries: list[str]
    languages: list[str]
    synopsis: str | None
    based_on_title: str | None
    based_on_author: str | None
    based_on_kind: str | None
    based_on_year: int | None
    poster_path: str | None


class CreditRow(NamedTuple):
    person_id: int
    name: str
    job: str
    characters: list[str]
    billing: int | None


class MusicRow(NamedTuple):
    piece: str
    performer: str | None
    note: str | None


class FilmDetailRows(NamedTuple):
    film: FilmRow
    alternate_titles: list[str]  # as stored
    credits: list[CreditRow]  # billing order: the billed by billing, then the others, each as stored
    music: list[MusicRow]  # as stored


class CreditedFilm(NamedTuple):
    """A film (its id, title, year and source) and one person's credit on it."""

    id: int
    title: str
    year: int | None
    source: str
    person_id: int
    job: str
    characters: list[str]
    credit_source: str


async def film_details(session: AsyncSession, film_id: int) -> FilmDetailRows | None:
    """The film's facts, alternate titles, credits with the people's names, and music: four indexed selects."""
    film = (
        await session.execute(select(*(getattr(Film, name) for name in FilmRow._fields)).where(Film.id == film_id))
    ).first()
    if film is None:
        return None
    titles = select(FilmTitle.title).where(FilmTitle.film_id == film_id, FilmTitle.kind == "alternate")
    credits = (
        select(Credit.person_id, Person.name, Credit.job, Credit.characters, Credit.billing)
        .join(Person, Person.id == Credit.person_id)
        .where(Credit.film_id == film_id)
        .order_by(Credit.billing.is_(None), Credit.billing, Credit.id)
    )
    music = select(FilmMusic.piece, FilmMusic.performer, FilmMusic.note).where(FilmMusic.film_id == film_id)
    return FilmDetailRows(
        FilmRow._make(film),
        list(await session.scalars(titles.order_by(FilmTitle.id))),
        [CreditRow._make(row) for row in await session.execute(credits)],
        [MusicRow._make(row) for row in await session.execute(music.order_by(FilmMusic.id))],
    )


async def people_by_folded(session: AsyncSession, folded: str, limit: int = 20) -> list[Person]:
    """People whose folded name is exactly ``folded``, the most credited first."""
    return await _people(session, Person.folded == folded, limit)


async def people_by_prefix(session: AsyncSession, prefix: str, limit: int = 20) -> list[Person]:
    """People whose folded name starts with ``prefix`` (an index range scan), the most credited first."""
    return await _people(session, and_(Person.folded >= prefix, Person.folded < prefix + PREFIX_END), limit)


async def people_completing(session: AsyncSession, prefix: str, limit: int = 25) -> list[Person]:
    """People whose folded name starts with ``prefix``, for autocomplete: a bounded index range scan
    (the first few hundred names in order), then the most credited of those first."""
    window = (
        select(Person.id)
        .where(Person.folded >= prefix, Person.folded < prefix + PREFIX_END)
        .order_by(Person.folded)
        .limit(COMPLETION_WINDOW)
        .subquery()
    )
    return await _people(session, Person.id.in_(select(window.c.id)), limit)


async def person_by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def people_by_word(session: AsyncSession, word: str, limit: int = 20) -> list[Person]:
    """People with ``word`` as a later word of their folded name ("mulligan" → Carey Mulligan).

    Not indexed: used once per command, never per keystroke.
    """
    return await _people(session, Person.folded.like(f"% {word}%"), limit)


async def people_named(session: AsyncSession, word: str, limit: int = 20) -> list[Person]:
    """People whose folded name begins with ``word`` or has a later word beginning with it ("mulligan" → Carey
    Mulligan), the most credited first. The later words are not indexed: used once per command, never per keystroke.
    """
    begins = and_(Person.folded >= word, Person.folded < word + PREFIX_END)
    return await _people(session, or_(begins, Person.folded.like(f"% {word}%")), limit)


async def best_known_films(session: AsyncSession, person_ids: Iterable[int]) -> dict[int, Film]:
    """Each person's most popular film in the catalogue, by person id (people without credits are left out)."""
    ids = sorted(set(person_ids))
    if not ids:
        return {}
    place = func.row_number().over(partition_by=Credit.person_id, order_by=(Film.popularity.desc(), Film.id))
    ranked = (
        select(Credit.person_id, Credit.film_id, place.label("place"))
        .join(Film, Film.id == Credit.film_id)
        .where(Credit.person_id.in_(ids))
        .subquery()
    )
    rows = await session.execute(
        select(ranked.c.person_id, Film).join(Film, Film.id == ranked.c.film_id).where(ranked.c.place == 1)
    )
    return dict(rows.all())


async def _people(session: AsyncSession, condition: ColumnElement[bool], limit: int) -> list[Person]:
    credits = select(func.count(Credit.id)).where(Credit.person_id == Person.id).scalar_subquery()
    query = select(Person).where(condition).order_by(credits.desc(), Person.id).limit(limit)
    return list(await session.scalars(query))


async def credited_films(
    session: AsyncSession, person_ids: Collection[int], job: str | None = None
) -> list[CreditedFilm]:
    """The films these people are credited on (for ``job`` only, if given), oldest first: one query."""
    if not person_ids:
        return []
    query = (
        select(
            Film.id, Film.title, Film.year, Film.source, Credit.person_id, Credit.job, Credit.characters, Credit.source
        )
        .join(Film, Film.id == Credit.film_id)
        .where(Credit.person_id.in_(sorted(person_ids)))
        .order_by(Film.year.is_(None), Film.year, Film.title, Film.id)
    )
    if job is not None:
        query = query.where(Credit.job == job)
    return [CreditedFilm._make(row) for row in await session.execute(query)]


async def films_per_source(session: AsyncSession) -> dict[str, int]:
    """How many films each source supplied, e.g. {"starter": 62, "imdb": 120000}."""
    rows = await session.execute(select(Film.source, func.count()).group_by(Film.source))
    return {source: int(count) for source, count in rows.all()}


async def cast_of_popular_films(session: AsyncSession, word: str, films: int = 5000) -> list[Credit]:
    """Acting credits whose characters mention ``word`` (folded, ASCII letters) among the ``films`` most
    popular films, with film and person loaded: a bounded scan for "who played Kathy?" asked without a film."""
    popular = select(Film.id).order_by(Film.popularity.desc(), Film.id).limit(films).subquery()
    query = (
        select(Credit)
        .where(
            Credit.film_id.in_(select(popular.c.id)),
            Credit.job == "actor",
            func.lower(cast(Credit.characters, String)).contains(word, autoescape=True),
        )
        .options(selectinload(Credit.film), selectinload(Credit.person))
    )
    return list(await session.scalars(query))


async def films_with_all(session: AsyncSession, person_ids: Sequence[int]) -> list[Film]:
    """Films every one of ``person_ids`` has a credit in (any job), oldest first."""
    if not person_ids:
        return []
    shared = (
        select(Credit.film_id)
        .where(Credit.person_id.in_(person_ids))
        .group_by(Credit.film_id)
        .having(func.count(func.distinct(Credit.person_id)) == len(set(person_ids)))
    )
    query = select(Film).where(Film.id.in_(shared)).order_by(Film.year.is_(None), Film.year, Film.title)
    return list(await session.scalars(query))
