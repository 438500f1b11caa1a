"""The IMDb dataset importer on small generated files in the datasets' exact format."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from db import Database
from db.films.records import CreditRecord, ExternalIds, FilmRecord, PersonRecord
from db.films.repository import upsert_film
from db.models import Checkpoint, Credit, Film, FilmTitle, FilmTitlePrefix, FilmTitleWord, Person
from services.errors import InvalidInput
from services.films import imdb_rows
from services.films.catalogue import FilmCatalogue
from services.films.imdb import BITMAP_FREE, SHOWN, IdSet, ImdbImporter, ImportOptions, import_imdb
from tests.clock import FakeClock
from tests.processes import run_filmclub

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)

N = "\\N"

BASICS = [
    [
        "tconst",
        "titleType",
        "primaryTitle",
        "originalTitle",
        "isAdult",
        "startYear",
        "endYear",
        "runtimeMinutes",
        "genres",
    ],
    ["tt1334260", "movie", "Never Let Me Go", "Never Let Me Go", "0", "2010", N, "103", "Drama,Romance,Sci-Fi"],
    ["tt0000002", "movie", 'The "Quoted" Film', 'Le "Film" d\'Autrefois', "0", "1999", N, N, N],
    ["tt0000003", "tvSeries", "Some Show", "Some Show", "0", "2001", "2004", "45", "Comedy"],
    ["tt0000004", "tvMovie", "A Television Film", "A Television Film", "0", "2001", N, "90", "Drama"],
    ["tt0000005", "movie", "Adults Only", "Adults Only", "1", "2003", N, "80", "Adult"],
    ["tt0000006", "movie", "Few Votes", "Few Votes", "0", "2020", N, "95", "Horror"],
]
PRINCIPALS = [
    ["tconst", "ordering", "nconst", "category", "job", "characters"],
    ["tt1334260", "1", "nm1659547", "actress", N, '["Kathy"]'],
    ["tt1334260", "2", "nm1940449", "actor", N, '["Tommy"]'],
    ["tt1334260", "3", "nm0461136", "actress", N, '["Ruth"]'],
    ["tt1334260", "4", "nm0001648", "actress", N, '["Miss Emily"]'],
    ["tt1334260", "5", "nm0738796", "director", N, N],
    ["tt1334260", "6", "nm0307497", "writer", "screenplay", N],
    ["tt1334260", "7", "nm0411872", "writer", "novel", N],
    ["tt1334260", "8", "nm0006235", "composer", N, N],
    ["tt1334260", "9", "nm0000901", "production_designer", N, N],
    ["tt0000002", "1", "nm0000010", "self", N, '["Self","Host"]'],
    ["tt0000002", "2", "nm0000011", "actor", N, '["Jack \\"Knife\\" Smith"]'],
    ["tt0000003", "1", "nm0000020", "actor", N, '["Someone"]'],
    ["tt0000004", "1", "nm0000030", "actress", N, '["Anchor"]'],
    ["tt0000006", "1", "nm0000040", "actor", N, '["Victim"]'],
]
NAMES = [
    ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
    ["nm1659547", "Carey Mulligan", "1985", N, "actress,producer", "tt1334260"],
    ["nm1940449", "Andrew Garfield", "1983", N, "actor", "tt1334260"],
    ["nm0461136", "Keira Knightley", "1985", N, "actress", "tt1334260"],
    ["nm0001648", "Charlotte Rampling", "1946", N, "actress", "tt1334260"],
    ["nm0738796", "Mark Romanek", "1959", N, "director", "tt1334260"],
    ["nm0307497", "Alex Garland", "1970", N, "writer,director", "tt1334260"],
    ["nm0411872", "Kazuo Ishiguro", "1954", N, "writer", "tt1334260"],
    ["nm0006235", "Rachel Portman", "1960", N, "composer", "tt1334260"],
    ["nm0000901", "Mark Digby", N, N, "production_designer", "tt1334260"],
    ["nm0000010", 'Ann "The Host" Presenter', N, N, "self", "tt0000002"],
    ["nm0000011", "Bob Actor", N, N, "actor", "tt0000002"],
    ["nm0000020", "Series Actor", N, N, "actor", "tt0000003"],
    ["nm0000030", "Tv Actress", N, N, "actress", "tt0000004"],
    ["nm0000040", "Horror Actor", N, N, "actor", "tt0000006"],
    ["nm0000050", "Crew Writer", N, N, "writer", "tt1334260"],
    ["nm0000060", "Nobody Credited", N, N, "actor", N],
]
CREW = [
    ["tconst", "directors", "writers"],
    ["tt1334260", "nm0738796", "nm0307497,nm0411872,nm0000050"],
    ["tt0000002", N, N],
    ["tt0000003", "nm0000020", N],
]
AKAS = [
    ["titleId", "ordering", "title", "region", "language", "types", "attributes", "isOriginalTitle"],
    ["tt1334260", "1", "Never Let Me Go", N, N, "original", N, "1"],
    ["tt1334260", "2", "Nunca me abandones", "ES", "es", "imdbDisplay", N, "0"],
    ["tt1334260", "3", "Nunca Me Abandones", "MX", "es", "imdbDisplay", N, "0"],
    ["tt1334260", "4", "Alles, was wir geben mussten", "DE", N, "imdbDisplay", N, "0"],
    ["tt0000003", "1", "Une Série", "FR", N, N, N, "0"],
]
RATINGS = [
    ["tconst", "averageRating", "numVotes"],
    ["tt1334260", "7.1", "999999"],
    ["tt0000002", "6.0", "5000"],
    ["tt0000003", "8.0", "20000"],
    ["tt0000006", "4.1", "12"],
]


FILES = {
    "title.basics": BASICS,
    "title.principals": PRINCIPALS,
    "name.basics": NAMES,
    "title.crew": CREW,
    "title.akas": AKAS,
    "title.ratings": RATINGS,
}


def tsv(rows: list[list[str]]) -> bytes:
    return b"".join(("\t".join(row) + "\n").encode() for row in rows)


def write_tsv(path: Path, rows: list[list[str]]) -> None:
    path.write_bytes(gzip.compress(tsv(rows)))


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    directory = tmp_path / "imdb"
    directory.mkdir()
    for name, rows in FILES.items():
        write_tsv(directory / f"{name}.tsv.gz", rows)
    return directory


async def counts(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        return {
            model.__tablename__: int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Film, FilmTitle, FilmTitleWord, FilmTitlePrefix, Person, Credit)
        }


async def snapshot(db: Database) -> set[tuple[Any, ...]]:
    """Everything imported, without surrogate ids and times."""
    async with db.transaction() as session:
        films = (await session.execute(select(Film.imdb_id, Film.title, Film.year, Film.popularity))).all()
        titles = (await session.execute(select(Film.imdb_id, FilmTitle.folded, FilmTitle.kind).join(Film))).all()
        credits = (
            await session.execute(
                select(Film.imdb_id, Person.imdb_id, Credit.job, Credit.characters, Credit.billing, Credit.external_ref)
                .join(Credit.film)
                .join(Credit.person)
            )
        ).all()
    return {("film", *f) for f in films} | {("title", *t) for t in titles} | {("credit", *map(str, c)) for c in credits}


async def credits_of(db: Database, imdb_id: str) -> list[tuple[str, str, list[str], int | None, str | None]]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(Person.name, Credit.job, Credit.characters, Credit.billing, Credit.external_ref)
            .join(Credit.person)
            .join(Credit.film)
            .where(Film.imdb_id == imdb_id)
            .order_by(Credit.job, Credit.billing, Person.name)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_import_keeps_movies_with_their_titles_people_and_credits(db: Database, dataset: Path) -> None:
    report = await import_imdb(db, dataset)
    assert (report.films, report.people) == (3, 12)
    async with db.transaction() as session:
        films = {f.imdb_id: f for f in (await session.scalars(select(Film))).all()}
        assert set(films) == {"tt1334260", "tt0000002", "tt0000006"}  # no series, TV films or adult titles
        nlmg = films["tt1334260"]
        assert (nlmg.title, nlmg.year, nlmg.runtime_minutes, nlmg.source) == ("Never Let Me Go", 2010, 103, "imdb")
        assert nlmg.genres == ["Drama", "Romance", "Sci-Fi"]
        assert nlmg.popularity == pytest.approx(60.0)
        quoted = films["tt0000002"]
        assert (quoted.title, quoted.original_title) == ('The "Quoted" Film', 'Le "Film" d\'Autrefois')
        assert (quoted.runtime_minutes, quoted.genres) == (None, [])
        titles = (
            await session.execute(select(FilmTitle.title, FilmTitle.kind).where(FilmTitle.film_id == nlmg.id))
        ).all()
        assert sorted(titles) == [
            ("Alles, was wir geben mussten", "alternate"),
            ("Never Let Me Go", "primary"),
            ("Nunca me abandones", "alternate"),
        ]
        assert (
            await session.scalar(
                select(FilmTitle.folded).where(FilmTitle.film_id == quoted.id, FilmTitle.kind == "original")
            )
            == "film dautrefois"
        )
        words = dict(
            (
                await session.execute(
                    select(FilmTitleWord.word, FilmTitleWord.popularity).where(FilmTitleWord.film_id == nlmg.id)
                )
            ).all()
        )
        assert {"never", "let", "go", "nunca", "abandones"} <= set(words)
        assert words["never"] == pytest.approx(60.0)  # copies the film's, for popular-first word search
        starts = dict(
            (
                await session.execute(
                    select(FilmTitlePrefix.prefix, FilmTitlePrefix.popularity).where(FilmTitlePrefix.film_id == nlmg.id)
                )
            ).all()
        )
        assert {"n", "ne", "nev", "neve", "nunc", "alle"} <= set(starts)
        assert starts["nev"] == pytest.approx(60.0)
        people = set((await session.scalars(select(Person.name))).all())
        assert 'Ann "The Host" Presenter' in people
        assert not people & {"Series Actor", "Tv Actress", "Mark Digby", "Nobody Credited"}

    assert await credits_of(db, "tt1334260") == [
        ("Carey Mulligan", "actor", ["Kathy"], 1, "tt1334260:1"),
        ("Andrew Garfield", "actor", ["Tommy"], 2, "tt1334260:2"),
        ("Keira Knightley", "actor", ["Ruth"], 3, "tt1334260:3"),
        ("Charlotte Rampling", "actor", ["Miss Emily"], 4, "tt1334260:4"),
        ("Rachel Portman", "composer", [], None, "tt1334260:8"),
        ("Mark Romanek", "director", [], None, "tt1334260:5"),
        ("Kazuo Ishiguro", "novel", [], None, "tt1334260:7"),
        ("Alex Garland", "screenplay", [], None, "tt1334260:6"),
        ("Crew Writer", "writer", [], None, "tt1334260"),  # only in title.crew
    ]
    assert await credits_of(db, "tt0000002") == [
        ('Ann "The Host" Presenter', "actor", ["Self", "Host"], 1, "tt0000002:1"),
        ("Bob Actor", "actor", ['Jack "Knife" Smith'], 2, "tt0000002:2"),
    ]


async def test_title_types_option(db: Database, dataset: Path) -> None:
    await import_imdb(db, dataset, ImportOptions(title_types=frozenset({"movie", "tvMovie"})))
    assert [c[0] for c in await credits_of(db, "tt0000004")] == ["Tv Actress"]
    assert (await counts(db))["films"] == 4


async def test_min_votes_drops_little_known_films_and_their_people(db: Database, dataset: Path) -> None:
    report = await import_imdb(db, dataset, ImportOptions(min_votes=1000))
    assert report.films == 2
    async with db.transaction() as session:
        assert set((await session.scalars(select(Film.imdb_id))).all()) == {"tt1334260", "tt0000002"}
        assert await session.scalar(select(Person.id).where(Person.name == "Horror Actor")) is None


async def test_min_votes_needs_the_ratings_file(db: Database, dataset: Path) -> None:
    (dataset / "title.ratings.tsv.gz").unlink()
    with pytest.raises(InvalidInput, match=r"title\.ratings"):
        await import_imdb(db, dataset, ImportOptions(min_votes=10))


async def test_optional_files_may_be_missing(db: Database, dataset: Path) -> None:
    (dataset / "title.ratings.tsv.gz").unlink()
    (dataset / "title.akas.tsv.gz").unlink()
    await import_imdb(db, dataset)
    assert (await counts(db))["film_titles"] == 3 + 1  # primaries, and one original title that differs


async def test_a_finished_import_without_the_optional_files_reads_nothing_again(db: Database, dataset: Path) -> None:
    (dataset / "title.ratings.tsv.gz").unlink()
    (dataset / "title.akas.tsv.gz").unlink()
    await import_imdb(db, dataset)
    batches: list[tuple[str, int]] = []
    importer = ImdbImporter(db, dataset, on_batch=lambda phase, rows: batches.append((phase, rows)))
    again = await importer.run()
    assert batches == []
    assert [(p.name, p.rows_read) for p in again.phases if p.rows_read or not p.skipped] == []
    assert len(importer.films) == 0  # title.basics was not read again to refill the film ids


async def test_titles_and_names_longer_than_the_columns_are_cut(db: Database, dataset: Path) -> None:
    long_title = ("Rock & Roll, Élan & Ça " * 27)[:600]  # its key is longer still: "&" is spelled out
    long_name = "Maria " + "Ñandú & " * 60
    basics = [*BASICS, ["tt0000007", "movie", long_title, long_title, "0", "2002", N, "90", "Drama"]]
    write_tsv(dataset / "title.basics.tsv.gz", basics)
    write_tsv(dataset / "title.principals.tsv.gz", [*PRINCIPALS, ["tt0000007", "1", "nm0000070", "actor", N, N]])
    write_tsv(dataset / "name.basics.tsv.gz", [*NAMES, ["nm0000070", long_name, N, N, "actor", N]])
    write_tsv(dataset / "title.akas.tsv.gz", [*AKAS, ["tt0000007", "1", "The " + long_title, "US", N, N, N, "0"]])
    await import_imdb(db, dataset)
    async with db.transaction() as session:
        film = (await session.scalars(select(Film).where(Film.imdb_id == "tt0000007"))).one()
        assert len(film.title) == 500
        keys = (await session.scalars(select(FilmTitle.folded).where(FilmTitle.film_id == film.id))).all()
        assert [len(key) for key in keys] == [500]  # the alternate title has the same key
        person = (await session.scalars(select(Person).where(Person.imdb_id == "nm0000070"))).one()
        assert (len(person.name), len(person.folded)) == (300, 500)
    catalogue = FilmCatalogue(db, clock=FakeClock())
    assert (await catalogue.find(long_title)).year == 2002


async def test_missing_required_files_are_named(db: Database, tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match=r"title\.basics\.tsv\.gz.*title\.principals"):
        await import_imdb(db, tmp_path)


async def test_re_running_is_idempotent(db: Database, dataset: Path) -> None:
    await import_imdb(db, dataset)
    first, first_rows = await counts(db), await snapshot(db)
    again = await import_imdb(db, dataset)  # everything already done: nothing to do
    assert all(p.skipped for p in again.phases)
    await import_imdb(db, dataset, restart=True)  # everything again, as upserts
    assert await counts(db) == first
    assert await snapshot(db) == first_rows


async def test_an_interrupted_import_resumes_to_the_same_result(
    db: Database, dataset: Path, tmp_path: Path, database_url: str
) -> None:
    class Killed(Exception):
        pass

    batches: list[tuple[str, int]] = []

    def kill_after_five(phase: str, rows: int) -> None:
        batches.append((phase, rows))
        if len(batches) == 5:
            raise Killed

    options = ImportOptions(batch_size=2)
    with pytest.raises(Killed):
        await ImdbImporter(db, dataset, options, on_batch=kill_after_five).run()
    assert batches[-1][0] == "names"  # titles done, names half-way
    async with db.transaction() as session:
        assert (await session.get_one(Checkpoint, "imdb:names")).value["rows"] == batches[-1][1]

    resumed: list[tuple[str, int]] = []
    report = await ImdbImporter(db, dataset, options, on_batch=lambda p, r: resumed.append((p, r))).run()
    assert next(p for p in report.phases if p.name == "titles").skipped
    assert resumed[0][0] == "names"
    assert resumed[0][1] > batches[-1][1]  # continues after the last committed batch
    interrupted = await snapshot(db), await counts(db)

    await import_imdb(db, dataset, restart=True)
    assert (await snapshot(db), await counts(db)) == interrupted
    assert interrupted[1]["people"] == 12


async def test_a_restart_stopped_half_way_resumes_every_phase_after_it(db: Database, dataset: Path) -> None:
    await import_imdb(db, dataset)
    imported = await snapshot(db), await counts(db)

    def stop_in_names(phase: str, rows: int) -> None:
        if phase == "names":
            raise KeyboardInterrupt

    options = ImportOptions(batch_size=2)
    with pytest.raises(KeyboardInterrupt):  # titles again: their credits and alternate titles are cleared
        await ImdbImporter(db, dataset, options, restart=True, on_batch=stop_in_names).run()
    report = await import_imdb(db, dataset, options)
    assert [p.name for p in report.phases if p.skipped] == ["titles"]  # the first run's finished phases too
    assert (await snapshot(db), await counts(db)) == imported


async def test_reading_in_a_child_process_stores_the_same_and_resumes(db: Database, dataset: Path) -> None:
    """Large files are read in a child process: an import stopped there resumes, and stores what reading in a
    thread stores.
    """
    await import_imdb(db, dataset, ImportOptions(min_votes=10))
    in_thread = await snapshot(db), await counts(db)

    def stop_in_principals(phase: str, rows: int) -> None:
        if phase == "principals":
            raise KeyboardInterrupt

    options = ImportOptions(min_votes=10, batch_size=2)
    stopped = ImdbImporter(db, dataset, options, restart=True, on_batch=stop_in_principals, in_process=True)
    with pytest.raises(KeyboardInterrupt):
        await stopped.run()
    assert not stopped._reader.process.is_alive()  # type: ignore[attr-defined]
    resumed = ImdbImporter(db, dataset, options, in_process=True)
    report = await resumed.run()
    assert report.parsed_in == "process"
    assert [p.name for p in report.phases if p.skipped] == ["titles", "names"]  # titles replayed only
    assert len(resumed.films) == 3  # title.basics was replayed in the child, for the phases after it
    assert (await snapshot(db), await counts(db)) == in_thread


async def test_films_of_other_sources_are_left_alone(db: Database, dataset: Path) -> None:
    starter = FilmRecord(title="Never Let Me Go", source="starter", year=2010, ids=ExternalIds(imdb="tt1334260"))
    async with db.transaction() as session:
        await upsert_film(session, starter, now=NOW)
    await import_imdb(db, dataset)
    async with db.transaction() as session:
        film = (await session.scalars(select(Film).where(Film.imdb_id == "tt1334260"))).one()
        assert (film.source, film.runtime_minutes, film.popularity) == ("starter", None, 0.0)
    assert await credits_of(db, "tt1334260") == []


def test_the_command_line_imports_quietly(dataset: Path, tmp_path: Path) -> None:
    env = {"FILMCLUB_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'cli.sqlite3'}"}
    result = run_filmclub("import", "imdb", str(dataset), "--quiet", "--title-types", "movie,tvMovie", env=env)
    assert result.returncode == 0, result.stderr
    assert "%" not in result.stderr  # no progress bar; the log may say that it migrated
    assert "4 films, 13 people" in result.stdout
    assert "Information courtesy of IMDb (https://www.imdb.com). Used with permission." in result.stdout
    missing = run_filmclub("import", "imdb", str(tmp_path / "nowhere"), env=env)
    assert missing.returncode == 2
    assert "title.basics.tsv.gz" in missing.stderr
    assert "Traceback" not in missing.stderr


IDS = st.integers(0, 5_000) | st.integers(0, 5_000_000) | st.integers(0, 10**10)


@given(st.lists(IDS, max_size=200), IDS, st.sampled_from([16, BITMAP_FREE]))
def test_id_set_behaves_like_a_set(numbers: list[int], probe: int, free: int) -> None:
    with patch.object(imdb_rows, "BITMAP_FREE", free):  # 16: ids move from the set into the bitmap as it grows
        ids = IdSet()
        for n in numbers:
            ids.add(n)
            ids.add(n)
    assert len(ids) == len(set(numbers))
    assert (probe in ids) == (probe in numbers)
    assert all(n in ids for n in numbers)


def test_id_set_memory_follows_how_many_ids_not_how_large() -> None:
    huge = IdSet()
    for n in (1, 9_999_999_999, 5_000_000_000, 8_388_607):
        huge.add(n)
    assert huge.nbytes < BITMAP_FREE + 1000  # not 1.25 GB: a bitmap up to the largest id
    assert (9_999_999_999 in huge, 9_999_999_998 in huge, len(huge)) == (True, False, 4)

    dense, sparse = IdSet(), IdSet()
    for n in range(1, 1_000_001):
        dense.add(16 * n)  # 1M ids up to 16M: a bitmap of 2 MB
        sparse.add(9_973 * n)  # 1M ids up to 10^10: a set
    assert dense.nbytes <= 3 * 1_000_000  # 1 bit per possible id, and room to grow
    assert sparse.nbytes < 100 * 1_000_000
    assert (16_000_000 in dense, 16_000_001 in dense, 9_973_000_000 in sparse) == (True, False, True)


async def test_a_ten_digit_id_costs_no_memory(db: Database, dataset: Path) -> None:
    write_tsv(dataset / "title.basics.tsv.gz", [*BASICS, ["tt9999999999", "movie", "Last", N, "0", "2030", N, N, N]])
    report = await import_imdb(db, dataset)
    assert report.films == 4
    assert report.id_set_bytes < 3 * BITMAP_FREE


# Real-world files: damaged files and files that are not IMDb's stop the import with a sentence; bad rows are
# skipped and reported, the same way on both back ends.


def row(*fields: str) -> bytes:
    return "\t".join(fields).encode(errors="surrogateescape")  # "\udce9" is the byte 0xE9


def film(tconst: str = "tt0000008", title: str = "Eight Films", year: str = "2008", *more: str) -> bytes:
    return row(tconst, "movie", title, title, "0", year, N, "88", "Drama", *more)


BAD_ROWS = [  # (file, a bad line, what the report says about it)
    pytest.param("title.basics", film(title="Caf\udce9"), "is not UTF-8", id="not UTF-8"),
    pytest.param("title.basics", film(title="Nul\0Film"), "has a NUL character", id="NUL byte"),
    pytest.param(
        "title.basics", film(title="Long " * 30_000), "is longer than 131,072 characters", id="field over csv limit"
    ),
    pytest.param("title.basics", film()[:25], "has 3 columns instead of 9", id="too few columns"),
    pytest.param("title.basics", film("tt0000008", "Eight", "2008", "x"), "has 10 columns", id="too many columns"),
    pytest.param("title.basics", film(year="19x8"), "startYear '19x8' is not a whole number", id="unparsable year"),
    pytest.param("title.basics", film(year="99999999999"), "startYear '99999999999'", id="year beyond int32"),
    pytest.param("title.basics", film("tt00000000008"), "'tt00000000008' is not an IMDb id", id="id too long"),
    pytest.param("title.basics", film("tt99999999999"), "'tt99999999999' is not an IMDb id", id="absurd id"),
    pytest.param("title.basics", film(title=N), "no primaryTitle", id="null primaryTitle"),
    pytest.param("title.basics", film(title=""), "no primaryTitle", id="empty primaryTitle"),
    pytest.param("title.principals", row("tt1334260", "x", "nm0000060", "actor", N, N), "ordering 'x'", id="ordering"),
    pytest.param(
        "title.principals",
        row("tt1334260", "10", "nm00000000060", "actor", N, N),
        "'nm00000000060' is not an IMDb id",
        id="nconst too long",
    ),
    pytest.param("title.crew", row("tt0000002", "nm0000060,oops", N), "'oops' is not an IMDb id", id="crew id"),
    pytest.param("title.akas", row("tt1334260", "5", "Caf\udce9", N, N, N, N, "0"), "is not UTF-8", id="aka"),
    pytest.param("title.ratings", row("tt0000002", "6.0", "many"), "numVotes 'many'", id="votes"),
    pytest.param("name.basics", row("nm0000011", N, N, N, "actor", N), "no primaryName", id="null name"),
]


def insert_line(directory: Path, file: str, line: bytes) -> None:
    """``file`` with ``line`` as its line 3, after the header and the first row."""
    rows = FILES[file]
    (directory / f"{file}.tsv.gz").write_bytes(gzip.compress(tsv(rows[:2]) + line + b"\n" + tsv(rows[2:])))


@pytest.mark.parametrize(("file", "line", "reason"), BAD_ROWS)
async def test_a_bad_row_is_skipped_and_reported(
    db: Database, dataset: Path, file: str, line: bytes, reason: str
) -> None:
    insert_line(dataset, file, line)
    report = await import_imdb(db, dataset)
    assert (report.films, report.people) == (3, 12)  # as without the bad row
    assert report.rows_bad == 1  # once, though principals and crew are read twice
    [bad] = report.bad_rows
    assert (bad.file, bad.line) == (f"{file}.tsv.gz", 3)
    assert reason in bad.reason
    assert report.notes() == ["skipped 1 bad row:", f"  {bad}"]
    imported = await snapshot(db), await counts(db)

    write_tsv(dataset / f"{file}.tsv.gz", FILES[file])
    await import_imdb(db, dataset)  # the files without the bad row: the same catalogue
    assert (await snapshot(db), await counts(db)) == imported


def seed_every_bad_row(directory: Path) -> None:
    """Every kind of bad row in the dataset's files, and an empty title.akas.tsv.gz."""
    bad_lines: dict[str, list[bytes]] = {}
    for case in BAD_ROWS:
        file, line, _ = case.values
        bad_lines.setdefault(str(file), []).append(line)  # type: ignore[arg-type]
    for file, lines in bad_lines.items():
        rows = FILES[file]
        (directory / f"{file}.tsv.gz").write_bytes(
            gzip.compress(tsv(rows[:2]) + b"\n".join(lines) + b"\n" + tsv(rows[2:]))
        )
    (directory / "title.akas.tsv.gz").write_bytes(b"")


