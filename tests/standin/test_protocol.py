"""The wire protocol seen by a raw client: compression, sequence numbers, RESUME, intents, REST shapes."""

from __future__ import annotations

import importlib
import json
import zlib
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from standin.gateway import Intent, zstd_available
from standin.permissions import Permission
from standin.server import StandIn
from standin.state import ChannelType

JSON = dict[str, Any]


class RawGateway:
    """A minimal gateway client that decodes zlib-stream (one context for the whole connection)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, compress: str) -> None:
        self.ws = ws
        self.compress = compress
        self.inflater = zlib.decompressobj()
        self.frames: list[bytes] = []
        if compress == "zstd-stream":
            self.zstd = importlib.import_module("zstandard").ZstdDecompressor().decompressobj()

    async def receive(self) -> JSON:
        message = await self.ws.receive(timeout=5)
        assert message.type is aiohttp.WSMsgType.BINARY, message
        self.frames.append(message.data)
        if self.compress == "zlib-stream":
            assert message.data.endswith(b"\x00\x00\xff\xff"), "every message ends in a Z_SYNC_FLUSH"
            return dict(json.loads(self.inflater.decompress(message.data)))
        return dict(json.loads(self.zstd.decompress(message.data)))

    async def receive_until(self, event: str) -> list[JSON]:
        packets = [await self.receive()]
        while packets[-1].get("t") != event:
            packets.append(await self.receive())
        return packets

    async def send(self, op: int, data: Any) -> None:
        await self.ws.send_str(json.dumps({"op": op, "d": data}))

    async def identify(self, token: str, intents: int, shard: tuple[int, int] = (0, 1)) -> JSON:
        await self.send(2, {"token": token, "intents": intents, "shard": list(shard), "properties": {}})
        return await self.receive()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def connect(http: aiohttp.ClientSession, standin: StandIn, compress: str = "zlib-stream") -> RawGateway:
    ws = await http.ws_connect(f"{standin.gateway_url}?v=10&encoding=json&compress={compress}")
    gateway = RawGateway(ws, compress)
    hello = await gateway.receive()
    assert hello == {"op": 10, "d": {"heartbeat_interval": 41250}}
    return gateway


async def test_zlib_stream_shares_one_context_per_connection(http: aiohttp.ClientSession, standin: StandIn) -> None:
    gateway = await connect(http, standin)
    ready = await gateway.identify(standin.token, Intent.GUILDS)
    assert ready["t"] == "READY"
    assert ready["s"] == 1
    assert ready["d"]["shard"] == [0, 1]
    assert ready["d"]["application"] == {"id": str(standin.application_id), "flags": 0}
    assert ready["d"]["guilds"] == [{"id": str(standin.guild().id), "unavailable": True}]
    assert ready["d"]["resume_gateway_url"] == standin.gateway_url
    guild = await gateway.receive()
    assert (guild["t"], guild["s"]) == ("GUILD_CREATE", 2)
    assert {c["name"] for c in guild["d"]["channels"]} == {"general", "film-talk"}
    assert [m["user"]["id"] for m in guild["d"]["members"]] == [str(standin.bot.id)], "no GUILD_MEMBERS intent"
    # A later message only decodes with the context that saw the earlier ones.
    with pytest.raises(zlib.error):
        zlib.decompressobj().decompress(gateway.frames[-1])
    await gateway.send(1, 2)
    assert await gateway.receive() == {"op": 11}
    await gateway.ws.close()


@pytest.mark.skipif(not zstd_available(), reason="the zstandard module is not installed (discord.py then uses zlib)")
async def test_zstd_stream(http: aiohttp.ClientSession, standin: StandIn) -> None:
    gateway = await connect(http, standin, "zstd-stream")
    assert (await gateway.identify(standin.token, Intent.GUILDS))["t"] == "READY"
    assert (await gateway.receive())["t"] == "GUILD_CREATE"
    await gateway.ws.close()


async def test_bad_token_is_closed_with_4004(http: aiohttp.ClientSession, standin: StandIn) -> None:
    gateway = await connect(http, standin)
    await gateway.send(2, {"token": "wrong", "intents": 1, "properties": {}})
    closing = await gateway.ws.receive(timeout=5)
    assert closing.type is aiohttp.WSMsgType.CLOSE
    assert closing.data == 4004


async def test_resume_replays_missed_dispatches_then_resumed(http: aiohttp.ClientSession, standin: StandIn) -> None:
    gateway = await connect(http, standin)
    ready = await gateway.identify(standin.token, Intent.GUILDS | Intent.GUILD_MESSAGES)
    await gateway.receive()  # GUILD_CREATE, s=2
    await standin.drop_connection(0, wait_resumed=False)
    assert (await gateway.ws.receive(timeout=5)).type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR)
    said = await standin.driver().say("while you were away")
    again = await connect(http, standin)
    await again.send(6, {"token": standin.token, "session_id": ready["d"]["session_id"], "seq": 2})
    missed, resumed = await again.receive(), await again.receive()
    assert (missed["t"], missed["s"], missed["d"]["id"]) == ("MESSAGE_CREATE", 3, str(said.id))
    assert missed["d"]["content"] == "", "no MESSAGE_CONTENT intent"
    assert (resumed["t"], resumed["s"]) == ("RESUMED", 4)
    await again.ws.close()


async def test_invalid_session_when_not_resumable(http: aiohttp.ClientSession, standin: StandIn) -> None:
    gateway = await connect(http, standin)
    ready = await gateway.identify(standin.token, Intent.GUILDS)
    await gateway.receive()
    standin.invalidate_session(0)
    again = await connect(http, standin)
    await again.send(6, {"token": standin.token, "session_id": ready["d"]["session_id"], "seq": 2})
    assert await again.receive() == {"op": 9, "d": False}
    await again.ws.close()
    await gateway.ws.close()


async def test_intents_decide_what_is_dispatched(http: aiohttp.ClientSession, standin: StandIn) -> None:
    gateway = await connect(http, standin)
    await gateway.identify(standin.token, Intent.GUILDS | Intent.GUILD_MESSAGES | Intent.MESSAGE_CONTENT)
    session = standin.gateway.shards[0]
    driver = standin.driver()
    await driver.say("plain words", user="bob")
    [(event, data)] = session.events[-1:]
    assert (event, data["content"]) == ("MESSAGE_CREATE", "plain words")
    session.intents = int(Intent.GUILDS | Intent.GUILD_MESSAGES)
    await driver.say("secret words", user="bob")
    assert session.events[-1][1]["content"] == ""
    await driver.say(f"{standin.bot.mention} hello", user="bob")
    assert session.events[-1][1]["content"] == f"{standin.bot.mention} hello"
    session.intents = int(Intent.GUILDS)
    before = session.seq
    await driver.say("unseen", user="bob")
    assert session.seq == before
    await gateway.ws.close()


# REST


def auth(standin: StandIn) -> dict[str, str]:
    return {"Authorization": f"Bot {standin.token}"}


async def test_gateway_bot_and_exact_json_content_type(http: aiohttp.ClientSession, standin: StandIn) -> None:
    async with http.get(f"{standin.api_base}/gateway/bot", headers=auth(standin)) as response:
        assert response.headers["Content-Type"] == "application/json"
        body = await response.json()
    assert body["url"] == standin.gateway_url
    assert body["shards"] == 1
    assert set(body["session_start_limit"]) == {"total", "remaining", "reset_after", "max_concurrency"}
    async with http.get(f"{standin.api_base}/users/@me") as response:
        assert response.status == 401


async def test_unknown_routes_are_404_and_recorded(http: aiohttp.ClientSession, standin: StandIn) -> None:
    channel = standin.guild().channel_named("general")
    url = f"{standin.api_base}/channels/{channel.id}/pins"
    async with http.get(url, headers=auth(standin)) as response:
        assert response.status == 404
        assert await response.json() == {"code": 0, "message": "404: Not Found"}
    async with http.delete(f"{standin.api_base}/users/@me", headers=auth(standin)) as response:
        assert response.status == 404
    assert standin.unknown_routes[-2:] == [f"GET /channels/{channel.id}/pins", "DELETE /users/@me"]
    standin.unknown_routes.clear()


async def post(http: aiohttp.ClientSession, standin: StandIn, path: str, body: JSON) -> tuple[int, Any]:
    async with http.post(f"{standin.api_base}{path}", json=body, headers=auth(standin)) as response:
        return response.status, await response.json()


async def test_message_limits_answer_invalid_form_body(http: aiohttp.ClientSession, standin: StandIn) -> None:
    channel = standin.guild().channel_named("general").id
    status, body = await post(http, standin, f"/channels/{channel}/messages", {"content": "x" * 2001})
    assert status == 400
    assert body == {
        "code": 50035,
        "message": "Invalid Form Body",
        "errors": {
            "content": {"_errors": [{"code": "BASE_TYPE_MAX_LENGTH", "message": "Must be 2000 or fewer in length."}]}
        },
    }
    embed = {"title": "t", "description": "d" * 4097, "fields": [{"name": "n", "value": "v" * 1025}] * 26}
    status, body = await post(http, standin, f"/channels/{channel}/messages", {"embeds": [embed]})
    errors = body["errors"]["embeds"]
    assert set(errors["0"]) == {"description", "fields"}
    assert "_errors" in errors["0"]["fields"]
    assert errors["0"]["fields"]["0"]["value"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert errors["_errors"][0]["code"] == "MAX_EMBED_SIZE_EXCEEDED"
    button = {"type": 2, "style": 1, "label": "go", "custom_id": "c" * 101}
    status, body = await post(
        http,
        standin,
        f"/channels/{channel}/messages",
        {"content": "x", "components": [{"type": 1, "components": [button]}]},
    )
    assert (
        body["errors"]["components"]["0"]["components"]["0"]["custom_id"]["_errors"][0]["code"]
        == "BASE_TYPE_BAD_LENGTH"
    )
    status, body = await post(http, standin, f"/channels/{channel}/messages", {"content": ""})
    assert (status, body["code"]) == (400, 50006)
    status, body = await post(
        http,
        standin,
        f"/channels/{channel}/messages",
        {"content": "x", "allowed_mentions": {"parse": ["users"], "users": ["1"]}},
    )
    assert "users" in body["errors"]["allowed_mentions"]


async def test_bot_permissions_are_checked(http: aiohttp.ClientSession, standin: StandIn) -> None:
    channel = standin.guild().channel_named("film-talk")
    send = Permission.SEND_MESSAGES
    standin.set_overwrite(channel, standin.bot_role(), deny=send)
    standin.set_overwrite(channel, standin.guild().roles[standin.guild().id], deny=send)
    try:
        status, body = await post(http, standin, f"/channels/{channel.id}/messages", {"content": "hi"})
        assert (status, body) == (403, {"code": 50013, "message": "Missing Permissions"})
        standin.set_overwrite(channel, standin.bot, deny=Permission.VIEW_CHANNEL)
        status, body = await post(http, standin, f"/channels/{channel.id}/messages", {"content": "hi"})
        assert (status, body["code"]) == (403, 50001)
    finally:
        for target in (standin.bot_role(), standin.guild().roles[standin.guild().id], standin.bot):
            standin.set_overwrite(channel, target)
    status, _ = await post(http, standin, f"/channels/{channel.id}/messages", {"content": "hi"})
    assert status == 200


async def test_scheduled_event_rules(http: aiohttp.ClientSession, standin: StandIn) -> None:
    path = f"/guilds/{standin.guild().id}/scheduled-events"
    external = {
        "name": "Night",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": "2999-01-01T20:00:00+00:00",
    }
    status, body = await post(http, standin, path, external)
    assert status == 400
    assert set(body["errors"]) == {"entity_metadata", "scheduled_end_time"}
    long_text = {**external, "name": "n" * 101, "description": "d" * 1001}
    status, body = await post(http, standin, path, long_text)
    assert {"name", "description"} <= set(body["errors"])
    valid = {**external, "entity_metadata": {"location": "Cinema"}, "scheduled_end_time": "2999-01-01T22:00:00+00:00"}
    status, body = await post(http, standin, path, valid)
    assert status == 200
    assert body["creator_id"] == str(standin.bot.id)
    assert body["status"] == 1


async def test_history_pages_newest_first(http: aiohttp.ClientSession, standin: StandIn) -> None:
    driver = standin.driver()
    thread = standin.core.create_thread(
        driver.channel("general"), driver.user("bob"), name="history", kind=ChannelType.PUBLIC_THREAD
    )
    said = [await driver.say(f"m{n}", channel=thread) for n in range(5)]
    base = f"{standin.api_base}/channels/{thread.id}/messages"
    async with http.get(base, params={"limit": 2}, headers=auth(standin)) as response:
        assert [m["content"] for m in await response.json()] == ["m4", "m3"]
    async with http.get(base, params={"before": str(said[2].id)}, headers=auth(standin)) as response:
        assert [m["content"] for m in await response.json()] == ["m1", "m0"]
    async with http.get(base, params={"after": str(said[0].id), "limit": 2}, headers=auth(standin)) as response:
        assert [m["content"] for m in await response.json()] == ["m2", "m1"]


async def call(
    http: aiohttp.ClientSession, standin: StandIn, method: str, path: str, body: Any = None
) -> tuple[int, Any]:
    async with http.request(method, f"{standin.api_base}{path}", json=body, headers=auth(standin)) as response:
        return response.status, (await response.json() if response.status != 204 else None)


async def test_command_crud_keeps_ids_and_validates(http: aiohttp.ClientSession, standin: StandIn) -> None:
    base = f"/applications/{standin.application_id}/guilds/{standin.guild().id}/commands"
    status, made = await call(http, standin, "POST", base, {"name": "quiz", "description": "A quiz", "type": 1})
    assert status == 200
    assert made["guild_id"] == str(standin.guild().id)
    status, patched = await call(http, standin, "PATCH", f"{base}/{made['id']}", {"description": "A film quiz"})
    assert (patched["id"], patched["description"]) == (made["id"], "A film quiz")
    assert patched["version"] != made["version"]
    status, listed = await call(http, standin, "GET", base)
    assert [c["name"] for c in listed] == ["quiz"]
    status, _ = await call(http, standin, "DELETE", f"{base}/{made['id']}")
    assert status == 204
    status, body = await call(http, standin, "GET", f"{base}/{made['id']}")
    assert (status, body["code"]) == (404, 10063)
    bad = {"name": "Bad Name", "description": "", "options": [{"type": 3, "name": "a", "description": "d"}] * 26}
    status, body = await call(http, standin, "PUT", base, [bad])
    assert status == 400
    assert set(body["errors"]["0"]) == {"name", "description", "options"}
    assert standin.guild().commands == {}


async def test_event_lifecycle_users_and_transitions(http: aiohttp.ClientSession, standin: StandIn) -> None:
    path = f"/guilds/{standin.guild().id}/scheduled-events"
    voice = standin.guild().channel_named("general").id
    body = {"name": "Night", "privacy_level": 2, "entity_type": 2, "channel_id": str(voice)}
    status, made = await call(http, standin, "POST", path, {**body, "scheduled_start_time": "2999-01-01T20:00:00Z"})
    assert status == 200
    event = standin.guild().scheduled_events[int(made["id"])]
    await standin.driver().interested(event, user="carol")
    status, users = await call(http, standin, "GET", f"{path}/{event.id}/users?with_member=true")
    assert [u["user"]["username"] for u in users] == ["carol"]
    assert "member" in users[0]
    status, listed = await call(http, standin, "GET", f"{path}?with_user_count=true")
    assert [e["user_count"] for e in listed if e["id"] == made["id"]] == [1]
    status, started = await call(http, standin, "PATCH", f"{path}/{event.id}", {"status": 2})
    assert started["status"] == 2
    status, body = await call(http, standin, "PATCH", f"{path}/{event.id}", {"status": 1})
    assert (status, list(body["errors"])) == (400, ["status"])
    status, _ = await call(http, standin, "DELETE", f"{path}/{event.id}")
    assert status == 204
    assert event.id not in standin.guild().scheduled_events


async def test_thread_name_and_autocomplete_limits(http: aiohttp.ClientSession, standin: StandIn) -> None:
    channel = standin.guild().channel_named("general")
    status, body = await call(http, standin, "POST", f"/channels/{channel.id}/threads", {"name": "t" * 101, "type": 11})
    assert (status, list(body["errors"])) == (400, ["name"])
    user = standin.driver().user("bob")
    interaction = standin.core.new_interaction(4, user, channel, {"name": "film", "options": []})
    choices = [{"name": f"film {n}", "value": str(n)} for n in range(26)]
    url = f"/interactions/{interaction.id}/{interaction.token}/callback"
    status, body = await call(http, standin, "POST", url, {"type": 8, "data": {"choices": choices}})
    assert status == 400
    assert body["errors"]["data"]["choices"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    status, body = await call(http, standin, "POST", url, {"type": 4, "data": {"content": "no"}})
    assert (status, list(body["errors"])) == (400, ["type"])
    status, _ = await call(http, standin, "POST", url, {"type": 8, "data": {"choices": choices[:25]}})
    assert status == 204
    assert interaction.callback is not None
    assert len(interaction.callback.data["choices"]) == 25
