"""Bot CPU and latency per interaction: the real bot, in a process of its own, driven through the stand-in.

    python -m bench.interactions [--quick] [--n 400] [--concurrency 1 50 200] [--cold-n 100]
                                 [--backend sqlite|postgresql|both] [--films 0] [--json FILE] [--profile DIR]

The benchmark process runs the Discord stand-in and the members; the bot runs as `python -m bot run`
(App.open, as in production and the end-to-end tests) pointed at it, so the bot's CPU time is its own
process's, read from /proc before and after each batch. Every figure is also given as a ratio to
`/about` measured in the same run, at the same concurrency, in interleaved rounds: the machine is shared,
and only the ratios compare across runs. Warm figures come after every kind of interaction was asked a
few times; cold ones (one at a time) after each interaction the benchmark bumps the catalogue version, as
another process's catalogue write would, so the bot's cached answers are gone. PostgreSQL runs on a
throw-away database of the server that FILMCLUB_TEST_DATABASE_URL names. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.autocomplete import fill, make_titles
from bench.databases import scratch_database
from bench.processes import bot_processes, cpu_seconds
from bench.report import Figure, figure, write
from db import Database, migrate
from db.base import utcnow
from db.films import repository as repo
from db.films import version
from db.films.records import CreditRecord, ExternalIds, FilmRecord, PersonRecord
from services.films.starter import load_starter
from standin.driver import Driver
from standin.server import StandIn
from standin.state import Message
from standin.world import GuildSpec

ROOT = Path(__file__).resolve().parents[1]
PG_ENV = "FILMCLUB_TEST_DATABASE_URL"
ENSEMBLE = "Bench Ensemble Piece"  # a film with two pages of cast, for the page button
ENSEMBLE_CAST = 30
# What members type into the film option, keystroke by keystroke, and an empty box.
TYPED = ("", "n", "ne", "nev", "neve", "never", "never l", "never let", "never let me go", "the", "the g",
         "the godf", "star", "star w", "amel", "amelie", "dune", "dune 2021", "casabl", "nevr let me")  # fmt: skip
WARM_UP = len(TYPED)  # interactions of each kind before measuring: every text typed once
QUESTIONS = ("who composed the score of Never Let Me Go?", "who played Ruth in Never Let Me Go",
             "what did people think of the ending of Never Let Me Go?", "who directed Amelie?")  # fmt: skip
SEED = (ROOT / "tests" / "reviews" / "seed_review.txt").read_text("utf-8")  # the 3,500-character review
DISCORD_WINDOW_MS = 3000.0  # an interaction unanswered for longer has failed for the member
TARGET_P99_MS = 250.0
PATIENCE = 120.0  # seconds to wait for an answer: at 200 at once on a busy machine, more than the driver's 5 s


SUMMARISED = "Atonement"  # reviewed by every worker's member while staging; its summary is asked for
SUMMARY_TEXTS = (
    "The long take on the beach at Dunkirk is astonishing, and Dario Marianelli's typewriter score is unforgettable.",
    "Keira Knightley and James McAvoy are wonderful, but the ending left me cold.",
    "Saoirse Ronan steals the film. The pacing drags in the middle, though the library scene is devastating.",
    "Beautifully shot and deeply sad; the twist at the end recasts everything.",
)


def member_name(worker: int) -> str:
    return f"member{worker:03d}"


def world(workers: int) -> list[GuildSpec]:
    """One server with a member for each worker (they act at once, each as themself) and a voice channel."""
    return [
        GuildSpec(
            name="Bench Club",
            members=["alice", *(member_name(w) for w in range(workers))],
            voice_channels=["movie-night"],
        )
    ]


@dataclass
class Stage:
    """What the scenarios act on: values members picked from autocomplete, each worker's own member (a driver)
    and cast message, the film summarised, and a watch party's announcement with who is going."""

    film: str
    ensemble: str
    person: str
    summarised: str
    members: list[Driver] = field(default_factory=list)
    pages: list[Message] = field(default_factory=list)
    party: Message | None = None
    going: set[int] = field(default_factory=set)


Scenario = Callable[[Driver, Stage, int, int], Awaitable[object]]