async def test_an_import_with_every_kind_of_bad_row_finishes_and_says_what_it_skipped(
    db: Database, dataset: Path
) -> None:
    seed_every_bad_row(dataset)
    report = await import_imdb(db, dataset)
    assert report.rows_bad == len(BAD_ROWS) - 1  # the empty title.akas.tsv.gz took its bad row along
    assert len(report.bad_rows) == SHOWN
    assert str(report.bad_rows[0]).startswith("title.ratings.tsv.gz line 3: numVotes 'many'")  # read first
    assert str(report.bad_rows[1]) == "title.basics.tsv.gz line 3: is not UTF-8"
    assert report.warnings == [f"{dataset / 'title.akas.tsv.gz'} is empty: nothing was read from it"]
    notes = report.notes()
    assert notes[1] == f"skipped {len(BAD_ROWS) - 1} bad rows (the first ones):"
    assert (report.films, report.people) == (3, 12)


@pytest.mark.parametrize("file", ["title.akas", "title.basics"])
async def test_an_empty_file_is_a_warning(db: Database, dataset: Path, file: str) -> None:
    (dataset / f"{file}.tsv.gz").write_bytes(b"")
    report = await import_imdb(db, dataset)
    assert report.warnings == [f"{dataset / file}.tsv.gz is empty: nothing was read from it"]
    assert report.films == (3 if file == "title.akas" else 0)


