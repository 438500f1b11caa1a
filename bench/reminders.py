"""Watch-party reminders all due at once: 10,000 parties starting at the same instant, served by the real bot.

    python -m bench.reminders [--quick] [--parties 10000] [--guilds 100] [--backend sqlite|postgresql|both]
                              [--lead 20] [--patience 300] [--json data/bench-reminders.json] [--profile DIR]

The benchmark process runs the Discord stand-in with --guilds servers and a thread per party (as the bot
opens one when it announces a party), and seeds the parties, their members and their reminders into the
database through the watch-party models, all "starting now" reminders due at the same instant, --lead
seconds after seeding (the bots start meanwhile; each process's scheduler sleeps until then on the real
clock). On PostgreSQL two bot processes (`python -m bot run`, shards 0 and 1 of 2) share the database and
the stand-in, as a deployment with two processes does; on SQLite one process serves them. Then it counts
what the stand-in received in each party's thread: every reminder must arrive exactly once (extra
messages are duplicates; posts Discord deduplicated by their nonce are counted apart), and the time from
due to posted (the message's snowflake time) gives p50/p95/p99. The same-run baseline is one message round
trip through the stand-in: the same kind of post, 200 times one after another, from this process.

--quick: SQLite only, 300 parties over 5 servers, 6 s lead, 1 s to settle. Without --quick the back end is PostgreSQL
when FILMCLUB_TEST_DATABASE_URL is set, else SQLite; --backend both runs both. Reminders not posted within
--patience seconds of being due count as not posted.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import re
import statistics
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import aiohttp
from sqlalchemy import func, select

from bench.databases import scratch_database
from bench.processes import bot_processes, cpu_seconds
from bench.report import Figure, figure, percentile, write
from db import Database, migrate
from db.parties import repository as repo
from db.parties.models import PartyReminder, WatchParty
from services.clock import SystemClock
from services.films.catalogue import FilmCatalogue
from services.films.starter import load_starter
from services.films.values import FilmSummary
from services.parties.values import Answer, Kind
from standin.server import StandIn
from standin.state import Channel, ChannelType
from standin.world import GuildSpec

PG_ENV = "FILMCLUB_TEST_DATABASE_URL"
MEMBERS = ("alice", "bob", "carol", "dave")  # each party's host and the members going
FILM = "Never Let Me Go (2010)"
SEED_BATCH = 2000
ROUND_TRIPS = 200
DISCORD_GLOBAL_RATE = 50  # requests a second Discord allows a bot in all (its global rate limit)
POSTED = re.compile(r"/channels/(\d+)/messages")


def world(guilds: int) -> list[GuildSpec]:
    return [GuildSpec(name=f"Club {n}", channels=("general", "watch-parties"), members=MEMBERS) for n in range(guilds)]


def open_threads(standin: StandIn, parties: int) -> list[Channel]:
    """A thread per party, opened by the bot in #watch-parties, round-robin over the servers."""
    parents = [guild.channel_named("watch-parties") for guild in standin.state.guilds.values()]
    return [
        standin.core.create_thread(
            parents[n % len(parents)], standin.bot, name=f"{FILM} · party {n}", kind=ChannelType.PUBLIC_THREAD
        )
        for n in range(parties)
    ]


def party_row(thread: Channel, host: int, film: FilmSummary, due: dt.datetime, now: dt.datetime) -> WatchParty:
    return WatchParty(
        guild_id=thread.guild_id,
        host_id=host,
        film_id=film.id,
        film_label=film.label,
        starts_at=due,
        duration_minutes=120,
        zone="Europe/London",
        channel_id=thread.parent_id,
        status="scheduled",
        sequence=0,
        message_id=thread.id,  # a thread opened on the announcement has the announcement's id
        thread_id=thread.id,
        created_at=now,
        updated_at=now,
    )


def queue(party: WatchParty) -> list[PartyReminder]:
    """What is left to post for a party whose "1h before" reminder went out: "starting now", the end, the archive."""
    ends = party.starts_at + dt.timedelta(minutes=party.duration_minutes)
    due = ((Kind.START, party.starts_at), (Kind.END, ends), (Kind.ARCHIVE, ends + dt.timedelta(days=3)))
    return [
        PartyReminder(
            party_id=party.id,
            guild_id=party.guild_id,
            kind=kind,
            minutes_before=0,
            due_at=at,
            next_try_at=at,
            state="pending",
            attempts=0,
        )
        for kind, at in due
    ]


async def prepare(url: str) -> FilmSummary:
    """Migrate and load the starter catalogue (as the bots would on starting); the parties' film."""
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        await load_starter(db, now=dt.datetime.now(dt.UTC))
        return await FilmCatalogue(db, clock=SystemClock()).find(FILM)
    finally:
        await db.dispose()


