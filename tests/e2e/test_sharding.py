"""Film Club with two shards: Discord's recommendation, or a fixed count split over processes."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence

import pytest

from standin.server import StandIn
from standin.world import GuildSpec
from tests.e2e.conftest import running_bot

BASE = 1_200_000_000_000  # ms after the Discord epoch, so (id >> 22) picks the shard
EVEN, ODD = BASE << 22, (BASE + 1) << 22


@pytest.fixture(scope="module")
def world() -> Sequence[GuildSpec]:
    return [GuildSpec(name="Even Club", id=EVEN), GuildSpec(name="Odd Club", id=ODD)]


@pytest.fixture(scope="module")
async def standin(world: Sequence[GuildSpec]) -> AsyncIterator[StandIn]:
    async with StandIn(world, recommended_shards=2) as server:
        yield server


@pytest.mark.parametrize("shard_count", [None, 2], ids=["recommended", "configured"])
async def test_two_shards_serve_their_own_guilds(
    standin: StandIn, module_database_url: str, shard_count: int | None
) -> None:
    async with running_bot(standin, module_database_url, shard_count=shard_count) as app:
        await standin.wait_ready(2)
        assert app.bot.shard_count == 2
        assert {guild.id: guild.shard_id for guild in app.bot.guilds} == {EVEN: 0, ODD: 1}
        for guild_id in (EVEN, ODD):
            reply = await (await standin.driver(guild=guild_id).slash("about")).message()
            assert reply.embeds[0]["title"] == "Film Club"


async def test_a_process_runs_only_the_shards_it_is_given(standin: StandIn, module_database_url: str) -> None:
    async with running_bot(standin, module_database_url, shard_count=2, shard_ids=[1]) as app:
        assert [guild.id for guild in app.bot.guilds] == [ODD]
        reply = await (await standin.driver(guild=ODD).slash("about")).message()
        assert reply.embeds[0]["title"] == "Film Club"
