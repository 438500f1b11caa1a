"""Autocomplete and resolve latency over a 300,000-film synthetic catalogue.

    python -m bench.autocomplete [--films 300000] [--queries 300]

Runs on a temporary SQLite file, and on a throw-away PostgreSQL database too when
FILMCLUB_TEST_DATABASE_URL is set. Prints p50/p95 per back end and the share of Discord's 3 s budget.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import random
import statistics
import string
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from sqlalchemy import insert, text

from bench.scratch import scratch_database
from db import Database, migrate
from db.base import utcnow
from db.films.keys import TitleRows, index_title, title_rows
from db.models import Film, FilmTitle, FilmTitlePrefix, FilmTitleWord, TitleVocabulary
from services.clock import SystemClock
from services.errors import FilmClubError
from services.films.catalogue import FilmCatalogue

DISCORD_AUTOCOMPLETE_BUDGET_MS = 3000.0
BATCH = 20_000
COMMON = (  # noqa: SIM905  (a word list reads better as prose)
    "love night day man woman life death last first dark city house time world king girl boy war blood dead "
    "story heart home summer winter black white red blue lost secret little big road river star moon sun "
    "never let me go under over without beyond after before return rise fall dream shadow light fire water "
    "the of in and a to on my your our their with for from at by"
).split()
PATTERNS = (
    "The {A} {N}",
    "{N} of the {N}",
    "{A} {N}",
    "{N}",
    "A {N} in {N}",
    "{V} Me {N}",
    "The {N} and the {N}",
    "{N}'s {N}",
    "{A} {N} {A} {N}",
    "{N}: {A} {N}",
)


def pseudo_words(rng: random.Random, count: int) -> list[str]:
    """Pronounceable made-up words, so the vocabulary is as varied as real titles' (tens of thousands)."""
    consonants, vowels = "bcdfghjklmnprstvwz", "aeiou"
    found: set[str] = set()
    while len(found) < count:
        syllables = rng.randint(1, 4)
        found.add("".join(rng.choice(consonants) + rng.choice(vowels) for _ in range(syllables)))
    return sorted(found)


def make_titles(count: int, seed: int = 7) -> list[tuple[str, int, float]]:
    """(title, year, popularity) triples with Zipf-like word frequencies and many remakes."""
    rng = random.Random(seed)
    vocabulary = COMMON + pseudo_words(rng, 40_000)
    cumulative = list(itertools.accumulate(1 / (rank + 1) ** 0.9 for rank in range(len(vocabulary))))

    def word() -> str:
        return rng.choices(vocabulary, cum_weights=cumulative)[0].capitalize()

    films = [("Never Let Me Go", 2010, 62.0), ("Let Me In", 2010, 40.0), ("Let the Right One In", 2008, 55.0)]
    while len(films) < count:
        pattern = rng.choice(PATTERNS)
        title = pattern.format_map(_Words(word))
        films.append((title, rng.randint(1900, 2025), round(rng.paretovariate(2.5) * 5, 2)))
    return films


class _Words(dict[str, str]):
    def __init__(self, draw: Callable[[], str]) -> None:
        super().__init__()
        self.draw = draw

    def __missing__(self, key: str) -> str:
        return self.draw()