async def about(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    return await (await driver.slash("about")).message(timeout=PATIENCE)


async def film_info(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    return await (await driver.slash("film info", film=stage.film)).message(timeout=PATIENCE)


async def film_cast(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    return await (await driver.slash("film cast", film=stage.film)).message(timeout=PATIENCE)


async def film_score(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    return await (await driver.slash("film score", film=stage.film)).message(timeout=PATIENCE)


async def film_person(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    return await (await driver.slash("film person", name=stage.person)).message(timeout=PATIENCE)


async def autocomplete(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    return await driver.autocomplete("film info", "film", TYPED[i % len(TYPED)], timeout=PATIENCE)


async def cast_page(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    """Turn the worker's own cast message to its other page (each worker has one, so edits are its own)."""
    message = stage.pages[worker]
    edits = len(message.edits)
    enabled = next(b for b in message.buttons() if not b.get("disabled"))
    await driver.click(message, enabled["custom_id"])
    return await driver.wait_for_edit(message, edits + 1, timeout=PATIENCE)


async def review_write(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    """The worker's member (re)writes their review of Never Let Me Go: the command opens the form, the seed
    review's text is submitted, the bot posts it (or edits its post) and says so privately. Two interactions."""
    member = stage.members[worker]
    form = await member.slash("review write", film=stage.film, rating=4.5 if i % 2 else 5.0, liked=True)
    return await (await member.submit_modal(form, {"text": SEED}, timeout=PATIENCE)).message(timeout=PATIENCE)


async def review_summary(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    """The summary of a film with as many reviews as the run has workers (written while staging)."""
    return await (await driver.slash("review summary", film=stage.summarised)).message(timeout=PATIENCE)


async def ask(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    question = QUESTIONS[i % len(QUESTIONS)]
    return await (await driver.slash("ask", question=question)).message(timeout=PATIENCE)


async def rsvp(driver: Driver, stage: Stage, worker: int, i: int) -> object:
    """The worker's member presses Join on the watch party's announcement, or Leave if going."""
    assert stage.party is not None
    button = "Leave" if worker in stage.going else "Join"
    stage.going ^= {worker}
    return await (await stage.members[worker].click(stage.party, button)).followups(timeout=PATIENCE)


SCENARIOS: dict[str, Scenario] = {
    "/about": about,
    "/film info": film_info,
    "/film cast": film_cast,
    "/film score": film_score,
    "/film person": film_person,
    "autocomplete": autocomplete,
    "cast page button": cast_page,
    "/review write": review_write,
    "/review summary": review_summary,
    "/ask": ask,
    "RSVP button": rsvp,
}
BASELINE = "/about"
INTERACTIONS = {"/review write": 2}  # a kind's interactions per action (the command, then the form's submit)


@dataclass
class Figures:
    """One kind of interaction at one concurrency, warm or cold: bot CPU and latencies, summed over the rounds."""

    scenario: str
    concurrency: int
    cache: str  # "warm" or "cold"
    interactions: int = 0
    bot_cpu_seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def cpu_ms(self) -> float:
        return 1000 * self.bot_cpu_seconds / max(self.interactions, 1)

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else 0.0


Between = Callable[[], Awaitable[None]]


async def batch(
    driver: Driver, stage: Stage, scenario: Scenario, count: int, concurrency: int, before_each: Between | None = None
) -> list[float]:
    """Run ``count`` interactions, ``concurrency`` at a time, each after ``before_each``; their latencies in ms."""
    latencies: list[float] = []
    numbers = itertools.count()

    async def worker(number: int) -> None:
        while (i := next(numbers)) < count:
            if before_each is not None:
                await before_each()
            started = time.perf_counter()
            await scenario(driver, stage, number, i)
            latencies.append(1000 * (time.perf_counter() - started))

    await asyncio.gather(*(worker(w) for w in range(min(concurrency, count))))
    return latencies


async def measure(
    driver: Driver,
    stage: Stage,
    pid: int,
    n: int,
    levels: Sequence[int],
    rounds: int,
    kinds: Sequence[str],
    *,
    before_each: Between | None = None,
) -> list[Figures]:
    """Each kind at each concurrency, in ``rounds`` interleaved rounds of n/rounds interactions.

    The bot's CPU is read around each batch; it idles while ``before_each`` runs (in this process).
    """
    results: list[Figures] = []
    per_round = max(n // rounds, 1)
    for concurrency in sorted({min(level, per_round) for level in levels}):
        figures = {name: Figures(name, concurrency, "warm" if before_each is None else "cold") for name in kinds}
        for _ in range(rounds):
            for name in kinds:
                before = cpu_seconds(pid)
                latencies = await batch(driver, stage, SCENARIOS[name], per_round, concurrency, before_each)
                figures[name].bot_cpu_seconds += cpu_seconds(pid) - before
                figures[name].interactions += per_round * INTERACTIONS.get(name, 1)
                figures[name].latencies_ms += latencies
        results += figures.values()
    return results


async def prepare(url: str, films: int) -> None:
    """Migrate, add ``films`` generated films, the starter catalogue and the ensemble film (before the bot starts)."""
    async with database(url) as db:
        await migrate.upgrade(db.engine)
        if films:
            await fill(db, make_titles(films))
        now = utcnow()
        await load_starter(db, now=now)
        cast = tuple(
            CreditRecord(PersonRecord(f"Bench Player {n}", ExternalIds(imdb=f"nm9{n:06d}")), "actor", (f"Part {n}",), n)
            for n in range(ENSEMBLE_CAST)
        )
        record = FilmRecord(ENSEMBLE, "tmdb", 2020, ids=ExternalIds(imdb="tt9000001"), popularity=1.0, credits=cast)
        async with db.transaction() as session:
            await repo.upsert_film(session, record, now=now)


async def staged(standin: StandIn, workers: int) -> Stage:
    """Pick the films and the person as members would (from autocomplete), post each worker's cast book, have
    every worker's member review the summarised film, and schedule a watch party."""
    driver = standin.driver()
    [film, *_] = await driver.autocomplete("film info", "film", "never let me go")
    [ensemble, *_] = await driver.autocomplete("film cast", "film", ENSEMBLE)
    [person, *_] = await driver.autocomplete("film person", "name", "carey mull")
    [summarised, *_] = await driver.autocomplete("review summary", "film", SUMMARISED)
    stage = Stage(film["value"], ensemble["value"], person["value"], summarised["value"])
    for worker in range(workers):
        member = standin.driver(member_name(worker))
        stage.members.append(member)
        stage.pages.append(await (await member.slash("film cast", film=stage.ensemble)).message())
        form = await member.slash("review write", film=stage.summarised, rating=(worker % 10 + 1) / 2)
        text = SUMMARY_TEXTS[worker % len(SUMMARY_TEXTS)]
        await (await member.submit_modal(form, {"text": text}, timeout=PATIENCE)).message(timeout=PATIENCE)
    note = await (await driver.slash("watchparty create", film=stage.film, when="in 3 days")).message()
    stage.party = await driver.wait_for_message(lambda m: f"/{m.id}" in note.content and bool(m.embeds))
    return stage


async def run_backend(backend: str, url: str, args: argparse.Namespace, directory: Path) -> list[Figures]:
    await prepare(url, args.films)
    async with AsyncExitStack() as stack:
        workers = min(max(args.concurrency), max(args.n // args.rounds, 1))
        standin = await stack.enter_async_context(StandIn(world(workers), ack_deadline=PATIENCE))
        log = directory / f"bot-{backend}.log"
        [pid] = await stack.enter_async_context(bot_processes(standin, url, [log], [{}], args.profile))
        await standin.wait_ready(timeout=120)
        driver = standin.driver()
        stage = await staged(standin, workers)
        for name in args.only:
            await batch(driver, stage, SCENARIOS[name], WARM_UP, 1)
        warm = await measure(driver, stage, pid, args.n, args.concurrency, args.rounds, args.only)
        writer = await stack.enter_async_context(database(url))

        async def catalogue_changed() -> None:
            async with writer.transaction() as session:
                await version.bump(session)

        cold = await measure(
            driver, stage, pid, args.cold_n, [1], args.rounds, args.only, before_each=catalogue_changed
        )
        return warm + cold


@asynccontextmanager
async def database(url: str) -> AsyncIterator[Database]:
    opened = Database(url)
    try:
        yield opened
    finally:
        await opened.dispose()


def report(backend: str, results: list[Figures]) -> list[dict[str, Any]]:
    """Print the table; return its rows for the JSON output."""
    rows: list[dict[str, Any]] = []
    baselines = {(f.concurrency, f.cache): f for f in results if f.scenario == BASELINE}
    print(f"\n== {backend}: bot CPU per interaction and latency; ratios are to {BASELINE} measured alike")
    print(f"{'interaction':<18}{'cache':>6}{'conc':>5}{'n':>6}{'CPU ms':>9}{'x about':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'p50 x':>7}")  # fmt: skip
    for f in results:
        base = baselines[(f.concurrency, f.cache)]
        row = {
            "backend": backend,
            "interaction": f.scenario,
            "cache": f.cache,
            "concurrency": f.concurrency,
            "interactions": f.interactions,
            "bot_cpu_ms": round(f.cpu_ms, 3),
            "cpu_ratio": round(f.cpu_ms / base.cpu_ms, 2) if base.cpu_ms else None,
            "p50_ms": round(f.percentile(0.5), 2),
            "p95_ms": round(f.percentile(0.95), 2),
            "p99_ms": round(f.percentile(0.99), 2),
            "p50_ratio": round(f.percentile(0.5) / base.percentile(0.5), 2),
            "past_window": sum(latency > DISCORD_WINDOW_MS for latency in f.latencies_ms),
        }
        rows.append(row)
        print(
            f"{f.scenario:<18}{f.cache:>6}{f.concurrency:>5}{f.interactions:>6}{f.cpu_ms:>9.2f}"
            f"{row['cpu_ratio'] or 0:>9.2f}{row['p50_ms']:>9.1f}{row['p95_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"{row['p50_ratio']:>7.2f}"
        )
    return rows


async def main(args: argparse.Namespace) -> None:
    rows: list[dict[str, Any]] = []
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    with tempfile.TemporaryDirectory(prefix="interactions-bench-") as tmp:
        directory = Path(tmp)
        for backend in backends:
            if backend == "sqlite":
                results = await run_backend(
                    backend, f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}", args, directory
                )
            else:
                if not (admin := os.environ.get(PG_ENV)):
                    raise SystemExit(f"--backend {backend} needs {PG_ENV}: a PostgreSQL server to create a database on")
                async with scratch_database(admin, "filmclub_bench") as url:
                    results = await run_backend(backend, url, args, directory)
            rows += report(backend, results)
    details = {"n": args.n, "cold_n": args.cold_n, "rounds": args.rounds, "films": args.films, "results": rows}
    if args.json:
        write(args.json, "interactions", headline(rows), details, quick=args.quick)
        print(f"\nwritten to {args.json}")


def headline(rows: list[dict[str, Any]]) -> list[Figure]:
    """Per kind, its warm bot CPU at the concurrency where it costs most against /about; then the latency at
    the most members at once, and how many answers came after Discord's 3 s."""
    figures: list[Figure] = []
    warm = [row for row in rows if row["cache"] == "warm"]
    about = {(r["backend"], r["concurrency"]): r for r in warm if r["interaction"] == BASELINE}
    for backend in dict.fromkeys(r["backend"] for r in warm):
        mine = [r for r in warm if r["backend"] == backend]
        for kind in dict.fromkeys(r["interaction"] for r in mine if r["interaction"] != BASELINE):
            worst = max((r for r in mine if r["interaction"] == kind), key=lambda r: r["cpu_ratio"] or 0)
            base = about[(backend, worst["concurrency"])]
            figures.append(
                figure(
                    f"{kind}: bot CPU per interaction, {backend}, {worst['concurrency']} at once (its worst)",
                    worst["bot_cpu_ms"],
                    "ms",
                    baseline=f"/about at {worst['concurrency']} at once",
                    baseline_value=base["bot_cpu_ms"],
                    target="<= 2x /about",
                    met=worst["bot_cpu_ms"] <= 2 * base["bot_cpu_ms"],
                    runs=worst["interactions"],
                )
            )
        most = max(r["concurrency"] for r in mine)
        slowest = max((r for r in mine if r["concurrency"] == most), key=lambda r: r["p99_ms"])
        figures.append(
            figure(
                f"latency, {backend}, {most} at once: p99 of the slowest kind ({slowest['interaction']})",
                slowest["p99_ms"],
                "ms",
                baseline=f"/about p99 at {most} at once",
                baseline_value=about[(backend, most)]["p99_ms"],
                target="< 250 ms",
                met=slowest["p99_ms"] < TARGET_P99_MS,
                runs=slowest["interactions"],
            )
        )
        late = sum(r["past_window"] for r in mine)
        figures.append(
            figure(
                f"answers after Discord's 3 s, {backend}",
                late,
                "answers",
                target="0",
                met=late == 0,
                runs=sum(r["interactions"] for r in mine),
            )
        )
    return figures


def parse(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=400, help="interactions of each kind at each concurrency (400)")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 50, 200], metavar="C")
    parser.add_argument("--cold-n", type=int, default=100, help="cold interactions of each kind, one at a time (100)")
    parser.add_argument("--rounds", type=int, default=2, help="interleaved rounds the n interactions are split into")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--films", type=int, default=0, help="generated films added to the starter catalogue")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON to FILE")
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run the bot under pyinstrument; its reports go to DIR/bot-BACKEND.txt (the profiler inflates the CPU)",
    )
    parser.add_argument("--quick", action="store_true", help="a few interactions only (checks that it runs)")
    parser.add_argument(
        "--only", nargs="+", choices=list(SCENARIOS), default=list(SCENARIOS), metavar="KIND", help="these kinds only"
    )
    args = parser.parse_args(argv)
    args.only = [BASELINE, *(kind for kind in args.only if kind != BASELINE)]
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    if args.quick:
        args.n, args.cold_n, args.rounds = min(args.n, 20), min(args.cold_n, 10), 1
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
