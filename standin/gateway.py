"""The gateway: an aiohttp websocket speaking Discord's protocol (v10, JSON, zlib-stream or zstd-stream).

Each IDENTIFY makes a :class:`Session` holding every dispatch for its shard, numbered by ``s``. A
writer task per connection sends what the client has not seen yet, so RESUME is simply "continue
after the client's sequence number" and dispatches made while disconnected are replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import importlib
import json
import secrets
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from standin.config import Config
from standin.state import JSON, State


def _optional(module: str) -> Any:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


zstandard: Any = _optional("zstandard")
"""Serving ``zstd-stream`` needs it, like discord.py needs it to ask for ``zstd-stream``."""


class Op(enum.IntEnum):
    DISPATCH = 0
    HEARTBEAT = 1
    IDENTIFY = 2
    PRESENCE_UPDATE = 3
    RESUME = 6
    RECONNECT = 7
    REQUEST_GUILD_MEMBERS = 8
    INVALID_SESSION = 9
    HELLO = 10
    HEARTBEAT_ACK = 11


class Intent(enum.IntFlag):
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_PRESENCES = 1 << 8
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    MESSAGE_CONTENT = 1 << 15
    GUILD_SCHEDULED_EVENTS = 1 << 16


PRIVILEGED = Intent.GUILD_MEMBERS | Intent.GUILD_PRESENCES | Intent.MESSAGE_CONTENT

EVENT_INTENT: dict[str, Intent] = {
    "CHANNEL_UPDATE": Intent.GUILDS,
    "CHANNEL_DELETE": Intent.GUILDS,
    "GUILD_DELETE": Intent.GUILDS,
    "GUILD_ROLE_UPDATE": Intent.GUILDS,
    "THREAD_CREATE": Intent.GUILDS,
    "THREAD_UPDATE": Intent.GUILDS,
    "THREAD_DELETE": Intent.GUILDS,
    "THREAD_MEMBERS_UPDATE": Intent.GUILDS,
    "MESSAGE_CREATE": Intent.GUILD_MESSAGES,
    "MESSAGE_UPDATE": Intent.GUILD_MESSAGES,
    "MESSAGE_DELETE": Intent.GUILD_MESSAGES,
    "MESSAGE_REACTION_ADD": Intent.GUILD_MESSAGE_REACTIONS,
    "MESSAGE_REACTION_REMOVE": Intent.GUILD_MESSAGE_REACTIONS,
    "GUILD_SCHEDULED_EVENT_CREATE": Intent.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_UPDATE": Intent.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_DELETE": Intent.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_ADD": Intent.GUILD_SCHEDULED_EVENTS,
    "GUILD_SCHEDULED_EVENT_USER_REMOVE": Intent.GUILD_SCHEDULED_EVENTS,
}

CONTENT_FIELDS: dict[str, Any] = {"content": "", "embeds": [], "attachments": [], "components": [], "poll": None}


@dataclass
class Session:
    """One identified shard session; its events survive a dropped connection until it is invalidated."""

    id: str
    shard_id: int
    shard_count: int
    intents: int
    events: list[tuple[str, JSON]] = field(default_factory=list)
    sent: int = 0
    ready_seq: int = 0
    resumable: bool = True
    resumes: int = 0
    connection: Connection | None = None
    wake: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def seq(self) -> int:
        return len(self.events)

    @property
    def ready(self) -> bool:
        """READY and every GUILD_CREATE have been written to the socket."""
        return self.ready_seq > 0 and self.sent >= self.ready_seq

    def push(self, event: str, data: JSON) -> None:
        self.events.append((event, data))
        self.wake.set()


class Connection:
    """One websocket; all sends share its compression context, so they go through one lock."""

    def __init__(self, ws: web.WebSocketResponse, request: web.Request, compress: str | None) -> None:
        self.ws = ws
        self.request = request
        self.compress = compress
        self.lock = asyncio.Lock()
        self.writer: asyncio.Task[None] | None = None
        self._encode: Callable[[bytes], bytes] | None = None
        if compress == "zlib-stream":
            deflater = zlib.compressobj()
            self._encode = lambda raw: deflater.compress(raw) + deflater.flush(zlib.Z_SYNC_FLUSH)
        elif compress == "zstd-stream":
            assert zstandard is not None
            zstd = zstandard.ZstdCompressor().compressobj()
            self._encode = lambda raw: zstd.compress(raw) + zstd.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)

    async def send(self, payload: JSON) -> None:
        raw = json.dumps(payload, separators=(",", ":"))
        async with self.lock:
            if self._encode is None:
                await self.ws.send_str(raw)
            else:
                await self.ws.send_bytes(self._encode(raw.encode()))

    def abort(self) -> None:
        """Cut the TCP connection without a close frame, like a network failure."""
        transport = self.request.transport
        if transport is not None:
            transport.abort()


class Gateway:
    def __init__(self, state: State, config: Config) -> None:
        self.state = state
        self.config = config
        self.sessions: dict[str, Session] = {}
        self.shards: dict[int, Session] = {}
        """The current session of each shard id."""
        self.connections: set[Connection] = set()
        self.url = ""

    # Routing dispatches

    def dispatch(self, event: str, data: JSON, guild_id: int | None = None, *, content_exempt: bool = True) -> None:
        """Queue an event for every session whose shard owns the guild and whose intents want it.

        ``content_exempt`` false means the payload's content is privileged: sessions without the
        MESSAGE_CONTENT intent get it emptied, as Discord does.
        """
        for session in self.shards.values():
            if guild_id is not None and (guild_id >> 22) % session.shard_count != session.shard_id:
                continue
            if guild_id is None and session.shard_id != 0:
                continue
            payload = self._filter(session, event, data, content_exempt=content_exempt)
            if payload is not None:
                session.push(event, payload)

    def _filter(self, session: Session, event: str, data: JSON, *, content_exempt: bool) -> JSON | None:
        needed = EVENT_INTENT.get(event)
        if needed is not None and not session.intents & needed:
            return None
        if not content_exempt and not session.intents & Intent.MESSAGE_CONTENT:
            data = {**data, **{k: v for k, v in CONTENT_FIELDS.items() if k in data}}
        if event == "THREAD_MEMBERS_UPDATE" and not session.intents & Intent.GUILD_MEMBERS:
            # Without GUILD_MEMBERS, Discord tells the bot only about its own thread membership.
            me = str(self.state.bot.id)
            added = [m for m in data.get("added_members", []) if m["user_id"] == me]
            removed = [u for u in data.get("removed_member_ids", []) if u == me]
            if not added and not removed:
                return None
            data = {**data, "added_members": added, "removed_member_ids": removed}
        return data

    # The websocket handler

    async def handle(self, request: web.Request) -> web.StreamResponse:
        compress = request.query.get("compress")
        if request.query.get("v", "10") != "10" or request.query.get("encoding", "json") != "json":
            raise web.HTTPBadRequest(text="the stand-in speaks v=10 encoding=json only")
        if compress not in (None, "zlib-stream", "zstd-stream"):
            raise web.HTTPBadRequest(text=f"unknown compress={compress}")
        if compress == "zstd-stream" and zstandard is None:
            raise web.HTTPBadRequest(text="zstd-stream needs the zstandard module in the stand-in's process")
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        connection = Connection(ws, request, compress)
        self.connections.add(connection)
        session: Session | None = None
        try:
            await connection.send({"op": Op.HELLO, "d": {"heartbeat_interval": self.config.heartbeat_interval_ms}})
            async for message in ws:
                if message.type is not WSMsgType.TEXT:
                    continue
                packet = json.loads(message.data)
                session = await self._on_packet(connection, session, packet) or session
        finally:
            self.connections.discard(connection)
            if connection.writer is not None:
                connection.writer.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await connection.writer
            if session is not None and session.connection is connection:
                session.connection = None
            self.state.changed()
        return ws

    async def _on_packet(self, connection: Connection, session: Session | None, packet: JSON) -> Session | None:
        op, data = packet.get("op"), packet.get("d")
        if op == Op.HEARTBEAT:
            await connection.send({"op": Op.HEARTBEAT_ACK})
        elif op == Op.IDENTIFY:
            return await self._identify(connection, data or {})
        elif op == Op.RESUME:
            return await self._resume(connection, data or {})
        elif op == Op.REQUEST_GUILD_MEMBERS and session is not None:
            self._members_chunk(session, data or {})
        return None

    async def _identify(self, connection: Connection, data: JSON) -> Session | None:
        if data.get("token") != self.config.token:
            await connection.ws.close(code=4004, message=b"Authentication failed.")
            return None
        shard_id, shard_count = data.get("shard") or [0, 1]
        if not 0 <= shard_id < shard_count:
            await connection.ws.close(code=4010, message=b"Invalid shard.")
            return None
        intents = int(data.get("intents", 0))
        if intents & PRIVILEGED and not self.config.privileged_intents:
            await connection.ws.close(code=4014, message=b"Disallowed intent(s).")
            return None
        old = self.shards.get(shard_id)
        if old is not None:
            old.resumable = False
        session = Session(secrets.token_hex(16), shard_id, shard_count, intents)
        self.sessions[session.id] = session
        self.shards[shard_id] = session
        guilds = [g for g in self.state.guilds.values() if g.shard_id(shard_count) == shard_id]
        session.push("READY", self._ready_payload(session, [g.id for g in guilds]))
        for guild in guilds:
            session.push(
                "GUILD_CREATE", self.state.guild_payload(guild, all_members=bool(intents & Intent.GUILD_MEMBERS))
            )
        session.ready_seq = session.seq
        self._attach(connection, session)
        return session

    def _ready_payload(self, session: Session, guild_ids: list[int]) -> JSON:
        return {
            "v": 10,
            "user": {**self.state.bot.to_payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g), "unavailable": True} for g in guild_ids],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.url,
            "shard": [session.shard_id, session.shard_count],
            "application": {"id": str(self.state.application.id), "flags": self.state.application.flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "auth": {},
            "_trace": ["standin"],
        }

    async def _resume(self, connection: Connection, data: JSON) -> Session | None:
        session = self.sessions.get(str(data.get("session_id")))
        seq = data.get("seq")
        if (
            session is None
            or not session.resumable
            or data.get("token") != self.config.token
            or not isinstance(seq, int)
            or seq > session.seq
        ):
            await connection.send({"op": Op.INVALID_SESSION, "d": False})
            return None
        if session.connection is not None and session.connection is not connection:
            session.connection.abort()
        session.sent = seq
        session.resumes += 1
        session.push("RESUMED", {"_trace": ["standin"]})
        self._attach(connection, session)
        return session

    def _attach(self, connection: Connection, session: Session) -> None:
        session.connection = connection
        connection.writer = asyncio.create_task(
            self._write(connection, session), name=f"standin-shard-{session.shard_id}"
        )

    async def _write(self, connection: Connection, session: Session) -> None:
        """Send the session's events the client has not seen, in order, until the connection ends."""
        while not connection.ws.closed:
            session.wake.clear()
            while session.sent < session.seq and session.connection is connection:
                event, data = session.events[session.sent]
                try:
                    await connection.send({"op": Op.DISPATCH, "t": event, "s": session.sent + 1, "d": data})
                except (ConnectionError, RuntimeError):
                    return
                session.sent += 1
                self.state.changed()
            if session.connection is not connection:
                return
            await session.wake.wait()

    def _members_chunk(self, session: Session, data: JSON) -> None:
        guild = self.state.guilds.get(int(data.get("guild_id", 0)))
        if guild is None:
            return
        query = str(data.get("query", "")).lower()
        members = [m for m in guild.members.values() if m.user.username.lower().startswith(query)]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.to_payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
            "not_found": [],
        }
        if data.get("nonce") is not None:
            chunk["nonce"] = data["nonce"]
        session.push("GUILD_MEMBERS_CHUNK", chunk)

    # Test hooks

    def drop(self, shard_id: int) -> Session:
        """Abort the shard's current connection (no close frame); the session stays resumable."""
        session = self.shards[shard_id]
        if session.connection is None:
            raise RuntimeError(f"shard {shard_id} has no open connection to drop")
        session.connection.abort()
        return session

    def invalidate(self, shard_id: int) -> Session:
        """Make the shard's session unresumable and drop it: the client's RESUME gets INVALID_SESSION."""
        session = self.shards[shard_id]
        session.resumable = False
        if session.connection is not None:
            session.connection.abort()
        return session

    async def close(self) -> None:
        for connection in list(self.connections):
            await connection.ws.close(code=1001, message=b"stand-in shutting down")

    def describe(self) -> str:
        return (
            ", ".join(
                f"shard {s.shard_id}/{s.shard_count}: {s.sent}/{s.seq} sent, "
                f"{'connected' if s.connection else 'disconnected'}"
                for s in self.shards.values()
            )
            or "no shard has identified"
        )


def zstd_available() -> bool:
    return zstandard is not None
