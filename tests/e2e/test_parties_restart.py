"""Watch-party reminders across restarts and across processes: each is posted once, not zero times, not twice.

A bot down across a reminder's time posts it when it is back (within the grace period), and skips and records
one that is later than that. Two bot processes on one PostgreSQL database (shards split between them) each post
what they claim, and no reminder twice.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest

from standin.server import StandIn
from standin.world import GuildSpec
from tests.clock import FakeClock
from tests.e2e.conftest import running_bot
from tests.e2e.parties import create, reminder_states, thread_messages

BASE = 1_200_000_000_000  # ms after the Discord epoch, so (id >> 22) picks the shard
EVEN, ODD = BASE << 22, (BASE + 1) << 22


@pytest.fixture(scope="module")
def clock(module_database_url: str) -> FakeClock:
    """A clock (and so a stand-in) per back end: each run starts from the same time and world."""
    return FakeClock()


@pytest.fixture(scope="module")
def world() -> Sequence[GuildSpec]:
    return [GuildSpec(name="Even Club", id=EVEN), GuildSpec(name="Odd Club", id=ODD)]


@pytest.fixture(scope="module")
async def standin(world: Sequence[GuildSpec], clock: FakeClock) -> AsyncIterator[StandIn]:
    async with StandIn(world, recommended_shards=2, clock=clock.now) as server:
        yield server


async def test_a_reminder_due_while_the_bot_was_down_is_posted_once_when_it_is_back(
    standin: StandIn, module_database_url: str, clock: FakeClock
) -> None:
    alice = standin.driver("alice", "general", guild=EVEN)
    async with running_bot(standin, module_database_url, clock=clock):
        announcement, thread = await create(alice, "Vertigo", "in 2 hours")
    clock.advance(hours=1, minutes=10)  # the hour-before reminder fell due 10 minutes ago, while the bot was down
    for _ in range(2):
        async with running_bot(standin, module_database_url, clock=clock) as app:
            await app.services.parties.reminders.caught_up()  # the first pass after starting
            app.services.parties.reminders.poke()
            await app.services.parties.reminders.caught_up()
        assert len(thread_messages(alice, thread, "⏰")) == 1
    async with running_bot(standin, module_database_url, clock=clock):  # the buttons work after a restart
        joined = await (await alice.click(announcement, "Join", user="bob")).followups()
        assert "You're going" in joined[0].content
    clock.advance(hours=1)  # the start reminder is 20 minutes late: within the grace period
    async with running_bot(standin, module_database_url, clock=clock) as app:
        await app.services.parties.reminders.caught_up()
    assert len(thread_messages(alice, thread, "is starting now")) == 1
    clock.advance(hours=4)  # the end is over two hours late: skipped and recorded, never posted late
    async with running_bot(standin, module_database_url, clock=clock) as app:
        await app.services.parties.reminders.caught_up()
        states = await reminder_states(app, announcement)
    assert thread_messages(alice, thread, "That's a wrap") == []
    assert states[:3] == [("before", "sent"), ("start", "sent"), ("end", "skipped")]


@pytest.mark.postgres
async def test_two_bot_processes_on_one_postgresql_post_each_reminder_once(
    standin: StandIn, module_database_url: str, clock: FakeClock
) -> None:
    if not module_database_url.startswith("postgresql"):
        pytest.skip("needs FILMCLUB_TEST_DATABASE_URL: several processes share a PostgreSQL database")
    even, odd = standin.driver("bob", "general", guild=EVEN), standin.driver("bob", "general", guild=ODD)
    async with (
        running_bot(standin, module_database_url, clock=clock, shard_count=2, shard_ids=[0]) as first,
        running_bot(standin, module_database_url, clock=clock, shard_count=2, shard_ids=[1]) as second,
    ):
        await standin.wait_ready(2)
        threads = []
        for driver in (even, odd):
            for film in ("Jaws", "Psycho", "Roma"):
                threads.append((await create(driver, film, "in 3 hours"))[1])
        schedulers = [first.services.parties.reminders, second.services.parties.reminders]
        for hours in (2, 1):  # the hour-before reminders, then the start
            clock.advance(hours=hours, minutes=1)
            for scheduler in schedulers:
                scheduler.poke()
            await asyncio.gather(*(scheduler.caught_up() for scheduler in schedulers))
            for scheduler in schedulers:  # a second look finds nothing left to post
                scheduler.poke()
            await asyncio.gather(*(scheduler.caught_up() for scheduler in schedulers))
    for thread in threads:
        assert len(thread_messages(even, thread, "⏰")) == 1, thread.name
        assert len(thread_messages(even, thread, "is starting now")) == 1, thread.name