async def fill(db: Database, films: list[tuple[str, int, float]]) -> float:
    """Bulk insert through Core (the same keys the repository writes); returns seconds taken."""
    started = time.perf_counter()
    now = utcnow()
    vocabulary: set[str] = set()
    async with db.transaction() as session:
        for start in range(0, len(films), BATCH):
            chunk = films[start : start + BATCH]
            ids = range(start + 1, start + 1 + len(chunk))
            film_rows = [
                {"id": i, "title": t, "year": y, "popularity": p, "source": "imdb", "fetched_at": now}
                | {"genres": [], "countries": [], "languages": []}
                for i, (t, y, p) in zip(ids, chunk, strict=True)
            ]
            await session.execute(insert(Film), film_rows)
            rows = TitleRows.of(
                title_rows(i, [index_title(t, "primary")], p) for i, (t, _, p) in zip(ids, chunk, strict=True)
            )
            await session.execute(insert(FilmTitle), rows.titles)
            await session.execute(insert(FilmTitleWord), rows.words)
            await session.execute(insert(FilmTitlePrefix), rows.prefixes)
            vocabulary.update(row["word"] for row in rows.words)
        await session.execute(insert(TitleVocabulary), [{"word": w} for w in sorted(vocabulary)])
    if db.backend == "postgresql":
        async with db.engine.connect() as connection:
            await connection.execution_options(isolation_level="AUTOCOMMIT")
            await connection.execute(text("VACUUM ANALYZE"))  # what autovacuum would do after a bulk load
    else:
        async with db.engine.begin() as connection:
            await connection.execute(text("ANALYZE"))
    return time.perf_counter() - started


def typo(rng: random.Random, text_: str) -> str:
    if len(text_) < 5:
        return text_
    i = rng.randrange(2, len(text_) - 1)
    match rng.randrange(3):
        case 0:
            return text_[:i] + text_[i + 1 :]  # dropped letter
        case 1:
            return text_[:i] + text_[i + 1] + text_[i] + text_[i + 2 :]  # swapped letters
        case _:
            return text_[:i] + rng.choice(string.ascii_lowercase) + text_[i + 1 :]  # wrong letter


def make_queries(films: list[tuple[str, int, float]], count: int, seed: int = 11) -> list[str]:
    """What people type: prefixes, a word or two from the middle, typos, lower case, with years."""
    rng = random.Random(seed)
    queries = ["let me go", "nevr let me go", "never let me go 2010", "t", "th", "the"]
    for _ in range(count - len(queries)):
        title, year, _ = rng.choice(films)
        lowered = title.lower()
        match rng.randrange(5):
            case 0:
                queries.append(lowered[: rng.randint(1, max(1, len(lowered)))])
            case 1:
                parts = lowered.split()
                start = rng.randrange(len(parts))
                queries.append(" ".join(parts[start : start + rng.randint(1, 2)]))
            case 2:
                queries.append(typo(rng, lowered))
            case 3:
                queries.append(f"{title} ({year})")
            case _:
                queries.append(typo(rng, lowered)[: rng.randint(3, max(3, len(lowered)))])
    return queries


async def timed(call: Callable[[str], Awaitable[object]], queries: list[str]) -> list[float]:
    timings = []
    for query in queries:
        started = time.perf_counter()
        with contextlib.suppress(FilmClubError):  # NotFound / Ambiguous are answers too
            await call(query)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def report(backend: str, what: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p50 = statistics.median(ordered)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    print(
        f"{backend:10} {what:12} n={len(ordered):4}  p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  max {ordered[-1]:7.2f} ms"
        f"  p95 = {p95 / DISCORD_AUTOCOMPLETE_BUDGET_MS:.2%} of Discord's 3 s"
    )


async def run(url: str, backend: str, films: list[tuple[str, int, float]], queries: list[str]) -> None:
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        seconds = await fill(db, films)
        print(f"{backend:10} inserted {len(films):,} films in {seconds:.1f} s")
        catalogue = FilmCatalogue(db, clock=SystemClock())
        await timed(catalogue.autocomplete, queries[:20])  # warm the caches
        report(backend, "autocomplete", await timed(catalogue.autocomplete, queries))
        report(backend, "resolve", await timed(catalogue.find, queries))
    finally:
        await db.dispose()


async def main(film_count: int, query_count: int) -> None:
    films = make_titles(film_count)
    queries = make_queries(films, query_count)
    with tempfile.TemporaryDirectory() as directory:
        await run(f"sqlite+aiosqlite:///{Path(directory) / 'bench.sqlite3'}", "sqlite", films, queries)
    if admin := os.environ.get("FILMCLUB_TEST_DATABASE_URL"):
        async with scratch_database(admin) as url:
            await run(url, "postgresql", films, queries)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=300_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    asyncio.run(main(args.films, args.queries))
