"""The bot's resident memory at scale: 1,000 servers of 50 members each and 100,000 reviews in the store.

    python -m bench.memory [--quick] [--guilds 1000] [--members 50] [--reviews 100000] [--exercised 20]
                           [--json data/bench-memory.json]

The bot runs as `python -m bot run` against the Discord stand-in (a process of its own, so its memory is its
own), on a temporary SQLite file. Its VmRSS and VmHWM (peak) are read from /proc --settle seconds after it is
connected (every GUILD_CREATE sent) and again after members in --exercised servers used a few commands each:
/about, /film info, /review summary and /review top, and /ask about what members thought of a film. The reviews are
seeded before the bot starts, spread over the servers (members review films of the starter catalogue, the
popular ones more often), with generated text of 2-9 sentences. The baseline, in the same run, is the same
bot connected to one server of 50 members with no reviews, exercised alike. Target: under 250 MB (10^6
bytes) after the commands.

--quick: 100 servers and 2,000 reviews, 2 servers exercised, 0.5 s to settle.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bench.processes import bot_processes, memory_mb
from bench.report import Figure, figure, write
from bench.summaries import generated_reviews
from db import Database, migrate
from db.models import Film
from db.reviews.models import Review
from services.films.starter import load_starter
from standin.server import StandIn
from standin.state import Guild
from standin.world import GuildSpec

TARGET_MB = 250.0
SEED_BATCH = 5000
PATIENCE = 60.0


def world(guilds: int, members: int) -> list[GuildSpec]:
    """Servers with their own members (members of one server are no one else's)."""
    return [
        GuildSpec(name=f"Club {n}", members=tuple(f"member{n}x{m}" for m in range(members)), moderators=())
        for n in range(guilds)
    ]


async def seed(url: str, guilds: list[Guild], reviews: int) -> list[tuple[int, str]]:
    """Migrate, load the starter catalogue and write ``reviews`` reviews over the servers; the films by popularity."""
    db = Database(url)
    try:
        await migrate.upgrade(db.engine)
        now = dt.datetime.now(dt.UTC)
        await load_starter(db, now=now)
        async with db.transaction() as session:
            rows = await session.execute(select(Film.id, Film.title, Film.year).order_by(Film.popularity.desc()))
            films = [(film_id, f"{title} ({year})") for film_id, title, year in rows]
        rng = random.Random(2026)
        weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(films))))  # popular ones more
        written: set[tuple[int, int, int]] = set()
        texts = generated_reviews(min(reviews, 20_000))
        batch: list[dict[str, Any]] = []
        authors = {guild.id: [m.user for m in guild.members.values() if not m.user.bot] for guild in guilds}
        for number in range(reviews):
            guild = guilds[number % len(guilds)]
            while True:
                author = rng.choice(authors[guild.id])
                film_id, label = rng.choices(films, cum_weights=weights)[0]
                if (guild.id, author.id, film_id) not in written:
                    break
            written.add((guild.id, author.id, film_id))
            text = texts[number % len(texts)]
            at = now - dt.timedelta(minutes=number)
            batch.append(
                {
                    "guild_id": guild.id,
                    "author_id": author.id,
                    "author_name": author.display_name,
                    "film_id": film_id,
                    "film_label": label,
                    "rating": text.rating,
                    "text": text.text,
                    "spoilers": text.spoilers,
                    "rewatch": False,
                    "liked": text.liked,
                    "watched_together": False,
                    "created_at": at,
                    "updated_at": at,
                }
            )
            if len(batch) == SEED_BATCH or number == reviews - 1:
                async with db.transaction() as session:
                    await session.execute(insert(Review), batch)
                batch = []
        return films
    finally:
        await db.dispose()


async def exercise(standin: StandIn, guilds: list[Guild], films: list[tuple[int, str]]) -> int:
    """A member of each server asks a few things; returns how many commands were answered."""
    answered = 0
    film = films[0][1]
    for guild in guilds:
        member = next(m.user.username for m in guild.members.values() if not m.user.bot and m.user.id != guild.owner_id)
        driver = standin.driver(user=member, guild=guild.id)
        for name, options in (
            ("about", {}),
            ("film info", {"film": film}),
            ("review summary", {"film": film}),
            ("review top", {}),
            ("ask", {"question": f"what did people here think of {film}?"}),
        ):
            await (await driver.slash(name, **options)).message(timeout=PATIENCE)
            answered += 1
    return answered


