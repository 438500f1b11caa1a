"""`filmclub run` as a real process: connects with the configured token, stops cleanly on a signal."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from standin.server import StandIn
from tests.processes import start_filmclub


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
async def test_run_serves_then_shuts_down_gracefully_on_a_signal(
    standin: StandIn, module_database_url: str, sig: signal.Signals
) -> None:
    env = {
        "DISCORD_TOKEN": standin.token,
        "FILMCLUB_API_BASE_URL": standin.api_base,
        "FILMCLUB_GATEWAY_URL": standin.gateway_url,
        "FILMCLUB_DATABASE_URL": module_database_url,
        "FILMCLUB_GUILD_READY_TIMEOUT": "0.05",
        "FILMCLUB_LOG_FORMAT": "json",
    }
    process = await start_filmclub("run", env=env)
    try:
        await standin.wait_ready(timeout=30)
        reply = await (await standin.driver().slash("about")).message()
        assert reply.embeds[0]["title"] == "Film Club"
        session = standin.gateway.shards[0]
        process.send_signal(sig)
        _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    log = stderr.decode()
    assert process.returncode == 0, log
    assert "shutting down: closing the gateway and the database" in log
    assert '"message": "stopped"' in log
    assert session.connection is None, "the gateway connection should be closed by the bot"
    assert standin.token not in log


async def test_a_token_discord_refuses_is_explained_without_echoing_it(standin: StandIn, tmp_path: Path) -> None:
    env = {
        "DISCORD_TOKEN": "MTIz.not-the-token.at-all",
        "FILMCLUB_API_BASE_URL": standin.api_base,
        "FILMCLUB_DATA_DIR": str(tmp_path),
        "FILMCLUB_LOG_LEVEL": "WARNING",
    }
    process = await start_filmclub("run", env=env)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    log = stderr.decode()
    assert process.returncode == 1, log
    assert "Discord refused the bot token" in log
    assert "Traceback" not in log
    assert "not-the-token" not in log