async def seed(url: str, standin: StandIn, threads: list[Channel], film: FilmSummary, due: dt.datetime) -> None:
    """The parties as the bot keeps them once announced (scheduled, a thread, the host and members going) with
    their reminders, each party's "starting now" due at ``due``."""
    db = Database(url)
    try:
        now = dt.datetime.now(dt.UTC)
        users = [standin.state.user_named(name).id for name in MEMBERS]
        for start in range(0, len(threads), SEED_BATCH):
            async with db.transaction() as session:
                parties = [
                    party_row(thread, users[0], film, due, now) for thread in threads[start : start + SEED_BATCH]
                ]
                session.add_all(parties)
                await session.flush()
                for party in parties:
                    for user in users:
                        repo.add_member(session, party.id, user, Answer.GOING, now)
                    repo.add_reminders(session, queue(party))
    finally:
        await db.dispose()


async def round_trips(standin: StandIn, thread: Channel, count: int) -> list[float]:
    """Milliseconds per post of a reminder-like message to ``thread`` (a nonce, mentions), one after another."""
    times = []
    headers = {"Authorization": f"Bot {standin.token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        for n in range(count):
            body = {
                "content": f"🎬 **{FILM}** is starting now in see the thread. Enjoy the film! <@{standin.bot.id}>",
                "allowed_mentions": {"parse": [], "users": [], "replied_user": False},
                "nonce": f"rt{n}",
                "enforce_nonce": True,
            }
            started = time.perf_counter()
            async with http.post(f"{standin.api_base}/channels/{thread.id}/messages", json=body) as response:
                await response.read()
                response.raise_for_status()
            times.append((time.perf_counter() - started) * 1000)
    return times


async def reminder_states(url: str) -> dict[str, int]:
    """How the "starting now" reminders ended, by state."""
    db = Database(url)
    try:
        async with db.transaction() as session:
            rows = await session.execute(
                select(PartyReminder.state, func.count())
                .where(PartyReminder.kind == Kind.START)
                .group_by(PartyReminder.state)
            )
            return {state: int(count) for state, count in rows}
    finally:
        await db.dispose()


async def run_variant(backend: str, url: str, args: argparse.Namespace, processes: int, logs: Path) -> dict[str, Any]:
    label = f"{args.parties:,} parties, {processes} process{'es' if processes > 1 else ''}, {backend}"
    print(f"== {label}: {args.guilds} servers, due {args.lead:.0f} s after seeding", flush=True)
    async with StandIn(world(args.guilds), recommended_shards=processes) as standin:
        threads = open_threads(standin, args.parties)
        film = await prepare(url)
        seeding = time.perf_counter()
        due = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=args.lead)
        await seed(url, standin, threads, film, due)
        print(f"   seeded in {time.perf_counter() - seeding:.1f} s", flush=True)
        shards = [{"shard_count": str(processes), "shard_ids": f"[{n}]"} for n in range(processes)]
        logs_ = [logs / f"bot-{backend}-{n}.log" for n in range(processes)]
        async with bot_processes(standin, url, logs_, shards if processes > 1 else [{}], args.profile) as pids:
            await standin.wait_ready(processes, timeout=args.lead + 120)
            ready_before_due = (due - dt.datetime.now(dt.UTC)).total_seconds()
            print(f"   bots ready {ready_before_due:.1f} s before the reminders are due", flush=True)
            cpu_before = [cpu_seconds(pid) for pid in pids]

            def posted() -> int:
                return sum(1 for thread in threads if thread.message_count)

            try:
                await standin.state.wait_for(
                    lambda: posted() >= len(threads),
                    timeout=max((due - dt.datetime.now(dt.UTC)).total_seconds(), 0) + args.patience,
                    what="every reminder posted",
                )
                await asyncio.sleep(args.settle)  # a reminder posted twice would show up now
            except AssertionError:
                print(f"   only {posted():,} of {len(threads):,} posted after {args.patience:.0f} s", flush=True)
            cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
            elsewhere = open_threads(standin, 1)[0]  # not a party's: its posts are not counted as reminders
            trips = await round_trips(standin, elsewhere, ROUND_TRIPS)
        states = await reminder_states(url)
        attempts = Counter(
            int(match[1])
            for r in standin.state.requests
            if r.method == "POST" and r.status < 300 and (match := POSTED.fullmatch(r.path))
        )
        late_ms, extra, not_posted, nonce_repeats = [], 0, 0, 0
        for thread in threads:
            messages = [m for m in standin.state.channel_messages(thread.id) if m.author.id == standin.bot.id]
            if not messages:
                not_posted += 1
                continue
            late_ms.append((messages[0].created_at - due).total_seconds() * 1000)
            extra += len(messages) - 1
            nonce_repeats += attempts[thread.id] - len(messages)
    drained = max(late_ms) / 1000 if late_ms else None
    result = {
        "label": label,
        "backend": backend,
        "processes": processes,
        "parties": args.parties,
        "guilds": args.guilds,
        "lead_seconds": args.lead,
        "ready_before_due_seconds": round(ready_before_due, 2),
        "posted": len(late_ms),
        "not_posted": not_posted,
        "duplicates": extra,
        "posts_deduplicated_by_nonce": nonce_repeats,
        "states": states,
        "late_ms": late_ms,
        "last_posted_after_due_seconds": drained,
        "bot_cpu_seconds": cpu,
        "bot_cpu_ms_per_reminder": 1000 * sum(cpu) / max(len(late_ms), 1),
        "round_trip_ms": trips,
    }
    p = [percentile(late_ms, share) / 1000 if late_ms else float("nan") for share in (0.5, 0.95, 0.99)]
    print(
        f"   posted {len(late_ms):,}, not posted {not_posted}, duplicates {extra} (and {nonce_repeats} repeated posts "
        f"the nonce absorbed); states {states}\n"
        f"   due → posted p50 {p[0]:.2f} s, p95 {p[1]:.2f} s, p99 {p[2]:.2f} s, last {drained or 0:.2f} s; "
        f"bot CPU {result['bot_cpu_ms_per_reminder']:.2f} ms per reminder; "
        f"one round trip p50 {statistics.median(trips):.2f} ms",
        flush=True,
    )
    return result


