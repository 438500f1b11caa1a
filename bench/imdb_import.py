"""Benchmark the IMDb importer on generated files in the datasets' format.

    python -m bench.imdb_import [--principals 1000000] [--batch-size 5000] [--tracemalloc]

Generates deterministic IMDb-format files (title.basics, title.principals, name.basics, title.crew,
title.akas, title.ratings) into a temporary directory, imports them into a fresh SQLite file, and
into a throw-away PostgreSQL database too when FILMCLUB_TEST_DATABASE_URL is set. Prints rows/s per
phase, total time, peak memory and the ratio of peak memory to input size. Run it at two sizes to
see that memory does not grow with the files.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import os
import random
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

from bench.databases import scratch_database
from db import Database, migrate
from services.films.imdb import ImportOptions, ImportReport, import_imdb

N = "\\N"
WORDS = (
    "never", "let", "me", "go", "the", "night", "of", "long", "knives",
    "river", "city", "blue", "red", "man", "woman", "house", "dark", "light",
)  # fmt: skip
OTHER_TYPES = ["tvSeries", "tvEpisode", "short", "tvMovie", "video"]
CATEGORIES = ["actor"] * 4 + ["actress"] * 3 + ["self", "director", "writer", "composer", "producer", "editor"]


def _title(rng: random.Random) -> str:
    words = rng.sample(WORDS, rng.randint(1, 4))
    title = " ".join(words).title()
    return f'The "{title}"' if rng.random() < 0.02 else title


def generate(directory: Path, principals: int, seed: int = 1) -> dict[str, int]:
    """Write the six files; returns rows per file. Titles are ~1/8 and people ~1/4 of the principal rows."""
    rng = random.Random(seed)
    titles = max(1, principals // 8)
    names = max(1, principals // 4)
    tconsts = [f"tt{n:07d}" for n in range(1, titles * 2, 2)]  # sparse, like IMDb's
    counts: dict[str, int] = {}

    def write(name: str, header: list[str], rows: Iterator[list[str]]) -> None:
        count = 0
        with gzip.open(directory / name, "wt", encoding="utf-8", newline="", compresslevel=6) as out:
            out.write("\t".join(header) + "\n")
            for row in rows:
                out.write("\t".join(row) + "\n")
                count += 1
        counts[name] = count

    def basics() -> Iterator[list[str]]:
        for tconst in tconsts:
            kind = "movie" if rng.random() < 0.6 else rng.choice(OTHER_TYPES)
            year = str(rng.randint(1920, 2025))
            title = _title(rng)
            original = title if rng.random() < 0.8 else _title(rng)
            runtime = str(rng.randint(60, 200)) if rng.random() < 0.9 else N
            genres = ",".join(rng.sample(["Drama", "Comedy", "Horror", "Romance", "Sci-Fi"], rng.randint(1, 3)))
            yield [tconst, kind, title, original, "0", year, N, runtime, genres]

    def people() -> Iterator[list[str]]:
        for n in range(1, names + 1):
            name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()}son"
            yield [f"nm{n:07d}", name, str(rng.randint(1900, 2005)), N, "actor", N]

    def principal_rows() -> Iterator[list[str]]:
        written = 0
        while True:
            for tconst in tconsts:
                for ordering in range(1, rng.randint(6, 11)):
                    category = rng.choice(CATEGORIES)
                    acting = category in {"actor", "actress", "self"}
                    roles = [f"{rng.choice(WORDS).title()}" for _ in range(1 if rng.random() < 0.9 else 2)]
                    characters = json.dumps(roles) if acting else N
                    job = rng.choice(["screenplay", "novel", "story"]) if category == "writer" else N
                    yield [tconst, str(ordering), f"nm{rng.randint(1, names):07d}", category, job, characters]
                    written += 1
                    if written >= principals:
                        return

    def crew() -> Iterator[list[str]]:
        for tconst in tconsts:
            directors = ",".join(f"nm{rng.randint(1, names):07d}" for _ in range(rng.randint(1, 2)))
            writers = ",".join(f"nm{rng.randint(1, names):07d}" for _ in range(rng.randint(0, 3))) or N
            yield [tconst, directors, writers]

    def akas() -> Iterator[list[str]]:
        for tconst in tconsts:
            for ordering in range(1, rng.randint(2, 5)):
                yield [tconst, str(ordering), _title(rng), rng.choice(["US", "GB", "FR", N]), N, N, N, "0"]

    def ratings() -> Iterator[list[str]]:
        for tconst in tconsts:
            if rng.random() < 0.7:
                yield [tconst, f"{rng.uniform(1, 10):.1f}", str(int(10 ** rng.uniform(0, 6)))]

    header = ["tconst", "titleType", "primaryTitle", "originalTitle", "isAdult", "startYear", "endYear"]
    write("title.basics.tsv.gz", [*header, "runtimeMinutes", "genres"], basics())
    write(
        "name.basics.tsv.gz",
        ["nconst", "primaryName", "birthYear", "deathYear", "primaryProfession", "knownForTitles"],
        people(),
    )
    write(
        "title.principals.tsv.gz",
        ["tconst", "ordering", "nconst", "category", "job", "characters"],
        principal_rows(),
    )
    write("title.crew.tsv.gz", ["tconst", "directors", "writers"], crew())
    write(
        "title.akas.tsv.gz",
        ["titleId", "ordering", "title", "region", "language", "types", "attributes", "isOriginalTitle"],
        akas(),
    )
    write("title.ratings.tsv.gz", ["tconst", "averageRating", "numVotes"], ratings())
    return counts


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


async def _import(url: str, directory: Path, batch_size: int) -> tuple[ImportReport, float]:
    database = Database(url)
    try:
        await migrate.upgrade(database.engine)
        started = time.perf_counter()
        report = await import_imdb(database, directory, ImportOptions(batch_size=batch_size))
        return report, time.perf_counter() - started
    finally:
        await database.dispose()


async def _import_into_scratch(admin_url: str, directory: Path, batch_size: int) -> tuple[ImportReport, float]:
    async with scratch_database(admin_url, "filmclub_bench") as url:
        return await _import(url, directory, batch_size)


def _print(backend: str, report: ImportReport, seconds: float, input_bytes: int, raw_bytes: int) -> None:
    print(f"\n== {backend}: {seconds:.1f} s in all")
    for phase in report.phases:
        print(
            f"  {phase.name:<11} {phase.rows_read:>10,} rows read {phase.rows_written:>9,} written "
            f"{phase.seconds:7.1f} s {phase.rows_per_second:>9,.0f} rows/s"
        )
    peak = _rss_mb()
    print(f"  {report.films:,} films, {report.people:,} people; id sets {report.id_set_bytes / 1024:.0f} KiB")
    print(
        f"  peak RSS {peak:.0f} MiB; input {input_bytes / 2**20:.1f} MiB gzip ({raw_bytes / 2**20:.0f} MiB raw); "
        f"peak/input {peak * 2**20 / input_bytes:.2f} (gzip), {peak * 2**20 / raw_bytes:.2f} (raw)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--principals", type=int, default=1_000_000)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace Python allocations (slower)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="imdb-bench-") as tmp:
        directory = Path(tmp) / "imdb"
        directory.mkdir()
        started = time.perf_counter()
        counts = generate(directory, args.principals)
        input_bytes = sum(p.stat().st_size for p in directory.iterdir())
        raw_bytes = 0
        for path in directory.iterdir():
            with gzip.open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    raw_bytes += len(chunk)
        print(
            f"generated in {time.perf_counter() - started:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in counts.items())
        )
        print(f"RSS before importing: {_rss_mb():.0f} MiB")
        if args.tracemalloc:
            tracemalloc.start()

        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.sqlite3'}"
        report, seconds = asyncio.run(_import(url, directory, args.batch_size))
        _print("SQLite", report, seconds, input_bytes, raw_bytes)
        if args.tracemalloc:
            print(f"  tracemalloc peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB")

        if admin := os.environ.get("FILMCLUB_TEST_DATABASE_URL"):
            if args.tracemalloc:
                tracemalloc.reset_peak()
            report, seconds = asyncio.run(_import_into_scratch(admin, directory, args.batch_size))
            _print("PostgreSQL", report, seconds, input_bytes, raw_bytes)
            if args.tracemalloc:
                print(f"  tracemalloc peak {tracemalloc.get_traced_memory()[1] / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
