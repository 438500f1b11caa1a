"""Reading IMDb's dataset files and turning their rows into catalogue rows: the part of the IMDb import
(services.films.imdb) that runs beside the database writes, in a worker thread or, for large files, a child
process (``serve``), so parsing uses the second core instead of taking turns with the writes for the GIL.

A ``Parser`` runs ``Job``s: each reads one file from a checkpoint and yields ``Chunk``s whose payload is what
the writer stores (tuples in db.films.bulk's orders), then a ``Done`` with the sets it keeps between jobs.
What has to be remembered between phases is kept compact: sets of ids (the kept films, the credited people) in
an IdSet, a bitmap over IMDb's dense numeric ids, about 4 MB for every title id in existence; the database ids
of films and people, and titles' popularity, in a NumberMap, two sorted arrays (16 bytes a film or person).

Real files are checked as they are read: a file that is not a whole gzip file stops the import with
InvalidInput; a bad row (not UTF-8, a NUL, too long, the wrong number of columns, a number or id that does not
parse or fit its column, no title) is skipped and reported with its line, so both back ends store the same rows.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import math
import pickle
import re
import sys
import zlib
from array import array
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

import numpy as np
from numpy.typing import NDArray

from db.films.bulk import CreditRow, CrewRow, FilmRow, IndexRow, PersonRow, TitleRow
from db.films.keys import NAME_LENGTH, TITLE_LENGTH, clip, fold, index_title, prefixes
from services.errors import InvalidInput

NULL = "\\N"
BASICS = "title.basics.tsv.gz"
PRINCIPALS = "title.principals.tsv.gz"
NAMES = "name.basics.tsv.gz"
CREW = "title.crew.tsv.gz"
AKAS = "title.akas.tsv.gz"
RATINGS = "title.ratings.tsv.gz"
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
READ_BYTES = 1 << 20  # decompressed bytes read at a time
ID_DIGITS = 10  # "tt" and 10 digits fill films.imdb_id and people.imdb_id; IMDb's ids have 7 or 8
INT_MAX = 2**31 - 1  # INTEGER columns (year, runtime, billing) on PostgreSQL
SHOWN = 10  # bad rows described in the report; the rest are counted
BITMAP_FREE = 1 << 20  # bytes an IdSet's bitmap may take whatever it holds (ids below 8,388,608)
BITMAP_BYTES_PER_ID = 16  # beyond that, bytes of bitmap per id held (a set costs about 70 per id)
CHUNK = 5000  # rows selected per chunk (a transaction holds batch_size rows, several chunks)
SCAN_ROWS = 50  # a chunk also ends after SCAN_ROWS * its size rows read, so checkpoints move on past skipped rows

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


class NumberMap:
    """Values by IMDb number in sorted arrays (8 bytes a number and 8 a value), looked up a batch at a time.

    Built from a column of numbers and columns of values in any order; a number given twice keeps its last
    values. A film's or person's database id, a title's popularity: a dict would take ~100 bytes an entry.
    """

    def __init__(self, numbers: array[int], *values: array[int] | array[float]) -> None:
        keys: NDArray[np.int64] = np.frombuffer(numbers, dtype=np.int64) if numbers else np.empty(0, np.int64)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        last = np.ones(len(keys), dtype=bool)
        last[:-1] = keys[1:] != keys[:-1]
        self.keys = keys[last]
        self.values = [np.asarray(column)[order][last] for column in values]

    def get(self, numbers: Sequence[int], column: int = 0, default: float = 0) -> list[Any]:
        """The values in ``column`` of ``numbers``, ``default`` for a number not in the map."""
        if not len(self.keys) or not numbers:
            return [default] * len(numbers)
        wanted = np.array(numbers, dtype=np.int64)
        at = np.minimum(np.searchsorted(self.keys, wanted), len(self.keys) - 1)
        found = self.keys[at] == wanted
        return np.where(found, self.values[column][at], default).tolist()  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self.keys)

    @property
    def nbytes(self) -> int:
        return int(self.keys.nbytes + sum(column.nbytes for column in self.values))


EMPTY_MAP = NumberMap(array("q"))


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


def number(imdb_id: str, prefix: str) -> int:
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
    if len(text) <= 10 and text.isascii() and text.isdigit() and (found := int(text)) <= INT_MAX:
        return found
    raise BadRow(f"{column} {_shown(text)} is not a whole number up to {INT_MAX:,}")


_SIMPLE_CHARACTERS = re.compile(r'\["[^"\\]*"(?:,"[^"\\]*")*\]')


def characters(text: str) -> str:
    """The JSON stored for a principal's characters, as json.dumps writes the list: ``["Self","Host"]`` →
    ``["Self", "Host"]``, names stripped and blank ones dropped; ``\\N`` or malformed → ``[]``.
    """
    if text == NULL or not text.startswith("["):
        return "[]"
    if (
        text.isascii()
        and text.isprintable()
        and _SIMPLE_CHARACTERS.fullmatch(text)
        and '" ' not in text
        and ' "' not in text
        and '""' not in text
    ):  # plain names, none blank or padded: what json.dumps writes but for the separators
        return text.replace('","', '", "')
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: brackets nested thousands deep
        return "[]"
    return json.dumps([str(c).strip() for c in parsed if str(c).strip()] if isinstance(parsed, list) else [])


def _merged(earlier: CreditRow, later: CreditRow) -> CreditRow:
    """One credit of a person listed twice in one job of a film: every character, the best billing, the first
    external ref.
    """
    cast = json.dumps(list(dict.fromkeys(json.loads(earlier[4]) + json.loads(later[4]))))
    billings = [b for b in (earlier[5], later[5]) if b is not None]
    return (*earlier[:4], cast, min(billings, default=None), earlier[6] or later[6])


def _crew(row: list[str]) -> list[tuple[int, str]]:
    """(nconst number, job) of each director and writer in a title.crew row."""
    return [
        (number(nconst, "nm"), job)
        for job, column in (("director", row[1]), ("writer", row[2]))
        if column != NULL
        for nconst in column.split(",")
    ]


def _last(items: list[T], key: Callable[[T], Any]) -> list[T]:
    """One item per key, the last one listed: an id listed twice in a batch is upserted once."""
    return list({key(item): item for item in items}.values())


def popularity(votes: int) -> float:
    """IMDb votes on a log scale: 10 per decade (1,000 votes → 30, 1M → 60)."""
    return round(10 * math.log10(1 + votes), 3)


def _utf8(text: str) -> bool:
    """Whether ``text`` was decoded without lone surrogates standing for undecodable bytes."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