async def measure(label: str, guilds: int, reviews: int, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    members, exercised = args.members, args.exercised
    print(f"== {label}: {guilds:,} servers of {members} members, {reviews:,} reviews", flush=True)
    url = f"sqlite+aiosqlite:///{tmp / f'{label}.sqlite3'}"
    async with StandIn(world(guilds, members)) as standin:
        servers = list(standin.state.guilds.values())
        started = time.perf_counter()
        films = await seed(url, servers, reviews)
        print(f"   seeded in {time.perf_counter() - started:.1f} s", flush=True)
        async with bot_processes(standin, url, [tmp / f"bot-{label}.log"], [{}]) as [pid]:
            connecting = time.perf_counter()
            await standin.wait_ready(timeout=300)
            connected_in = time.perf_counter() - connecting
            await asyncio.sleep(args.settle)
            connected = memory_mb(pid)
            answered = await exercise(standin, servers[:exercised], films)
            await asyncio.sleep(args.settle)
            after = memory_mb(pid)
    result = {
        "label": label,
        "guilds": guilds,
        "members": members,
        "reviews": reviews,
        "exercised_guilds": min(exercised, guilds),
        "commands": answered,
        "connected_in_seconds": round(connected_in, 2),
        "connected_mb": connected,
        "after_commands_mb": after,
    }
    print(
        f"   connected in {connected_in:.1f} s: RSS {connected['VmRSS']:.1f} MB; after {answered} commands: "
        f"RSS {after['VmRSS']:.1f} MB, peak {after['VmHWM']:.1f} MB",
        flush=True,
    )
    return result


def headline(scale: dict[str, Any], idle: dict[str, Any]) -> list[Figure]:
    label = f"{scale['guilds']:,} servers, {scale['reviews']:,} reviews"
    baseline = "1 server, no reviews"
    figures = []
    for when, key in (("connected", "connected_mb"), ("after commands", "after_commands_mb")):
        value = scale[key]["VmRSS"]
        figures.append(
            figure(
                f"memory: RSS {when} ({label})",
                value,
                "MB",
                baseline=baseline,
                baseline_value=idle[key]["VmRSS"],
                target=f"< {TARGET_MB:.0f} MB" if when != "connected" else None,
                met=value < TARGET_MB if when != "connected" else None,
            )
        )
    peak = scale["after_commands_mb"]["VmHWM"]
    figures.append(
        figure(
            f"memory: peak RSS ({label})",
            peak,
            "MB",
            baseline=baseline,
            baseline_value=idle["after_commands_mb"]["VmHWM"],
            target=f"< {TARGET_MB:.0f} MB",
            met=peak < TARGET_MB,
        )
    )
    return figures


async def main(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="memory-bench-") as tmp:
        idle = await measure("baseline", 1, 0, args, Path(tmp))
        scale = await measure("scale", args.guilds, args.reviews, args, Path(tmp))
    details = {"baseline": idle, "scale": scale}
    write(args.json, "memory", headline(scale, idle), details, quick=args.quick)
    print(f"wrote {args.json}")


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="100 servers, 2,000 reviews, 2 servers exercised")
    parser.add_argument("--guilds", type=int, help="servers (1,000)")
    parser.add_argument("--members", type=int, default=50, help="members per server (50)")
    parser.add_argument("--reviews", type=int, help="reviews in the store (100,000)")
    parser.add_argument("--exercised", type=int, help="servers whose members use commands (20)")
    parser.add_argument("--settle", type=float, help="seconds after connecting or the commands before reading (2)")
    parser.add_argument("--json", type=Path, default=Path("data/bench-memory.json"))
    args = parser.parse_args()
    args.guilds = args.guilds or (100 if args.quick else 1000)
    args.reviews = args.reviews if args.reviews is not None else (2_000 if args.quick else 100_000)
    args.exercised = args.exercised or (2 if args.quick else 20)
    args.settle = args.settle if args.settle is not None else (0.5 if args.quick else 2.0)
    return args


if __name__ == "__main__":
    asyncio.run(main(parse()))