def damage(path: Path, how: str) -> None:
    if how == "not gzip":
        path.write_bytes(gzip.decompress(path.read_bytes()))
    else:
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])


async def test_a_damaged_file_stops_the_import_with_a_sentence_naming_it_and_the_line(
    db: Database, dataset: Path
) -> None:
    damage(dataset / "title.basics.tsv.gz", "not gzip")
    with pytest.raises(InvalidInput) as raised:
        await import_imdb(db, dataset)
    assert str(raised.value).startswith(
        f"{dataset / 'title.basics.tsv.gz'} is not a whole gzip file (reading stopped at line 1: Not a gzipped file"
    )
    assert await counts(db) == dict.fromkeys(await counts(db), 0)  # refused before anything was written

    write_tsv(dataset / "title.basics.tsv.gz", BASICS)
    many = [*PRINCIPALS, *(["tt1334260", str(n), f"nm{n:07d}", "actor", N, f'["Role {n}"]'] for n in range(10, 20_000))]
    write_tsv(dataset / "title.principals.tsv.gz", many)
    damage(dataset / "title.principals.tsv.gz", "truncated")
    messages = []
    for _ in range(2):  # a re-run stops at the same place, with the same sentence
        with pytest.raises(InvalidInput) as raised:
            await import_imdb(db, dataset)
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert messages[0].startswith(f"{dataset / 'title.principals.tsv.gz'} is not a whole gzip file (reading stopped at")
    assert "Compressed file ended before the end-of-stream marker was reached); download it again" in messages[0]
    line = int(messages[0].split("line ")[1].split(":")[0].replace(",", ""))
    assert 1000 < line < len(many)