class Table:
    """One IMDb dataset file (gzip TSV with IMDb's header) read row by row: no quoting (titles contain quotes),
    ``\\N`` is null. A file that is not one stops the import with InvalidInput; ``empty`` tells one without a header
    (0 bytes).

    It is read a megabyte at a time and checked a block of lines at a time; only a block with something odd in
    it (a NUL, a carriage return, undecodable bytes, a very long line) is checked line by line.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.columns = COLUMNS[path.name]
        self.raw: IO[bytes] = path.open("rb")
        self.gzip = gzip.GzipFile(fileobj=self.raw, mode="rb")
        self.lines = 0  # lines read, the header's included
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

    def _blocks(self) -> Iterator[tuple[str, bool]]:
        """The file's text a block of whole lines at a time, undecodable bytes as lone surrogates (so one bad
        line does not end the file), and whether the block's first line is the end of a line longer than
        MAX_LINE characters, whose start was dropped.
        """
        pending = b""  # the start of a line whose end is not read yet
        too_long = False  # the pending line is longer than MAX_LINE: its bytes are dropped
        while True:
            try:
                data = self.gzip.read1(READ_BYTES)
            except (OSError, EOFError, zlib.error) as error:
                raise InvalidInput(
                    f"{self.path} is not a whole gzip file (reading stopped at line {self.lines + 1:,}: {error}); "
                    "download it again"
                ) from None
            if not data:
                break
            end = data.rfind(b"\n")
            if end < 0:
                if not too_long:
                    pending += data
                    if len(pending) >= 4 * MAX_LINE:  # UTF-8 takes at most 4 bytes a character
                        pending, too_long = b"", True
                continue
            yield ((b"" if too_long else pending) + data[:end]).decode("utf-8", "surrogateescape"), too_long
            pending, too_long = data[end + 1 :], False
        if pending or too_long:
            yield pending.decode("utf-8", "surrogateescape"), too_long

    def _read(self) -> Generator[list[str] | str]:
        """Each line's fields (the header's first), or why the line is bad."""
        width = len(self.columns)
        for text, cut in self._blocks():
            lines = text.split("\n")
            header = self.lines == 0
            self.lines += len(lines)
            if (
                not cut
                and "\x00" not in text
                and "\r" not in text
                and (text.isascii() or _utf8(text))
                and max(map(len, lines)) < MAX_LINE
            ):
                rows = (line.split("\t") for line in lines)
                if header:
                    yield next(rows)
                for fields in rows:
                    yield fields if len(fields) == width else f"has {len(fields)} columns instead of {width}"
                continue
            for index, line in enumerate(lines):
                if (cut and index == 0) or len(line) >= MAX_LINE:
                    yield f"is longer than {MAX_LINE:,} characters"
                elif "\x00" in line:
                    yield "has a NUL character"
                elif not line.isascii() and not _utf8(line):
                    yield "is not UTF-8"
                elif len(fields := line.rstrip("\r").split("\t")) != width and not header:
                    yield f"has {len(fields)} columns instead of {width}"
                else:
                    yield fields
                header = False

    def __iter__(self) -> Iterator[list[str] | str]:
        """The data rows' fields, or why a row is bad."""
        return self._rows

    def close(self) -> None:
        self._rows.close()
        self.gzip.close()
        self.raw.close()


