"""Import IMDb's non-commercial datasets (https://datasets.imdbws.com) into the catalogue.

IMDb's terms: personal, non-commercial use only, with the attribution "Information courtesy of IMDb
(https://www.imdb.com). Used with permission." The data must not be redistributed.

The files are streamed, never loaded: each phase reads one gzip TSV file once (the principals file
has ~94M rows) and writes in batches, one transaction per batch together with a checkpoint of the
rows done, so a killed import continues where it stopped and a re-run updates in place. What has to
be remembered between phases is a set of ids (the kept films, the credited people), held in an
IdSet: a bitmap over IMDb's dense numeric ids, about 4 MB for every title id in existence.

Real files are checked as they are read. A file that is not IMDb's (another header) or not a whole gzip file
stops the import with a sentence saying so; a bad row (not UTF-8, a NUL, too long, the wrong number of
columns, a number or id that does not parse or fit its column, no title) is skipped and reported, so both back
ends store the same rows. Re-importing replaces an IMDb film's titles and IMDb credits with the new files'.

Phases: [votes] → titles → people (scan) → names → principals → crew → [akas] → [ratings].
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
import logging
import math
import sys
import time
import zlib
from collections.abc import Awaitable, Callable, Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from sqlalchemy.ext.asyncio import AsyncSession

from db import Database, checkpoints
from db.films import bulk
from db.films.keys import NAME_LENGTH, TITLE_LENGTH, IndexedTitle, TitleRows, clip, fold, index_title, title_rows
from db.films.records import CreditRecord, ExternalIds, PersonRecord, merged_credits
from services.clock import Clock, SystemClock
from services.errors import InvalidInput

log = logging.getLogger(__name__)

ATTRIBUTION = "Information courtesy of IMDb (https://www.imdb.com). Used with permission."
SOURCE = "imdb"
NULL = "\\N"

BASICS = "title.basics.tsv.gz"
PRINCIPALS = "title.principals.tsv.gz"
NAMES = "name.basics.tsv.gz"
CREW = "title.crew.tsv.gz"
AKAS = "title.akas.tsv.gz"
RATINGS = "title.ratings.tsv.gz"
REQUIRED = (BASICS, PRINCIPALS, NAMES, CREW)
COLUMNS = {
    BASICS: (
        "tconst", "titleType", "primaryTitle", "originalTitle", "isAdult",
        "startYear", "endYear", "runtimeMinutes", "genres",
    ),
    PRINCIPALS: ("tconst", "ordering", "nconst", "category", "job", "characters"),
    NAMES: ("nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"),
    CREW: ("tconst", "directors", "writers"),
    AKAS: ("titleId", "ordering", "title", "region", "language", "types", "attributes", "isOriginalTitle"),
    RATINGS: ("tconst", "averageRating", "numVotes"),
}  # fmt: skip

MAX_LINE = 131_072  # characters (csv's default field limit): a longer line is a bad row
ID_DIGITS = 10  # "tt" and 10 digits fill films.imdb_id and people.imdb_id; IMDb's ids have 7 or 8
INT_MAX = 2**31 - 1  # INTEGER columns (year, runtime, billing) on PostgreSQL
SHOWN = 10  # bad rows described in the report; the rest are counted
BITMAP_FREE = 1 << 20  # bytes an IdSet's bitmap may take whatever it holds (ids below 8,388,608)
BITMAP_BYTES_PER_ID = 16  # beyond that, bytes of bitmap per id held (a set costs about 70 per id)

# title.principals categories we keep, and the credit job each becomes.
CATEGORY_JOBS = {
    "actor": "actor",
    "actress": "actor",
    "self": "actor",
    "director": "director",
    "writer": "writer",
    "composer": "composer",
    "cinematographer": "cinematographer",
    "editor": "editor",
    "producer": "producer",
}
WRITING_JOBS = frozenset({"writer", "screenplay", "novel"})

T = TypeVar("T")


class IdSet:
    """A set of non-negative ints whose memory follows how many it holds, not how large they are.

    IMDb's tt/nm numbers are dense, so they go in a bitmap, one bit per possible id. The bitmap only grows
    while it stays within BITMAP_FREE bytes or BITMAP_BYTES_PER_ID bytes per id held; ids past it are kept
    in a set (and move into the bitmap when it grows over them).
    """

    def __init__(self) -> None:
        self._bits = bytearray()
        self._beyond: set[int] = set()  # ids past the bitmap
        self._count = 0

    def add(self, number: int) -> None:
        index, mask = number >> 3, 1 << (number & 7)
        if index < len(self._bits) or self._grow(index):
            if not self._bits[index] & mask:
                self._bits[index] |= mask
                self._count += 1
        elif number not in self._beyond:
            self._beyond.add(number)
            self._count += 1

    def _grow(self, index: int) -> bool:
        """Grow the bitmap over byte ``index``, and by half at least (so ids past it are moved in rarely), if
        that keeps it within its budget.
        """
        size = max(index + 1, len(self._bits) * 3 // 2)
        if size > max(BITMAP_FREE, BITMAP_BYTES_PER_ID * (self._count + 1)):
            return False
        self._bits.extend(bytes(size - len(self._bits)))
        if self._beyond:
            for number in [n for n in self._beyond if n >> 3 < size]:
                self._bits[number >> 3] |= 1 << (number & 7)
            self._beyond = {n for n in self._beyond if n >> 3 >= size}
        return True

    def __contains__(self, number: int) -> bool:
        index = number >> 3
        if index < len(self._bits):
            return bool(self._bits[index] & (1 << (number & 7)))
        return number in self._beyond

    def __len__(self) -> int:
        return self._count

    @property
    def nbytes(self) -> int:
        beyond = sys.getsizeof(self._beyond) + sum(map(sys.getsizeof, self._beyond))
        return len(self._bits) + beyond


class BadRow(Exception):
    """A row that is skipped: its message says why."""


@dataclass(frozen=True, slots=True)
class SkippedRow:
    file: str
    line: int  # the header is line 1
    reason: str

    def __str__(self) -> str:
        return f"{self.file} line {self.line:,}: {self.reason}"


def _shown(text: str) -> str:
    """``text`` quoted for a message, cut if long."""
    return repr(text if len(text) <= 40 else text[:40] + "…")


def _number(imdb_id: str, prefix: str) -> int:
    """``tt0000001`` → 1 (prefix "tt"), ``nm0000002`` → 2 (prefix "nm"); else a bad row."""
    digits = imdb_id[2:]
    if imdb_id[:2] == prefix and 0 < len(digits) <= ID_DIGITS and digits.isascii() and digits.isdigit():
        return int(digits)
    raise BadRow(f"{_shown(imdb_id)} is not an IMDb id ({prefix} and at most {ID_DIGITS} digits)")


def _value(text: str) -> str | None:
    return None if text == NULL or not text else text


def _text(text: str, column: str) -> str:
    """A text that must be there: ``\\N`` or blank is a bad row."""
    if text == NULL or not text.strip():
        raise BadRow(f"no {column}")
    return text


def _int(text: str, column: str) -> int | None:
    """A whole number that fits an INTEGER column, or None for ``\\N``; anything else is a bad row."""
    if text == NULL:
        return None
    if len(text) <= 10 and text.isascii() and text.isdigit() and (number := int(text)) <= INT_MAX:
        return number
    raise BadRow(f"{column} {_shown(text)} is not a whole number up to {INT_MAX:,}")


def _characters(text: str) -> list[str]:
    """``["Self","Host"]`` → ["Self", "Host"]; ``\\N`` or malformed → []."""
    if text == NULL or not text.startswith("["):
        return []
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        return []
    return [str(c).strip() for c in parsed if str(c).strip()] if isinstance(parsed, list) else []


def _crew(row: list[str]) -> list[tuple[str, int, str]]:
    """(nconst, its number, job) of each director and writer in a title.crew row."""
    return [
        (nconst, _number(nconst, "nm"), job)
        for job, column in (("director", row[1]), ("writer", row[2]))
        if column != NULL
        for nconst in column.split(",")
    ]


def _last(items: list[T], key: Callable[[T], str]) -> list[T]:
    """One item per key, the last one listed: an id listed twice in a batch is upserted once."""
    return list({key(item): item for item in items}.values())


def _person(nconst: str) -> PersonRecord:
    """A credited person as the importer knows them: by IMDb id alone (names come from name.basics)."""
    return PersonRecord(name=nconst, ids=ExternalIds(imdb=nconst))


def popularity(votes: int) -> float:
    """IMDb votes on a log scale: 10 per decade (1,000 votes → 30, 1M → 60)."""
    return round(10 * math.log10(1 + votes), 3)


@dataclass(frozen=True, slots=True)
class ImportOptions:
    title_types: frozenset[str] = frozenset({"movie"})
    min_votes: int | None = None  # needs title.ratings.tsv.gz
    batch_size: int = 5000


@dataclass(slots=True)
class PhaseStats:
    name: str
    rows_read: int = 0
    rows_written: int = 0
    rows_bad: int = 0  # skipped as unreadable or invalid
    seconds: float = 0.0
    skipped: bool = False

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0


@dataclass(slots=True)
class ImportReport:
    phases: list[PhaseStats] = field(default_factory=list)
    films: int = 0  # held by the IMDb source after the run
    people: int = 0
    id_set_bytes: int = 0  # memory of the id sets kept between phases
    bad_rows: list[SkippedRow] = field(default_factory=list)  # the first SHOWN of them
    warnings: list[str] = field(default_factory=list)

    @property
    def rows_bad(self) -> int:
        return sum(phase.rows_bad for phase in self.phases)

    def notes(self) -> list[str]:
        """The warnings and the bad rows skipped, as lines for the person who ran the import."""
        lines = [f"warning: {warning}" for warning in self.warnings]
        if self.rows_bad:
            first = " (the first ones)" if self.rows_bad > len(self.bad_rows) else ""
            lines.append(f"skipped {self.rows_bad:,} bad row{'s' if self.rows_bad > 1 else ''}{first}:")
            lines += [f"  {row}" for row in self.bad_rows]
        return lines


@dataclass(frozen=True, slots=True)
class _Batch(Generic[T]):
    items: list[T]
    rows: int  # data rows consumed from the start of the file
    position: int  # compressed bytes read, for the progress bar
    last: bool
    rows_bad: int
    bad: list[SkippedRow]  # the first SHOWN bad rows of the batch


@dataclass(frozen=True, slots=True)
class _Title:
    film: dict[str, Any]
    names: list[IndexedTitle]


async def _add_titles(session: AsyncSession, names: list[tuple[int | None, IndexedTitle]]) -> int:
    """Store titles of films (None: a film held by another source, skipped), one per folded key."""
    by_film: dict[int, list[IndexedTitle]] = {}
    for film_id, name in names:
        if film_id is not None:
            by_film.setdefault(film_id, []).append(name)
    rows = TitleRows.of(title_rows(film_id, titles) for film_id, titles in by_film.items())
    await bulk.add_titles(session, rows)
    return len(rows.titles)


class _Table:
    """One IMDb dataset file (gzip TSV with IMDb's header) read row by row: no quoting (titles contain quotes),
    ``\\N`` is null. A file that is not one stops the import with InvalidInput; ``empty`` tells one without a header
    (0 bytes).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns = COLUMNS[path.name]
        self.raw: IO[bytes] = path.open("rb")
        # Undecodable bytes become lone surrogates, so one bad line does not end the file (see _read).
        self.text = gzip.open(self.raw, "rt", encoding="utf-8", errors="surrogateescape", newline="\n")  # noqa: SIM115
        self._rows = self._read()
        try:
            header = next(self._rows, None)
            self.empty = header is None
            if header is not None and header != list(self.columns):
                found = ", ".join(header) if isinstance(header, list) else f"a first line that {header}"
                raise InvalidInput(
                    f"{path} does not have the columns of IMDb's {path.name}: expected "
                    f"{', '.join(self.columns)}; found {found[:300]}"
                )
        except InvalidInput:
            self.close()
            raise

    def _read(self) -> Generator[list[str] | str]:
        """Each line's fields (the header's first), or why the line is bad."""
        readline, width, line = self.text.readline, len(self.columns), 0
        try:
            while text := readline(MAX_LINE):
                line += 1
                if len(text) == MAX_LINE and text[-1] != "\n":
                    while (rest := readline(MAX_LINE)) and rest[-1] != "\n":
                        pass
                    yield f"is longer than {MAX_LINE:,} characters"
                elif "\x00" in text:
                    yield "has a NUL character"
                elif not text.isascii() and not _utf8(text):
                    yield "is not UTF-8"
                elif len(fields := text.rstrip("\r\n").split("\t")) != width and line > 1:
                    yield f"has {len(fields)} columns instead of {width}"
                else:
                    yield fields
        except (OSError, EOFError, zlib.error) as error:
            raise InvalidInput(
                f"{self.path} is not a whole gzip file (reading stopped at line {line + 1:,}: {error}); "
                "download it again"
            ) from None

    def __iter__(self) -> Iterator[list[str] | str]:
        """The data rows' fields, or why a row is bad."""
        return self._rows

    def close(self) -> None:
        self._rows.close()
        self.text.close()
        self.raw.close()


def _utf8(text: str) -> bool:
    """Whether ``text`` was decoded without lone surrogates standing for undecodable bytes."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


Select = Callable[[list[str]], T | None]


def _batches(table: _Table, select: Select[T], skip: int, replay: bool, size: int) -> Generator[_Batch[T]]:
    """Batches of selected rows after the first ``skip`` rows, which are not selected or, with ``replay``,
    selected again for their side effects (filling an id set) and dropped. Bad rows after ``skip`` are
    counted in their batch; ``select`` raises BadRow for one.

    A batch also ends after ``50 * size`` rows read, so checkpoints move on through long stretches of
    rows that are not selected.
    """
    try:
        done = since = rows_bad = 0
        items: list[T] = []
        bad: list[SkippedRow] = []
        for row in table:
            done += 1
            try:
                if isinstance(row, str):
                    raise BadRow(row)
                item = select(row) if done > skip or replay else None
            except BadRow as error:
                item = None
                if done > skip:
                    rows_bad += 1
                    if len(bad) < SHOWN:
                        bad.append(SkippedRow(table.path.name, done + 1, str(error)))
            if done <= skip:
                continue
            since += 1
            if item is not None:
                items.append(item)
            if len(items) >= size or since >= 50 * size:
                yield _Batch(items, done, table.raw.tell(), False, rows_bad, bad)
                items, bad, since, rows_bad = [], [], 0, 0
        yield _Batch(items, done, table.raw.tell(), True, rows_bad, bad)
    finally:
        table.close()


class _Progress:
    """A rich progress bar per phase on stderr, or nothing when quiet."""

    def __init__(self, show: bool) -> None:
        self.bar = (
            Progress(
                TextColumn("{task.description:<11}"),
                BarColumn(),
                TextColumn("{task.percentage:>3.0f}%  {task.fields[rows]:>12,} rows"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
            )
            if show
            else None
        )

    def __enter__(self) -> _Progress:
        if self.bar:
            self.bar.start()
        return self

    def __exit__(self, *_: object) -> None:
        if self.bar:
            self.bar.stop()

    def task(self, name: str, path: Path) -> TaskID | None:
        return self.bar.add_task(name, total=path.stat().st_size, rows=0) if self.bar else None

    def update(self, task: TaskID | None, position: int, rows: int) -> None:
        if self.bar and task is not None:
            self.bar.update(task, completed=position, rows=rows)


class ImdbImporter:
    """Imports the dataset files in ``directory`` into ``db``; run it with ``await importer.run()``.

    ``restart`` ignores checkpoints (a full re-import); ``on_batch(phase, rows)`` is called
    after each committed batch (tests use it to interrupt a run).
    """

    def __init__(
        self,
        db: Database,
        directory: Path,
        options: ImportOptions = ImportOptions(),
        *,
        show_progress: bool = False,
        restart: bool = False,
        on_batch: Callable[[str, int], None] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()  # when rows were fetched (their fetched_at)
        self.directory = directory
        self.options = options
        self.show_progress = show_progress
        self.restart = restart
        self.on_batch = on_batch
        self.films = IdSet()  # tconst numbers of the films kept
        self.people = IdSet()  # nconst numbers of the people credited in them
        self.voted = IdSet()  # tconst numbers with enough votes (only with min_votes)
        self.report = ImportReport()
        self._fingerprint = ""

    def _path(self, name: str) -> Path:
        return self.directory / name

    def _check_files(self) -> None:
        missing = [name for name in REQUIRED if not self._path(name).is_file()]
        if self.options.min_votes is not None and not self._path(RATINGS).is_file():
            missing.append(RATINGS + " (needed for --min-votes)")
        if missing:
            raise InvalidInput(f"{self.directory} lacks IMDb dataset files: {', '.join(missing)}")
        for path in (self._path(name) for name in COLUMNS):  # refuse a file that is not IMDb's before writing
            if path.is_file():
                table = _Table(path)
                table.close()
                if table.empty:
                    self.report.warnings.append(f"{path} is empty: nothing was read from it")

    def _compute_fingerprint(self) -> str:
        """Identifies this input and these options: checkpoints of another input are not resumed."""
        files = {}
        for name in (*REQUIRED, AKAS, RATINGS):
            path = self._path(name)
            if path.is_file():
                stat = path.stat()
                files[name] = [stat.st_size, stat.st_mtime_ns]
        options = [sorted(self.options.title_types), self.options.min_votes]
        return hashlib.sha256(json.dumps([files, options]).encode()).hexdigest()[:16]

    async def _state(self, phase: str) -> tuple[int, bool]:
        """(rows done, finished) recorded for ``phase`` of this input."""
        if self.restart:
            return 0, False
        async with self.db.transaction() as session:
            value = await checkpoints.get(session, f"imdb:{phase}")
        if not value or value.get("fingerprint") != self._fingerprint:
            return 0, False
        return int(value["rows"]), bool(value["done"])

    async def run(self) -> ImportReport:
        self._check_files()
        self._fingerprint = self._compute_fingerprint()
        # Only phases with a file to read: one never run must not hold the others' replays pending forever.
        phases = ["titles", "names", "principals", "crew"]
        phases += [phase for phase, file in (("akas", AKAS), ("ratings", RATINGS)) if self._path(file).is_file()]
        states = {phase: await self._state(phase) for phase in phases}
        with _Progress(self.show_progress) as progress:
            self._progress = progress
            if self.options.min_votes is not None and not all(done for _, done in states.values()):
                await self._scan("scan:votes", RATINGS, self._select_voted)
            await self._phase("titles", BASICS, self._select_title, self._write_titles, states, replay=True)
            if not states["names"][1]:
                await self._scan("scan:cast", PRINCIPALS, self._select_principal_person)
                await self._scan("scan:crew", CREW, self._select_crew_people)
            await self._phase("names", NAMES, self._select_name, self._write_names, states)
            await self._phase("principals", PRINCIPALS, self._select_principal, self._write_principals, states)
            await self._phase("crew", CREW, self._select_crew, self._write_crew, states)
            if "akas" in states:
                await self._phase("akas", AKAS, self._select_aka, self._write_akas, states)
            if "ratings" in states:
                await self._phase("ratings", RATINGS, self._select_rating, self._write_ratings, states)
        async with self.db.transaction() as session:
            self.report.films, self.report.people = await bulk.source_counts(session, SOURCE)
        self.report.id_set_bytes = self.films.nbytes + self.people.nbytes + self.voted.nbytes
        return self.report

    # Driving the phases

    async def _scan(self, name: str, file: str, select: Select[Any]) -> None:
        """Read a whole file only to fill an id set; nothing is written."""
        stats = PhaseStats(name)
        started = time.perf_counter()
        task = self._progress.task(name, self._path(file))

        def read() -> None:
            for batch in _batches(_Table(self._path(file)), select, 0, False, self.options.batch_size):
                stats.rows_read = batch.rows
                self._progress.update(task, batch.position, batch.rows)

        await asyncio.to_thread(read)
        stats.seconds = time.perf_counter() - started
        self.report.phases.append(stats)

    async def _phase(
        self,
        name: str,
        file: str,
        select: Select[T],
        write: Callable[[AsyncSession, list[T]], Awaitable[int]],
        states: dict[str, tuple[int, bool]],
        *,
        replay: bool = False,
    ) -> None:
        """Stream ``file`` from its checkpoint, writing each batch with the checkpoint in one transaction.

        With ``replay`` the rows before the checkpoint are selected again without being written, so the
        id set the phase fills is whole; a finished phase is then only replayed when a later one needs it.
        """
        rows_done, finished = states[name]
        later_pending = any(not done for phase, (_, done) in states.items() if phase != name)
        stats = PhaseStats(name, skipped=finished)
        self.report.phases.append(stats)
        if finished and not (replay and later_pending):
            return
        started = time.perf_counter()
        task = self._progress.task(name, self._path(file))
        table = await asyncio.to_thread(_Table, self._path(file))
        batches = _batches(table, select, rows_done, replay, self.options.batch_size)
        upcoming: asyncio.Task[_Batch[T] | None] | None = asyncio.create_task(asyncio.to_thread(next, batches, None))
        try:
            while upcoming is not None and (batch := await upcoming) is not None:
                # Parse the next batch in a thread while this one is written.
                upcoming = None if batch.last else asyncio.create_task(asyncio.to_thread(next, batches, None))
                stats.rows_read = batch.rows if replay else batch.rows - rows_done
                if not finished:
                    async with self.db.transaction() as session:
                        stats.rows_written += await write(session, batch.items)
                        value = {"fingerprint": self._fingerprint, "rows": batch.rows, "done": batch.last}
                        await checkpoints.put(session, f"imdb:{name}", value)
                    stats.rows_bad += batch.rows_bad
                    self.report.bad_rows += batch.bad[: SHOWN - len(self.report.bad_rows)]
                    if self.on_batch:
                        self.on_batch(name, batch.rows)
                self._progress.update(task, batch.position, batch.rows)
        finally:
            if upcoming is not None:
                await asyncio.gather(upcoming, return_exceptions=True)
            batches.close()
            stats.seconds = time.perf_counter() - started

    # Selecting rows (in a worker thread): each returns what to write, or None to skip the row; a bad row
    # raises BadRow. Rows are lists of COLUMNS[file].

    def _select_voted(self, row: list[str]) -> None:
        votes = _int(row[2], "numVotes")
        if votes is not None and votes >= (self.options.min_votes or 0):
            self.voted.add(_number(row[0], "tt"))

    def _select_title(self, row: list[str]) -> _Title | None:
        if row[1] not in self.options.title_types or row[4] == "1":
            return None
        number = _number(row[0], "tt")
        if self.options.min_votes is not None and number not in self.voted:
            return None
        title, original = _text(row[2], "primaryTitle"), _value(row[3])
        film = {
            "imdb_id": row[0],
            "title": clip(title, TITLE_LENGTH),
            "original_title": clip(original, TITLE_LENGTH),
            "year": _int(row[5], "startYear"),
            "runtime_minutes": _int(row[7], "runtimeMinutes"),
            "genres": row[8].split(",") if _value(row[8]) else [],
            "countries": [],
            "languages": [],
            "popularity": 0.0,  # until the ratings phase
            "source": SOURCE,
        }
        names = [index_title(title, "primary")]
        if original and (other := index_title(original, "original")).key != names[0].key:
            names.append(other)
        self.films.add(number)
        return _Title(film, [n for n in names if n.key])

    def _principal(self, row: list[str]) -> tuple[str, int, int | None] | None:
        """(job, nconst number, ordering) of a principal credit kept, checked alike when scanned and imported."""
        if (job := CATEGORY_JOBS.get(row[3])) is None or _number(row[0], "tt") not in self.films:
            return None
        return job, _number(row[2], "nm"), _int(row[1], "ordering")

    def _select_principal_person(self, row: list[str]) -> None:
        if (principal := self._principal(row)) is not None:
            self.people.add(principal[1])

    def _select_crew_people(self, row: list[str]) -> None:
        if _number(row[0], "tt") in self.films:
            for _, number, _ in _crew(row):
                self.people.add(number)

    def _select_name(self, row: list[str]) -> dict[str, Any] | None:
        if _number(row[0], "nm") not in self.people:
            return None
        name = _text(row[1], "primaryName")
        return {"imdb_id": row[0], "name": clip(name, NAME_LENGTH), "folded": fold(name), "source": SOURCE}

    def _select_principal(self, row: list[str]) -> tuple[str, CreditRecord] | None:
        if (principal := self._principal(row)) is None:
            return None
        job, _, ordering = principal
        if job == "writer":
            detail = row[4].lower()
            job = "novel" if "novel" in detail else "screenplay" if "screenplay" in detail else "writer"
        cast = job == "actor"
        characters = tuple(_characters(row[5])) if cast else ()
        return row[0], CreditRecord(_person(row[2]), job, characters, ordering if cast else None, f"{row[0]}:{row[1]}")

    def _select_crew(self, row: list[str]) -> list[tuple[str, str, str]] | None:
        if _number(row[0], "tt") not in self.films:
            return None
        return [(row[0], nconst, job) for nconst, _, job in _crew(row)] or None

    def _select_aka(self, row: list[str]) -> tuple[str, IndexedTitle] | None:
        if _number(row[0], "tt") not in self.films:
            return None
        name = index_title(_text(row[2], "title"), "alternate")
        return (row[0], name) if name.key else None

    def _select_rating(self, row: list[str]) -> tuple[str, float] | None:
        if _number(row[0], "tt") not in self.films or (votes := _int(row[2], "numVotes")) is None:
            return None
        return row[0], popularity(votes)

    # Writing batches (in the batch's transaction): each returns the rows written.

    async def _write_titles(self, session: AsyncSession, items: list[_Title]) -> int:
        """Store the films with their titles alone: what an earlier import gave them (titles, credits) goes,
        and later phases add what the files say now.
        """
        items = _last(items, lambda item: item.film["imdb_id"])
        now = self.clock.now()
        ids = await bulk.upsert_films(session, [{**item.film, "fetched_at": now} for item in items], source=SOURCE)
        await bulk.clear_titles_and_credits(session, ids.values(), source=SOURCE)
        await _add_titles(session, [(ids.get(item.film["imdb_id"]), name) for item in items for name in item.names])
        return len(ids)

    async def _write_names(self, session: AsyncSession, rows: list[dict[str, Any]]) -> int:
        rows = _last(rows, lambda row: row["imdb_id"])
        now = self.clock.now()
        await bulk.upsert_people(session, [{**row, "fetched_at": now} for row in rows], source=SOURCE)
        return len(rows)

    async def _write_principals(self, session: AsyncSession, items: list[tuple[str, CreditRecord]]) -> int:
        films = await bulk.film_ids(session, (tconst for tconst, _ in items), source=SOURCE)
        people = await bulk.person_ids(session, (credit.person.ids.imdb or "" for _, credit in items))
        by_film: dict[int, list[CreditRecord]] = {}
        for tconst, credit in items:
            if (film_id := films.get(tconst)) is not None and credit.person.ids.imdb in people:
                by_film.setdefault(film_id, []).append(credit)
        now = self.clock.now()
        rows = [
            bulk.credit_row(film_id, people[credit.person.ids.imdb or ""], credit, source=SOURCE, fetched_at=now)
            for film_id, credits in by_film.items()
            for credit in merged_credits(credits)  # listed twice in one job: one credit with every character
        ]
        await bulk.upsert_credits(session, rows, replace=True)
        return len(rows)

    async def _write_crew(self, session: AsyncSession, items: list[list[tuple[str, str, str]]]) -> int:
        flat = [credit for item in items for credit in item]
        films = await bulk.film_ids(session, (c[0] for c in flat), source=SOURCE)
        people = await bulk.person_ids(session, (c[1] for c in flat))
        existing = await bulk.credit_keys(session, films.values())
        writing = {(f, p) for f, p, job in existing if job in WRITING_JOBS}
        now = self.clock.now()
        rows: dict[tuple[int, int, str], dict[str, Any]] = {}
        for tconst, nconst, job in flat:
            film_id, person_id = films.get(tconst), people.get(nconst)
            if film_id is None or person_id is None or (job == "writer" and (film_id, person_id) in writing):
                continue  # a principal credit already says how they wrote it
            if (film_id, person_id, job) not in rows:
                credit = CreditRecord(_person(nconst), job, external_ref=tconst)
                rows[(film_id, person_id, job)] = bulk.credit_row(
                    film_id, person_id, credit, source=SOURCE, fetched_at=now
                )
        await bulk.upsert_credits(session, list(rows.values()), replace=False)
        return len(rows)

    async def _write_akas(self, session: AsyncSession, items: list[tuple[str, IndexedTitle]]) -> int:
        films = await bulk.film_ids(session, (tconst for tconst, _ in items), source=SOURCE)
        return await _add_titles(session, [(films.get(tconst), name) for tconst, name in items])

    async def _write_ratings(self, session: AsyncSession, items: list[tuple[str, float]]) -> int:
        await bulk.set_popularity(session, dict(items), source=SOURCE)
        return len(items)


async def import_imdb(
    db: Database,
    directory: Path,
    options: ImportOptions = ImportOptions(),
    *,
    show_progress: bool = False,
    restart: bool = False,
    clock: Clock | None = None,
) -> ImportReport:
    """Import (or resume importing) the IMDb dataset files in ``directory``."""
    importer = ImdbImporter(db, directory, options, show_progress=show_progress, restart=restart, clock=clock)
    return await importer.run()
