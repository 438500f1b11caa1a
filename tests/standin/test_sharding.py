"""Two shards: guilds routed by (guild_id >> 22) % shard_count, both with /gateway/bot and a fixed count."""

from __future__ import annotations

from collections.abc import AsyncIterator

import discord
import pytest

from standin.server import StandIn
from standin.world import GuildSpec
from tests.standin.filmbot import running

BASE = 1_200_000_000_000  # ms after the Discord epoch; ids below are (ms << 22) like real snowflakes
EVEN, ODD, EVEN_TOO = (BASE << 22), ((BASE + 1) << 22), ((BASE + 2) << 22)


@pytest.fixture(scope="module")
async def standin() -> AsyncIterator[StandIn]:
    guilds = [GuildSpec(name=f"Club {n}", id=guild_id) for n, guild_id in enumerate((EVEN, ODD, EVEN_TOO))]
    async with StandIn(guilds, recommended_shards=2) as server:
        yield server


def guild_ids_sent(standin: StandIn, shard_id: int) -> list[int]:
    session = standin.gateway.shards[shard_id]
    return [int(data["id"]) for name, data in session.events if name == "GUILD_CREATE"]


@pytest.mark.parametrize("shard_count", [None, 2], ids=["from-gateway-bot", "configured"])
async def test_two_shards_split_guilds_by_the_routing_formula(standin: StandIn, shard_count: int | None) -> None:
    async with running(standin, shard_count=shard_count) as bot:
        await standin.wait_ready(2)
        assert bot.shard_count == 2
        assert guild_ids_sent(standin, 0) == [EVEN, EVEN_TOO]
        assert guild_ids_sent(standin, 1) == [ODD]
        assert {g.id: g.shard_id for g in bot.guilds} == {EVEN: 0, ODD: 1, EVEN_TOO: 0}
        for session in standin.gateway.shards.values():
            assert session.connection is not None
            assert session.connection.compress == discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE
        # An interaction in the odd guild travels on shard 1 only, and the bot answers it.
        before = {s: standin.gateway.shards[s].seq for s in (0, 1)}
        ix = await standin.driver(guild=ODD).slash("film info", film="Network")
        assert (await ix.message()).content == "info: Network"
        assert standin.gateway.shards[0].seq == before[0]
        assert standin.gateway.shards[1].events[before[1]][0] == "INTERACTION_CREATE"
        # Dropping shard 1 leaves shard 0 alone; shard 1 resumes.
        await standin.drop_connection(1)
        assert standin.gateway.shards[0].resumes == 0
        assert standin.gateway.shards[1].resumes == 1
    assert standin.unknown_routes == []