@dataclass(frozen=True, slots=True)
class Films:
    """A chunk of title.basics: films, and their titles, words and prefixes by the film's place in ``films``
    (the writer puts in the ids the films get).
    """

    films: list[FilmRow]
    titles: list[tuple[int, str, str, str]]  # (place, title, key, kind)
    words: list[tuple[str, int, float]]  # (word, place, popularity)
    prefixes: list[tuple[str, int, float]]


@dataclass(frozen=True, slots=True)
class Titles:
    titles: list[TitleRow]
    words: list[IndexRow]
    prefixes: list[IndexRow]


@dataclass(frozen=True, slots=True)
class Chunk(Generic[T]):
    payload: T  # what the writer stores
    selected: int  # rows selected
    rows: int  # data rows consumed from the start of the file
    position: int  # compressed bytes read, for the progress bar
    last: bool
    rows_bad: int
    bad: list[SkippedRow]  # the first SHOWN bad rows of the chunk


@dataclass(frozen=True, slots=True)
class Job:
    """Read ``path`` for a phase: "ratings", "titles", "cast" and "crew people" (scans: the people credited),
    "names", "principals", "crew" or "akas". The first ``skip`` rows are passed over, or with ``replay`` selected
    again only to fill the sets. Credits and alternate titles are given their films' and people's ids.
    """

    phase: str
    path: Path
    skip: int = 0
    replay: bool = False
    size: int = CHUNK
    film_ids: NumberMap = EMPTY_MAP  # tconst number → (film id, popularity) of the source's films
    person_ids: NumberMap = EMPTY_MAP  # nconst number → person id


@dataclass(frozen=True, slots=True)
class Done:
    """The end of a job: the sets the parser keeps, as they are after it."""

    films: IdSet  # tconst numbers of the films kept
    people: IdSet  # nconst numbers of the people credited in them
    voted: IdSet  # tconst numbers with enough votes (with min_votes)
    popularity_bytes: int  # memory of the ratings kept for the titles


@dataclass
class _Title:
    number: int
    row: tuple[str, str, str | None, int | None, int | None, str]  # a FilmRow without its popularity
    titles: list[tuple[str, str, str]]  # (title, key, kind), one per key
    words: list[str]
    prefixes: list[str]


