"""``StandIn``: the REST API and the gateway served on 127.0.0.1, plus the hooks tests need."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any

from aiohttp import web

from standin.config import Config
from standin.core import Core
from standin.gateway import Gateway, Session
from standin.permissions import Permission
from standin.rest import Rest
from standin.state import Channel, Guild, RateLimit, Role, State, User
from standin.world import GuildSpec, build_guild, build_world

if TYPE_CHECKING:
    from standin.driver import Driver


STABLE_IDS_FROM = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


class StandIn:
    """A local Discord. ``async with StandIn() as discord:`` listens on a free port of 127.0.0.1.

    ``guilds`` defaults to one "Film Club Test" guild; ``config_overrides`` set :class:`Config` fields
    (``ack_deadline=…``, ``recommended_shards=…``, ``token=…``). With ``stable_ids`` the world (users,
    guilds, channels, roles) gets the same ids on every run, so data stored about it persists.
    """

    def __init__(
        self,
        guilds: Sequence[GuildSpec] | None = None,
        *,
        application_name: str = "Film Club",
        stable_ids: bool = False,
        config: Config | None = None,
        **config_overrides: Any,
    ) -> None:
        self.config = replace(config or Config(), **config_overrides)
        self.state = State(application_name=application_name, ids_frozen_at=STABLE_IDS_FROM if stable_ids else None)
        self.gateway = Gateway(self.state, self.config)
        self.core = Core(self.state, self.gateway, self.config)
        self.rest = Rest(self.state, self.core, self.gateway, self.config)
        build_world(self.state, guilds if guilds is not None else [GuildSpec()])
        self.state.snowflakes.unfreeze()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # Lifecycle

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/", self.gateway.handle)
        app.router.add_route("*", "/{tail:.*}", self.rest.handle)
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self.config.http_base = f"http://127.0.0.1:{self.port}"
        self.gateway.url = f"ws://127.0.0.1:{self.port}/"

    async def close(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StandIn:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.close()

    # Where and who

    @property
    def api_base(self) -> str:
        """The value for ``discord.http.Route.BASE``."""
        return f"{self.config.http_base}/api/v10"

    @property
    def gateway_url(self) -> str:
        """The value for ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``."""
        return self.gateway.url

    @property
    def token(self) -> str:
        return self.config.token

    @property
    def bot(self) -> User:
        return self.state.bot

    @property
    def application_id(self) -> int:
        return self.state.application.id

    @property
    def unknown_routes(self) -> list[str]:
        """Every request to a route the stand-in lacks, as ``"METHOD /path"``; tests assert it stays empty."""
        return self.state.unknown_routes

    def configure_discord_py(self) -> None:
        """Point this process's discord.py at the stand-in (both settings are process-wide)."""
        import discord
        import yarl

        discord.http.Route.BASE = self.api_base
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(self.gateway_url)

    def guild(self, which: str | int | None = None) -> Guild:
        """A guild by name or id; the first one by default."""
        for guild in self.state.guilds.values():
            if which is None or which in (guild.id, guild.name):
                return guild
        raise KeyError(f"no guild {which!r}; have {[g.name for g in self.state.guilds.values()]}")

    def add_guild(self, spec: GuildSpec) -> Guild:
        """Add a guild before the bot connects (a GUILD_CREATE for a running bot is not implemented)."""
        return build_guild(self.state, spec)

    def driver(self, user: str = "alice", channel: str = "general", guild: str | int | None = None) -> Driver:
        """Act as ``user`` in ``#channel`` of ``guild`` (each call of the driver may override both)."""
        from standin.driver import Driver

        return Driver(self, user=user, channel=channel, guild=self.guild(guild))

    # Gateway hooks

    async def wait_ready(self, shard_count: int | None = None, *, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait until ``shard_count`` shards have identified and been sent READY and every GUILD_CREATE."""
        count = shard_count or self.config.recommended_shards

        def ready() -> bool:
            shards = self.gateway.shards
            return len(shards) >= count and all(s.ready and s.connection is not None for s in shards.values())

        await self.state.wait_for(ready, timeout=timeout, what=f"{count} ready shard(s) ({self.gateway.describe()})")

    async def drop_connection(
        self,
        shard_id: int = 0,
        *,
        wait_resumed: bool = True,
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> Session:
        """Cut the shard's socket abruptly; by default wait until the client has RESUMEd and caught up."""
        session = self.gateway.drop(shard_id)
        if wait_resumed:
            before = session.resumes

            def resumed() -> bool:
                return session.resumes > before and session.connection is not None and session.sent == session.seq

            await self.state.wait_for(resumed, timeout=timeout, what=f"shard {shard_id} to RESUME")
        return session

    def invalidate_session(self, shard_id: int = 0) -> Session:
        """Drop the shard and refuse its RESUME with INVALID_SESSION (discord.py re-IDENTIFYs after ~5 s)."""
        return self.gateway.invalidate(shard_id)

    # Changing the world while the bot runs

    def set_overwrite(self, channel: Channel, target: User | Role, *, allow: int = 0, deny: int = 0) -> None:
        """Allow/deny permissions in a channel for a member or role, e.g. ``deny=Permission.EMBED_LINKS``."""
        self.core.set_overwrite(channel, target.id, allow=allow, deny=deny)

    def delete_channel(self, channel: Channel) -> None:
        """Someone deletes a channel or thread by hand."""
        self.core.delete_channel(channel)

    def remove_bot(self, guild: Guild) -> None:
        """Someone kicks the bot from ``guild`` (it stays in the world, without the bot)."""
        self.core.remove_bot(guild.id)

    def rate_limit(self, method: str, path: str, *, times: int, retry_after: float = 0.05) -> RateLimit:
        """Answer the next ``times`` requests to ``METHOD path`` (a regular expression over the path after
        /api/v10) with 429 and Retry-After, as Discord does when a bot sends too fast."""
        limit = RateLimit(method, path, times, retry_after)
        self.state.rate_limits.append(limit)
        return limit

    def set_role_permissions(self, role: Role, permissions: int) -> None:
        self.core.set_role_permissions(role, Permission(permissions))

    def bot_role(self, guild: Guild | None = None) -> Role:
        guild = guild or self.guild()
        return next(r for r in guild.roles.values() if r.bot_id == self.bot.id)