@pytest.mark.parametrize(
    ("file", "rows", "found"),
    [
        pytest.param(
            "title.basics",
            [[r[0], r[2], r[1], *r[3:]] for r in BASICS],
            "tconst, primaryTitle, titleType, originalTitle",
            id="columns in another order",
        ),
        pytest.param("title.crew", NAMES, "nconst, primaryName, birthYear", id="two files swapped"),
    ],
)
async def test_a_file_without_imdbs_columns_is_refused(
    db: Database, dataset: Path, file: str, rows: list[list[str]], found: str
) -> None:
    write_tsv(dataset / f"{file}.tsv.gz", rows)
    with pytest.raises(InvalidInput) as raised:
        await import_imdb(db, dataset)
    expected = ", ".join(FILES[file][0])
    assert str(raised.value) == (
        f"{dataset / file}.tsv.gz does not have the columns of IMDb's {file}.tsv.gz: "
        f"expected {expected}; found {', '.join(rows[0])}"
    )
    assert found in str(raised.value)
    assert await counts(db) == dict.fromkeys(await counts(db), 0)


async def test_an_id_listed_twice_in_a_batch_is_stored_once_as_last_listed(db: Database, dataset: Path) -> None:
    write_tsv(dataset / "title.basics.tsv.gz", [*BASICS, ["tt1334260", "movie", "Kathy H.", N, "0", "2011", N, N, N]])
    write_tsv(dataset / "name.basics.tsv.gz", [*NAMES, ["nm1659547", "Carey H. Mulligan", N, N, "actress", N]])
    await import_imdb(db, dataset)
    async with db.transaction() as session:
        film = (await session.scalars(select(Film).where(Film.imdb_id == "tt1334260"))).one()
        assert (film.title, film.year, film.runtime_minutes) == ("Kathy H.", 2011, None)
        primary = await session.scalars(
            select(FilmTitle.title).where(FilmTitle.film_id == film.id, FilmTitle.kind != "alternate")
        )
        assert primary.all() == ["Kathy H."]
        assert await session.scalar(select(Person.name).where(Person.imdb_id == "nm1659547")) == "Carey H. Mulligan"