@dataclass
class Parser:
    """Turns the files' rows into the rows the catalogue stores, a job at a time, keeping between jobs the sets
    of films and people kept and the ratings read.
    """

    title_types: frozenset[str]
    min_votes: int | None
    films: IdSet = field(default_factory=IdSet)
    people: IdSet = field(default_factory=IdSet)
    voted: IdSet = field(default_factory=IdSet)
    popularity: NumberMap = EMPTY_MAP
    _rated: array[int] = field(default_factory=lambda: array("q"))  # title.ratings as read, until its map is made
    _rating: array[float] = field(default_factory=lambda: array("d"))

    def run(self, job: Job) -> Generator[Chunk[Any] | Done]:
        """The job's chunks, then its Done."""
        select: Callable[[list[str]], Any] = getattr(self, f"_select_{job.phase.replace(' ', '_')}")
        finish: Callable[[list[Any], Job], Any] = getattr(self, f"_finish_{job.phase.replace(' ', '_')}", _none)
        yield from chunks(Table(job.path), select, lambda items: finish(items, job), job.skip, job.replay, job.size)
        if job.phase == "ratings":
            self.popularity = NumberMap(self._rated, self._rating)
            self._rated, self._rating = array("q"), array("d")
        elif job.phase == "titles":
            self.popularity = EMPTY_MAP  # only the titles phase needs it
        yield Done(self.films, self.people, self.voted, self.popularity.nbytes)

    # Selecting rows: each returns what to keep of a row, or None to skip it; a bad row raises BadRow. Rows are
    # lists of COLUMNS[file].

    def _select_ratings(self, row: list[str]) -> None:
        title, votes = number(row[0], "tt"), _int(row[2], "numVotes")
        if votes is None:
            return
        if self.min_votes is not None and votes >= self.min_votes:
            self.voted.add(title)
        self._rated.append(title)
        self._rating.append(popularity(votes))

    def _select_titles(self, row: list[str]) -> _Title | None:
        if row[1] not in self.title_types or row[4] == "1":
            return None
        title_number = number(row[0], "tt")
        if self.min_votes is not None and title_number not in self.voted:
            return None
        title, original = _text(row[2], "primaryTitle"), _value(row[3])
        year, runtime = _int(row[5], "startYear"), _int(row[7], "runtimeMinutes")
        genres = json.dumps(row[8].split(",") if _value(row[8]) else [])
        names = [index_title(title, "primary")]
        if original and (other := index_title(original, "original")).key != names[0].key:
            names.append(other)
        names = [name for name in names if name.key]
        words = set().union(*(name.words for name in names))
        self.films.add(title_number)
        return _Title(
            title_number,
            (row[0], clip(title, TITLE_LENGTH), clip(original, TITLE_LENGTH), year, runtime, genres),
            [(name.title, name.key, name.kind) for name in names],
            sorted(words),
            sorted(prefixes(words)),
        )

    def _principal(self, row: list[str]) -> tuple[int, str, int, int | None] | None:
        """(tconst number, job, nconst number, ordering) of a principal credit kept, checked alike when scanned
        and imported.
        """
        if (job := CATEGORY_JOBS.get(row[3])) is None or (film := number(row[0], "tt")) not in self.films:
            return None
        return film, job, number(row[2], "nm"), _int(row[1], "ordering")

    def _select_cast(self, row: list[str]) -> None:
        if (principal := self._principal(row)) is not None:
            self.people.add(principal[2])

    def _select_crew_people(self, row: list[str]) -> None:
        if number(row[0], "tt") in self.films:
            for person, _ in _crew(row):
                self.people.add(person)

    def _select_names(self, row: list[str]) -> PersonRow | None:
        if number(row[0], "nm") not in self.people:
            return None
        name = _text(row[1], "primaryName")
        return row[0], clip(name, NAME_LENGTH), fold(name)

    def _select_principals(self, row: list[str]) -> tuple[int, int, str, str, int | None, str] | None:
        """(tconst number, nconst number, job, characters, billing, external ref)."""
        if (principal := self._principal(row)) is None:
            return None
        film, job, person, ordering = principal
        if job == "actor":
            return film, person, job, characters(row[5]), ordering, f"{row[0]}:{row[1]}"
        if job == "writer":
            detail = row[4].lower()
            job = "novel" if "novel" in detail else "screenplay" if "screenplay" in detail else "writer"
        return film, person, job, "[]", None, f"{row[0]}:{row[1]}"

    def _select_crew(self, row: list[str]) -> tuple[int, str, list[tuple[int, str]]] | None:
        """(tconst number, tconst, its directors' and writers' (nconst number, job))."""
        if (film := number(row[0], "tt")) not in self.films:
            return None
        return (film, row[0], crew) if (crew := _crew(row)) else None

    def _select_akas(self, row: list[str]) -> tuple[int, str, str, frozenset[str]] | None:
        """(tconst number, title, key, words)."""
        if (film := number(row[0], "tt")) not in self.films:
            return None
        name = index_title(_text(row[2], "title"), "alternate")
        return (film, name.title, name.key, name.words) if name.key else None

    # Finishing chunks: the selected rows of a chunk as the writer stores them.

    def _finish_titles(self, items: list[_Title], job: Job) -> Films:
        items = _last(items, lambda item: item.number)
        scores = self.popularity.get([item.number for item in items])
        films: list[FilmRow] = [(*item.row, score) for item, score in zip(items, scores, strict=True)]
        titles: list[tuple[int, str, str, str]] = []
        words: list[tuple[str, int, float]] = []
        starts: list[tuple[str, int, float]] = []
        for place, (item, score) in enumerate(zip(items, scores, strict=True)):
            titles += [(place, title, key, kind) for title, key, kind in item.titles]
            words += [(word, place, score) for word in item.words]
            starts += [(start, place, score) for start in item.prefixes]
        return Films(films, titles, words, starts)

    def _finish_names(self, rows: list[PersonRow], job: Job) -> list[PersonRow]:
        return _last(rows, lambda row: row[0])

    def _finish_principals(self, items: list[tuple[int, int, str, str, int | None, str]], job: Job) -> list[CreditRow]:
        film_ids = job.film_ids.get([item[0] for item in items])
        person_ids = job.person_ids.get([item[1] for item in items])
        rows: dict[tuple[int, int, str], CreditRow] = {}
        for (_, _, job_, cast, billing, ref), film_id, person_id in zip(items, film_ids, person_ids, strict=True):
            if film_id and person_id:
                row: CreditRow = (film_id, person_id, "cast" if job_ == "actor" else "crew", job_, cast, billing, ref)
                key = (film_id, person_id, job_)
                # Listed twice in one job: one credit with every character.
                rows[key] = _merged(rows[key], row) if key in rows else row
        return list(rows.values())

    def _finish_crew(self, items: list[tuple[int, str, list[tuple[int, str]]]], job: Job) -> list[CrewRow]:
        flat = [(film, tconst, person, job_) for film, tconst, crew in items for person, job_ in crew]
        film_ids = job.film_ids.get([credit[0] for credit in flat])
        person_ids = job.person_ids.get([credit[2] for credit in flat])
        rows: dict[tuple[int, int, str], CrewRow] = {}
        for (_, tconst, _, job_), film_id, person_id in zip(flat, film_ids, person_ids, strict=True):
            if film_id and person_id:
                rows.setdefault((film_id, person_id, job_), (film_id, person_id, job_, tconst))
        return list(rows.values())

    def _finish_akas(self, items: list[tuple[int, str, str, frozenset[str]]], job: Job) -> Titles:
        numbers = [item[0] for item in items]
        film_ids, scores = job.film_ids.get(numbers), job.film_ids.get(numbers, column=1)
        titles: dict[tuple[int, str], TitleRow] = {}
        words: dict[tuple[str, int], float] = {}
        for (_, title, key, found), film_id, score in zip(items, film_ids, scores, strict=True):
            if film_id and (film_id, key) not in titles:  # one title per key, the first one given
                titles[(film_id, key)] = (film_id, title, key, "alternate")
                words.update(((word, film_id), score) for word in found)
        starts = {(start, film_id): score for (word, film_id), score in words.items() for start in prefixes({word})}
        return Titles(
            list(titles.values()),
            [(word, film_id, score) for (word, film_id), score in words.items()],
            [(start, film_id, score) for (start, film_id), score in starts.items()],
        )