def headline(result: dict[str, Any]) -> list[Figure]:
    """Duplicates (must be none), how late reminders were, how many a second went out (on a shared machine this
    depends on its load), and how many a second of the bots' CPU posts: above Discord's global limit of 50
    requests a second per bot, the bot is not what holds reminders back."""
    label = result["label"]
    late = result["late_ms"]
    trip = statistics.median(result["round_trip_ms"])
    drained = result["last_posted_after_due_seconds"]
    rate = len(late) / drained if drained else 0.0
    return [
        figure(
            f"reminders: duplicates ({label})",
            result["duplicates"],
            "messages",
            target="0 duplicates, 0 not posted",
            met=result["duplicates"] == 0 and result["not_posted"] == 0,
            runs=result["parties"],
        ),
        figure(
            f"reminders: due → posted ({label})",
            statistics.median(late) if late else float("inf"),
            "ms",
            baseline="one message round trip via the stand-in (p50)",
            baseline_value=trip,
            runs=len(late),
            samples=late,
        ),
        figure(
            f"reminders: posted per second ({label})",
            rate,
            "/s",
            baseline="posts/s one after another via the stand-in",
            baseline_value=1000 / trip,
            runs=len(late),
        ),
    ] + (
        [
            figure(
                f"reminders: per second of bot CPU ({label})",
                1000 / cpu_ms,
                "/s",
                target=f"≥ {DISCORD_GLOBAL_RATE}/s (Discord's global limit)",
                met=1000 / cpu_ms >= DISCORD_GLOBAL_RATE,
                runs=len(late),
            )
        ]
        if (cpu_ms := result["bot_cpu_ms_per_reminder"]) > 0  # a few reminders may take less than a clock tick
        else []
    )


async def main(args: argparse.Namespace) -> None:
    results: list[dict[str, Any]] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="reminders-bench-") as tmp:
        directory = Path(tmp)
        if args.backend in ("sqlite", "both"):
            url = f"sqlite+aiosqlite:///{directory / 'bench.sqlite3'}"
            results.append(await run_variant("SQLite", url, args, 1, directory))
        if args.backend in ("postgresql", "both"):
            if admin := os.environ.get(PG_ENV):
                async with scratch_database(admin, "filmclub_bench") as url:
                    results.append(await run_variant("PostgreSQL", url, args, 2, directory))
            else:
                notes.append(f"PostgreSQL skipped: {PG_ENV} is unset")
                print(notes[-1])
    write(
        args.json,
        "reminders",
        [f for result in results for f in headline(result)],
        {"results": results, "notes": notes},
        quick=args.quick,
    )
    print(f"wrote {args.json}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="SQLite, 300 parties over 5 servers, 6 s lead")
    parser.add_argument("--parties", type=int, help="parties, all due at the same instant (10,000)")
    parser.add_argument("--guilds", type=int, help="servers the parties are spread over (100)")
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"])
    parser.add_argument("--lead", type=float, help="seconds from seeding to due, for the bots to start (20)")
    parser.add_argument("--patience", type=float, default=300.0, help="seconds after due to wait for every reminder")
    parser.add_argument("--settle", type=float, help="seconds to wait for duplicates after the last (3)")
    parser.add_argument("--json", type=Path, default=Path("data/bench-reminders.json"))
    parser.add_argument("--profile", type=Path, metavar="DIR", help="run the bots under pyinstrument; reports in DIR")
    args = parser.parse_args()
    quick = args.quick
    args.parties = args.parties or (300 if quick else 10_000)
    args.guilds = args.guilds or (5 if quick else 100)
    args.backend = args.backend or ("postgresql" if os.environ.get(PG_ENV) and not quick else "sqlite")
    args.lead = args.lead or (6.0 if quick else 20.0)
    args.settle = args.settle if args.settle is not None else (1.0 if quick else 3.0)
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
