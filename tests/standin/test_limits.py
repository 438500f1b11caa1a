"""What the stand-in does for watch parties, as Discord does: 429s with Retry-After, enforce_nonce, deleting a
thread, a kicked bot, voice channels, and scheduled events checked against the stand-in's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest

from standin.permissions import Permission
from standin.server import StandIn
from standin.state import ChannelType
from standin.world import GuildSpec
from tests.clock import FakeClock

LATER = datetime(2031, 6, 1, 12, tzinfo=UTC)  # the stand-in's "now" in these tests, far from the real time


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    clock = FakeClock(LATER)
    async with StandIn([GuildSpec(voice_channels=("movie-night",))], clock=clock.now) as server:
        yield server


@pytest.fixture
async def http(standin: StandIn) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bot {standin.token}"}
    async with aiohttp.ClientSession(base_url=standin.api_base + "/", headers=headers) as session:
        yield session


async def call(http: aiohttp.ClientSession, method: str, path: str, **body: Any) -> tuple[int, Any, Any]:
    async with http.request(method, path.lstrip("/"), json=body or None) as response:
        return response.status, await response.json() if response.status != 204 else None, response.headers


async def test_a_rate_limited_route_answers_429_with_retry_after_then_recovers(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    channel = standin.guild().channel_named("general")
    standin.rate_limit("POST", rf"/channels/{channel.id}/messages", times=2, retry_after=1.5)
    for _ in range(2):
        status, body, headers = await call(http, "POST", f"/channels/{channel.id}/messages", content="hi")
        assert status == 429
        assert body == {"message": "You are being rate limited.", "retry_after": 1.5, "global": False}
        assert headers["Retry-After"] == "2"
        assert headers["X-RateLimit-Remaining"] == "0"
        assert headers["Via"]  # discord.py treats a 429 without it as a Cloudflare ban
    status, _, _ = await call(http, "POST", f"/channels/{channel.id}/messages", content="hi")
    assert status == 200
    assert [m.content for m in standin.state.messages.values()] == ["hi"]


async def test_enforce_nonce_returns_the_earlier_message_instead_of_posting_again(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    channel = standin.guild().channel_named("general")
    path = f"/channels/{channel.id}/messages"
    first = await call(http, "POST", path, content="once", nonce="wp1.0", enforce_nonce=True)
    again = await call(http, "POST", path, content="once", nonce="wp1.0", enforce_nonce=True)
    assert first[1]["id"] == again[1]["id"]
    await call(http, "POST", path, content="twice", nonce="wp2.0")
    await call(http, "POST", path, content="twice", nonce="wp2.0")  # without enforce_nonce: posted again
    assert [m.content for m in standin.state.channel_messages(channel.id)] == ["once", "twice", "twice"]


async def test_deleting_a_thread_needs_manage_threads_and_leaves_it_unknown(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    channel = standin.guild().channel_named("general")
    threads = []
    for name in ("kept", "gone"):
        _, message, _ = await call(http, "POST", f"/channels/{channel.id}/messages", content=name)
        threads.append(
            (await call(http, "POST", f"/channels/{channel.id}/messages/{message['id']}/threads", name=name))[1]
        )
    role = standin.bot_role()
    standin.set_role_permissions(role, role.permissions & ~Permission.MANAGE_THREADS)
    status, body, _ = await call(http, "DELETE", f"/channels/{threads[0]['id']}")
    assert (status, body["code"]) == (403, 50013)
    standin.set_role_permissions(role, role.permissions | Permission.MANAGE_THREADS)
    status, _, _ = await call(http, "DELETE", f"/channels/{threads[1]['id']}")
    assert status == 200
    status, body, _ = await call(http, "POST", f"/channels/{threads[1]['id']}/messages", content="late")
    assert (status, body["code"]) == (404, 10003)


async def test_a_kicked_bot_reaches_nothing_in_the_guild(standin: StandIn, http: aiohttp.ClientSession) -> None:
    guild = standin.guild()
    channel = guild.channel_named("general")
    standin.remove_bot(guild)
    status, body, _ = await call(http, "GET", f"/guilds/{guild.id}")
    assert (status, body["code"]) == (404, 10004)
    status, body, _ = await call(http, "POST", f"/channels/{channel.id}/messages", content="hello?")
    assert (status, body["code"]) == (403, 50001)


async def test_voice_channels_and_events_checked_against_the_standins_clock(
    standin: StandIn, http: aiohttp.ClientSession
) -> None:
    guild = standin.guild()
    [voice] = [c for c in guild.channels.values() if c.type == ChannelType.VOICE]
    assert voice.to_payload()["bitrate"] == 64000
    event = {"name": "Film night", "privacy_level": 2, "entity_type": 2, "channel_id": str(voice.id)}
    real_future = datetime.now(UTC) + timedelta(days=1)  # the future for the real clock, the past for the stand-in
    status, body, _ = await call(
        http, "POST", f"/guilds/{guild.id}/scheduled-events", **event, scheduled_start_time=real_future.isoformat()
    )
    assert status == 400
    assert "scheduled_start_time" in body["errors"]
    later = (LATER + timedelta(hours=2)).isoformat()
    status, body, _ = await call(
        http, "POST", f"/guilds/{guild.id}/scheduled-events", **event, scheduled_start_time=later
    )
    assert status == 200
    assert body["channel_id"] == str(voice.id)