def _none(items: list[Any], job: Job) -> None:
    return None


def chunks(
    table: Table,
    select: Callable[[list[str]], T | None],
    finish: Callable[[list[T]], Any],
    skip: int,
    replay: bool,
    size: int,
) -> Generator[Chunk[Any]]:
    """Chunks of the rows ``select`` keeps after the first ``skip`` rows, which are not selected or, with
    ``replay``, selected again for their side effects (filling an id set) and dropped; ``finish`` turns a
    chunk's selected rows into its payload. Bad rows after ``skip`` are counted in their chunk; ``select``
    raises BadRow for one.

    A chunk also ends after ``SCAN_ROWS * size`` rows read, so checkpoints move on through long stretches of
    rows that are not selected.
    """
    try:
        done = since = rows_bad = 0
        items: list[T] = []
        bad: list[SkippedRow] = []
        for row in table:
            done += 1
            if done <= skip:
                if replay and not isinstance(row, str):
                    with contextlib.suppress(BadRow):
                        select(row)
                continue
            try:
                if isinstance(row, str):
                    raise BadRow(row)
                if (item := select(row)) is not None:
                    items.append(item)
            except BadRow as error:
                rows_bad += 1
                if len(bad) < SHOWN:
                    bad.append(SkippedRow(table.path.name, done + 1, str(error)))
            since += 1
            if len(items) >= size or since >= SCAN_ROWS * size:
                yield Chunk(finish(items), len(items), done, table.raw.tell(), False, rows_bad, bad)
                items, bad, since, rows_bad = [], [], 0, 0
        yield Chunk(finish(items), len(items), done, table.raw.tell(), True, rows_bad, bad)
    finally:
        table.close()


def _picklable(error: BaseException) -> BaseException:
    """``error``, or a RuntimeError saying what it was if it cannot be sent to the parent process."""
    try:
        pickle.dumps(error)
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error


def serve(title_types: frozenset[str], min_votes: int | None, jobs: Queue[Job | None], results: Queue[Any]) -> None:
    """A child process's loop: run the jobs received on ``jobs`` until None, putting each job's chunks and Done
    (or the exception that stopped it) on ``results``.
    """
    parser = Parser(title_types, min_votes)
    while (job := jobs.get()) is not None:
        try:
            for result in parser.run(job):
                results.put(result)
        except BaseException as error:
            results.put(_picklable(error))
            if not isinstance(error, Exception):
                raise