async def others_snapshot(db: Database, imdb_ids: set[str]) -> set[tuple[Any, ...]]:
    return {entry for entry in await snapshot(db) if entry[1] in imdb_ids}


async def test_a_re_import_leaves_imdb_films_as_the_new_files_say_and_other_sources_alone(
    db: Database, dataset: Path
) -> None:
    someone = PersonRecord("Some One", ExternalIds(imdb="nm0000099"))
    others = [
        FilmRecord(
            title="The Quoted Film",
            source="starter",
            ids=ExternalIds(imdb="tt0000002"),
            alternate_titles=("Curated",),
            credits=(CreditRecord(someone, "director"),),
        ),
        FilmRecord(
            title="Few Votes",
            source="tmdb",
            ids=ExternalIds(imdb="tt0000006", tmdb=6),
            credits=(CreditRecord(someone, "actor", ("Victim",), 1),),
        ),
    ]
    async with db.transaction() as session:
        for record in others:
            await upsert_film(session, record, now=NOW)
    before = await others_snapshot(db, {"tt0000002", "tt0000006"})
    await import_imdb(db, dataset)

    # IMDb renames the film, drops a credit, an alternate title and a writer, and has more votes for it.
    write_tsv(
        dataset / "title.basics.tsv.gz",
        [BASICS[0], ["tt1334260", "movie", "Kathy H.", N, "0", "2010", N, "103", "Drama"], *BASICS[2:]],
    )
    write_tsv(dataset / "title.principals.tsv.gz", [r for r in PRINCIPALS if r[2] != "nm0461136"])
    write_tsv(dataset / "title.crew.tsv.gz", [CREW[0], ["tt1334260", "nm0738796", "nm0307497,nm0411872"], *CREW[2:]])
    write_tsv(
        dataset / "title.akas.tsv.gz", [AKAS[0], ["tt1334260", "1", "Kathy H.", N, N, "original", N, "1"], *AKAS[2:4]]
    )
    write_tsv(dataset / "title.ratings.tsv.gz", [RATINGS[0], ["tt1334260", "7.2", "9999"], *RATINGS[2:]])
    await import_imdb(db, dataset)

    async with db.transaction() as session:
        film = (await session.scalars(select(Film).where(Film.imdb_id == "tt1334260"))).one()
        titles = await session.execute(select(FilmTitle.title, FilmTitle.kind).where(FilmTitle.film_id == film.id))
        assert sorted(titles.all()) == [("Kathy H.", "primary"), ("Nunca me abandones", "alternate")]
        words = (
            await session.execute(
                select(FilmTitleWord.word, FilmTitleWord.popularity).where(FilmTitleWord.film_id == film.id)
            )
        ).all()
        assert {word for word, _ in words} == {"kathy", "h", "nunca", "me", "abandones"}
        assert {popularity for _, popularity in words} == {film.popularity}
        assert film.popularity == pytest.approx(40.0)
        prefixes = await session.scalars(select(FilmTitlePrefix.prefix).where(FilmTitlePrefix.film_id == film.id))
        assert "nev" not in set(prefixes.all())
    assert [c[:2] for c in await credits_of(db, "tt1334260")] == [
        ("Carey Mulligan", "actor"),
        ("Andrew Garfield", "actor"),
        ("Charlotte Rampling", "actor"),
        ("Rachel Portman", "composer"),
        ("Mark Romanek", "director"),
        ("Kazuo Ishiguro", "novel"),
        ("Alex Garland", "screenplay"),
    ]
    assert await others_snapshot(db, {"tt0000002", "tt0000006"}) == before


