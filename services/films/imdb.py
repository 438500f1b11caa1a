"""Import IMDb's non-commercial datasets (https://datasets.imdbws.com) into the catalogue.

IMDb's terms: personal, non-commercial use only, with the attribution "Information courtesy of IMDb
(https://www.imdb.com). Used with permission." The data must not be redistributed.

The files are streamed, never loaded: each phase reads one gzip TSV file once (the principals file has ~94M
rows) and commits every ``batch_size`` rows together with a checkpoint of the rows done, so a killed import
continues where it stopped and a re-run updates in place. Reading and row making (services.films.imdb_rows)
run beside the writes: in a child process for large files, on the second core (a thread would take turns
with the writes for the GIL), in a thread for small ones (a process takes a second to start). Rows are
written at the driver level (db.films.bulk.BulkLoader).

A file that is not IMDb's (another header) or not a whole gzip file stops the import with a sentence saying
so; a bad row is skipped and reported, so both back ends store the same rows. Re-importing replaces an IMDb
film's titles and IMDb credits with the new files'.

Phases: [ratings (scan)] → titles → people (scans) → names → principals → crew → [akas]. Ratings are read
first, so films and their title words are written with their popularity once, not updated afterwards.
After the import the query planner's statistics are refreshed, so the first search is planned like the
hundredth.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import multiprocessing
import queue
import time
from array import array
from collections.abc import AsyncGenerator, Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import Any, Protocol

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from db import Database, checkpoints
from db.films.bulk import BulkLoader, TitleRow
from services.clock import Clock, SystemClock
from services.errors import InvalidInput
from services.films import imdb_rows
from services.films.imdb_rows import (
    AKAS,
    BASICS,
    BITMAP_FREE,
    CHUNK,
    COLUMNS,
    CREW,
    EMPTY_MAP,
    NAMES,
    PRINCIPALS,
    RATINGS,
    SCAN_ROWS,
    SHOWN,
    BadRow,
    Chunk,
    Done,
    Films,
    IdSet,
    Job,
    NumberMap,
    Parser,
    SkippedRow,
    Table,
    Titles,
)

__all__ = ["BITMAP_FREE", "SHOWN", "IdSet", "ImdbImporter", "ImportOptions", "ImportReport", "import_imdb"]

log = logging.getLogger(__name__)

ATTRIBUTION = "Information courtesy of IMDb (https://www.imdb.com). Used with permission."
SOURCE = "imdb"
FORMAT = 2  # in the fingerprint: checkpoints of an importer that wrote other phases are not resumed
REQUIRED = (BASICS, PRINCIPALS, NAMES, CREW)
PROCESS_BYTES = 2 << 20  # files of this many compressed bytes in all are read in a child process
PROCESS_POLL = 1.0  # seconds between checks that the child process is still there while waiting for it
QUEUED_CHUNKS = 3  # chunks the child process may have ready before the writes take them
WRITING_JOBS = frozenset({"writer", "screenplay", "novel"})


@dataclass(frozen=True, slots=True)
class ImportOptions:
    title_types: frozenset[str] = frozenset({"movie"})
    min_votes: int | None = None  # needs title.ratings.tsv.gz
    batch_size: int = 100_000  # rows per transaction (and checkpoint)


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
    id_set_bytes: int = 0  # the most memory the id sets and maps kept between phases took at once
    bad_rows: list[SkippedRow] = field(default_factory=list)  # the first SHOWN of them
    warnings: list[str] = field(default_factory=list)
    parsed_in: str = "thread"  # where the files were read: "thread" or "process"

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


class _Reader(Protocol):
    """Runs parser jobs, yielding their chunks while the caller writes the one before."""

    done: Done  # the parser's sets after the last job

    def chunks(self, job: Job) -> AsyncGenerator[Chunk[Any]]: ...

    def close(self) -> None: ...


class _ThreadReader:
    """The parser in worker threads of this process, a chunk ahead of the writes."""

    def __init__(self, title_types: frozenset[str], min_votes: int | None) -> None:
        self.parser = Parser(title_types, min_votes)
        self.done = Done(self.parser.films, self.parser.people, self.parser.voted, 0)

    async def chunks(self, job: Job) -> AsyncGenerator[Chunk[Any]]:
        results = self.parser.run(job)
        upcoming = asyncio.create_task(asyncio.to_thread(next, results, None))
        try:
            while (result := await upcoming) is not None:
                if isinstance(result, Done):
                    self.done = result
                    return
                upcoming = asyncio.create_task(asyncio.to_thread(next, results, None))
                yield result
        finally:
            await asyncio.gather(upcoming, return_exceptions=True)
            results.close()

    def close(self) -> None:
        """Nothing runs between jobs."""


class _ProcessReader:
    """The parser in a child process (started fresh, "spawn": this process has threads), which keeps its sets
    between jobs; up to QUEUED_CHUNKS chunks wait for the writes. A job left unfinished stops the child.
    """

    def __init__(self, title_types: frozenset[str], min_votes: int | None) -> None:
        context = multiprocessing.get_context("spawn")
        self.jobs: Queue[Job | None] = context.Queue()
        self.results: Queue[Any] = context.Queue(QUEUED_CHUNKS)
        self.process = context.Process(
            target=imdb_rows.serve, args=(title_types, min_votes, self.jobs, self.results), daemon=True
        )
        self.process.start()
        self.done = Done(IdSet(), IdSet(), IdSet(), 0)

    def _next(self) -> Any:
        while True:
            try:
                return self.results.get(timeout=PROCESS_POLL)
            except queue.Empty:
                if not self.process.is_alive():
                    raise RuntimeError(f"the IMDb file reader stopped (exit code {self.process.exitcode})") from None

    async def chunks(self, job: Job) -> AsyncGenerator[Chunk[Any]]:
        self.jobs.put(job)
        finished = False
        upcoming = asyncio.create_task(asyncio.to_thread(self._next))
        try:
            while True:
                result = await upcoming
                if isinstance(result, BaseException):
                    finished = True
                    raise result
                if isinstance(result, Done):
                    self.done, finished = result, True
                    return
                upcoming = asyncio.create_task(asyncio.to_thread(self._next))
                yield result
        finally:
            if not finished:
                self.process.kill()  # mid-job: its chunks are not wanted
            await asyncio.gather(upcoming, return_exceptions=True)

    def close(self) -> None:
        if self.process.is_alive():
            self.jobs.put(None)
            self.process.join(PROCESS_POLL)
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.jobs.close()
        self.results.close()


Write = Callable[[BulkLoader, Any], Awaitable[int]]


class ImdbImporter:
    """Imports the dataset files in ``directory`` into ``db``; run it with ``await importer.run()``.

    ``restart`` ignores checkpoints (a full re-import); ``on_batch(phase, rows)`` is called
    after each committed batch (tests use it to interrupt a run). ``in_process`` reads the files in a child
    process (True), a thread (False), or whichever suits their size (None).
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
        in_process: bool | None = None,
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()  # when rows were fetched (their fetched_at)
        self.directory = directory
        self.options = options
        self.show_progress = show_progress
        self.restart = restart
        self.on_batch = on_batch
        self.in_process = in_process
        self.report = ImportReport()
        self._reader: _Reader = _ThreadReader(options.title_types, options.min_votes)
        self._fingerprint = ""

    @property
    def films(self) -> IdSet:
        """tconst numbers of the films kept."""
        return self._reader.done.films

    @property
    def people(self) -> IdSet:
        """nconst numbers of the people credited in them."""
        return self._reader.done.people

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
                table = Table(path)
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
        return hashlib.sha256(json.dumps([FORMAT, files, options]).encode()).hexdigest()[:16]

    async def _state(self, phase: str) -> tuple[int, bool]:
        """(rows done, finished) recorded for ``phase`` of this input."""
        async with self.db.transaction() as session:
            value = await checkpoints.get(session, f"imdb:{phase}")
        if not value or value.get("fingerprint") != self._fingerprint:
            return 0, False
        return int(value["rows"]), bool(value["done"])

    def _kept(self, *maps: NumberMap) -> None:
        """Note the memory the sets and ``maps`` kept between phases take now."""
        done = self._reader.done
        memory = done.films.nbytes + done.people.nbytes + done.voted.nbytes + done.popularity_bytes
        self.report.id_set_bytes = max(self.report.id_set_bytes, memory + sum(m.nbytes for m in maps))

    def _use_process(self) -> bool:
        if self.in_process is not None:
            return self.in_process
        size = sum(self._path(name).stat().st_size for name in COLUMNS if self._path(name).is_file())
        return size >= PROCESS_BYTES

    async def run(self) -> ImportReport:
        self._check_files()
        self._fingerprint = self._compute_fingerprint()
        # Only phases with a file to read: one never run must not hold the others' replays pending forever.
        phases = ["titles", "names", "principals", "crew"] + (["akas"] if self._path(AKAS).is_file() else [])
        if self.restart:  # a restart stopped half-way must not resume phases the earlier run had finished
            async with self.db.transaction() as session:
                for phase in phases:
                    await checkpoints.put(session, f"imdb:{phase}", {"fingerprint": "", "rows": 0, "done": False})
        states = {phase: await self._state(phase) for phase in phases}
        pending = {phase for phase, (_, done) in states.items() if not done}
        if pending and self._use_process():
            self._reader = _ProcessReader(self.options.title_types, self.options.min_votes)
            self.report.parsed_in = "process"
        try:
            with _Progress(self.show_progress) as progress:
                self._progress = progress
                async with BulkLoader.open(self.db, SOURCE, self.clock.now()) as loader:
                    await self._run(loader, states, pending)
                    self.report.films, self.report.people = await loader.counts()
                    await loader.refresh_statistics()
        finally:
            self._reader.close()
        return self.report

    async def _run(self, loader: BulkLoader, states: dict[str, tuple[int, bool]], pending: set[str]) -> None:
        min_votes = self.options.min_votes
        if self._path(RATINGS).is_file() and ("titles" in pending or (min_votes is not None and pending)):
            await self._scan("ratings", RATINGS, counted=True)
        await self._phase("titles", BASICS, self._write_titles, loader, states, replay=True)
        self._kept()
        film_ids = await self._film_ids(loader) if pending & {"principals", "crew", "akas"} else EMPTY_MAP
        if "names" in pending:
            await self._scan("cast", PRINCIPALS)
            await self._scan("crew people", CREW)
        await self._phase("names", NAMES, self._write_names, loader, states)
        person_ids = await self._person_ids(loader) if pending & {"principals", "crew"} else EMPTY_MAP
        self._kept(film_ids, person_ids)
        for phase, file, write in (
            ("principals", PRINCIPALS, self._write_principals),
            ("crew", CREW, self._write_crew),
        ):
            await self._phase(phase, file, write, loader, states, film_ids=film_ids, person_ids=person_ids)
        if "akas" in states:
            await self._phase("akas", AKAS, self._write_akas, loader, states, film_ids=film_ids)

    # Driving the phases

    async def _scan(self, name: str, file: str, *, counted: bool = False) -> None:
        """Read a whole file only to fill the parser's sets or maps; nothing is written. Bad rows are
        ``counted`` for a file no phase reads again.
        """
        stats = PhaseStats(f"scan:{name.split()[0]}")
        started = time.perf_counter()
        task = self._progress.task(stats.name, self._path(file))
        async with contextlib.aclosing(self._reader.chunks(Job(name, self._path(file)))) as chunks:
            async for chunk in chunks:
                stats.rows_read = chunk.rows
                if counted:
                    stats.rows_bad += chunk.rows_bad
                    self.report.bad_rows += chunk.bad[: SHOWN - len(self.report.bad_rows)]
                self._progress.update(task, chunk.position, chunk.rows)
        stats.seconds = time.perf_counter() - started
        self.report.phases.append(stats)

    async def _phase(
        self,
        name: str,
        file: str,
        write: Write,
        loader: BulkLoader,
        states: dict[str, tuple[int, bool]],
        *,
        replay: bool = False,
        film_ids: NumberMap = EMPTY_MAP,
        person_ids: NumberMap = EMPTY_MAP,
    ) -> None:
        """Stream ``file`` from its checkpoint, committing every ``batch_size`` rows with the checkpoint.

        With ``replay`` the rows before the checkpoint are selected again without being written, so the
        id set the phase fills is whole; a finished phase is then only replayed when a later one needs it.
        """
        rows_done, finished = states[name]
        start = rows_done
        later_pending = any(not done for phase, (_, done) in states.items() if phase != name)
        stats = PhaseStats(name, skipped=finished)
        self.report.phases.append(stats)
        if finished and not (replay and later_pending):
            return
        started = time.perf_counter()
        task = self._progress.task(name, self._path(file))
        size = self.options.batch_size
        job = Job(name, self._path(file), rows_done, replay, min(size, CHUNK), film_ids, person_ids)
        written = read = 0  # since the last commit
        in_transaction = False
        try:
            async with contextlib.aclosing(self._reader.chunks(job)) as chunks:
                async for chunk in chunks:
                    stats.rows_read = chunk.rows if replay else chunk.rows - start
                    if not finished:
                        if not in_transaction:
                            await loader.begin()
                            in_transaction = True
                        stats.rows_written += await write(loader, chunk.payload)
                        stats.rows_bad += chunk.rows_bad
                        self.report.bad_rows += chunk.bad[: SHOWN - len(self.report.bad_rows)]
                        written, read = written + chunk.selected, read + chunk.rows - rows_done
                        rows_done = chunk.rows
                        if chunk.last or written >= size or read >= SCAN_ROWS * size:
                            value = {"fingerprint": self._fingerprint, "rows": chunk.rows, "done": chunk.last}
                            await loader.commit(f"imdb:{name}", value)
                            in_transaction, written, read = False, 0, 0
                            if self.on_batch:
                                self.on_batch(name, chunk.rows)
                    self._progress.update(task, chunk.position, chunk.rows)
        finally:
            if in_transaction:
                await loader.rollback()
            stats.seconds = time.perf_counter() - started

    async def _film_ids(self, loader: BulkLoader) -> NumberMap:
        """tconst number → (film id, popularity) of the source's films."""
        numbers, ids, popularities = array("q"), array("q"), array("d")
        async for part in loader.films():
            for imdb_id, film_id, popularity in part:
                try:
                    numbers.append(imdb_rows.number(imdb_id, "tt"))
                except BadRow:
                    continue
                ids.append(film_id)
                popularities.append(popularity)
        return NumberMap(numbers, ids, popularities)

    async def _person_ids(self, loader: BulkLoader) -> NumberMap:
        """nconst number → person id of the people credited in the kept films (of every person with an IMDb id
        when the names phase was done by an earlier run, which left the people set empty).
        """
        people = self.people
        everyone = not len(people)
        numbers, ids = array("q"), array("q")
        async for part in loader.people():
            for imdb_id, person_id in part:
                try:
                    person = imdb_rows.number(imdb_id, "nm")
                except BadRow:
                    continue
                if everyone or person in people:
                    numbers.append(person)
                    ids.append(person_id)
        return NumberMap(numbers, ids)

    # Writing chunks (in the open transaction): each returns the rows written.

    async def _write_titles(self, loader: BulkLoader, chunk: Films) -> int:
        """Store the films with their titles alone: what an earlier import gave them (titles, credits) goes,
        and later phases add what the files say now.
        """
        ids = await loader.upsert_films(chunk.films)
        await loader.clear_titles_and_credits(list(ids.values()))
        places = [ids.get(film[0], 0) for film in chunk.films]  # 0: held by another source
        titles: list[TitleRow] = [(places[at], title, key, kind) for at, title, key, kind in chunk.titles if places[at]]
        words = [(word, places[at], score) for word, at, score in chunk.words if places[at]]
        starts = [(start, places[at], score) for start, at, score in chunk.prefixes if places[at]]
        await loader.add_titles(titles, words, starts)
        return len(ids)

    async def _write_names(self, loader: BulkLoader, rows: list[Any]) -> int:
        await loader.upsert_people(rows)
        return len(rows)

    async def _write_principals(self, loader: BulkLoader, rows: list[Any]) -> int:
        await loader.upsert_credits(rows)
        return len(rows)

    async def _write_crew(self, loader: BulkLoader, rows: list[Any]) -> int:
        await loader.add_crew(rows, WRITING_JOBS)  # a principal credit already says how they wrote it
        return len(rows)

    async def _write_akas(self, loader: BulkLoader, chunk: Titles) -> int:
        await loader.add_titles(chunk.titles, chunk.words, chunk.prefixes)
        return len(chunk.titles)


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
