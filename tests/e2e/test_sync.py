"""Registering the command tree: global at start-up only when it changed, dev guilds instantly, `filmclub sync`."""

from __future__ import annotations

import asyncio

from standin.server import StandIn
from tests.e2e.conftest import running_bot
from tests.processes import start_filmclub


def global_syncs(standin: StandIn) -> int:
    path = f"/applications/{standin.application_id}/commands"
    return sum(1 for r in standin.state.requests if r.method == "PUT" and r.path == path)


async def test_global_sync_happens_once_until_the_tree_changes(standin: StandIn, module_database_url: str) -> None:
    before = global_syncs(standin)
    async with running_bot(standin, module_database_url):
        pass
    assert global_syncs(standin) == before + 1
    async with running_bot(standin, module_database_url):
        pass
    assert global_syncs(standin) == before + 1, "an unchanged tree must not be synced again"
    async with running_bot(standin, module_database_url, extensions=["tests.e2e.faulty"]):
        pass
    assert global_syncs(standin) == before + 2, "a changed tree is synced"


async def test_dev_guilds_get_the_commands_instantly(standin: StandIn, module_database_url: str) -> None:
    guild = standin.guild()
    async with running_bot(standin, module_database_url, dev_guild_ids=[guild.id]):
        names = {c.name for c in guild.commands.values()}
        assert {"about", "film"} <= names
        reply = await (await standin.driver().slash("about")).message()
        assert reply.embeds[0]["title"] == "Film Club"


async def test_filmclub_sync_registers_without_connecting_to_the_gateway(
    standin: StandIn, module_database_url: str
) -> None:
    guild = standin.guild()
    guild.commands.clear()
    env = {
        "DISCORD_TOKEN": standin.token,
        "FILMCLUB_API_BASE_URL": standin.api_base,
        "FILMCLUB_DATABASE_URL": module_database_url,
    }
    connections = len(standin.gateway.shards)
    process = await start_filmclub("sync", "--guild", str(guild.id), env=env)
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, stderr.decode()
    assert f"synced commands: guild {guild.id}" in stdout.decode()
    assert "Unclosed" not in stderr.decode(), "the HTTP session must be closed"
    assert {"about", "film"} <= {c.name for c in guild.commands.values()}
    assert len(standin.gateway.shards) == connections