def test_the_command_line_reports_bad_rows_and_refuses_damaged_files(dataset: Path, database_url: str) -> None:
    seed_every_bad_row(dataset)
    env = {"FILMCLUB_DATABASE_URL": database_url}
    result = run_filmclub("import", "imdb", str(dataset), "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    assert f"warning: {dataset / 'title.akas.tsv.gz'} is empty: nothing was read from it" in result.stdout
    assert f"skipped {len(BAD_ROWS) - 1} bad rows (the first ones):" in result.stdout
    assert "  title.basics.tsv.gz line 3: is not UTF-8" in result.stdout
    assert "3 films, 12 people" in result.stdout

    damage(dataset / "title.basics.tsv.gz", "truncated")
    damaged = run_filmclub("import", "imdb", str(dataset), "--quiet", env=env)
    assert damaged.returncode == 2
    assert damaged.stderr.splitlines()[-1].startswith(f"{dataset / 'title.basics.tsv.gz'} is not a whole gzip file")
    assert "Traceback" not in damaged.stderr


async def test_rows_carry_the_injected_clocks_time(db: Database, dataset: Path) -> None:
    clock = FakeClock()
    await import_imdb(db, dataset, clock=clock)
    async with db.transaction() as session:
        fetched = set(await session.scalars(select(Film.fetched_at).where(Film.source == "imdb")))
    assert fetched == {clock.now()}
