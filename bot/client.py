"""The Discord client: intents, extensions, command sync and the error handler wired together."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence

import discord
import yarl
from discord import app_commands

from bot import __version__
from bot.config import Settings
from bot.errors import reply_with_error
from cogs.ui.bot import ClubBot, Interaction
from cogs.ui.film_option import FilmPicker
from cogs.ui.items import PageButton
from db import Database, checkpoints
from services.films.cache import one_version_per_task
from services.registry import Services

log = logging.getLogger(__name__)

SYNC_CHECKPOINT = "command-tree-hash"
# The features, loaded in this order. A module in cogs/ that is not listed (a shared helper) is not loaded.
EXTENSIONS = ("cogs.about", "cogs.films", "cogs.reviews", "cogs.parties", "cogs.ask")
# Components that every feature may send, working after restarts.
SHARED_ITEMS = (PageButton, FilmPicker)

# Film Club never joins voice: discord.py's start-up warnings about voice libraries are noise.
discord.VoiceClient.warn_nacl = False
discord.VoiceClient.warn_dave = False

# What the bot needs in a server: the invite link asks for exactly these (README lists them too).
# Features that post in channels, open threads or schedule events add theirs here.
REQUIRED = (
    "view_channel",
    "send_messages",
    "send_messages_in_threads",
    "embed_links",
    "read_message_history",  # reviews: a Discuss thread opens on the review's message
    "create_public_threads",  # reviews' Discuss threads, watch parties' discussion threads
    "manage_events",  # watch parties in the server's Events, kept in step
)
REQUIRED_PERMISSIONS = discord.Permissions(**dict.fromkeys(REQUIRED, True))


def permission_names() -> str:
    """ "View Channel, Send Messages, ..." for the invite instructions."""
    return ", ".join(name.replace("_", " ").title() for name in REQUIRED)


def invite_url(application_id: int) -> str:
    return discord.utils.oauth_url(
        application_id, permissions=REQUIRED_PERMISSIONS, scopes=("bot", "applications.commands")
    )


def configure_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured API (Discord itself, or the local stand-in).

    discord.py keeps these as class attributes, so they are process-wide: one Discord per process.
    """
    discord.http.Route.BASE = settings.api_base_url
    if settings.gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def intents() -> discord.Intents:
    """Only what the features need, none privileged: slash commands and components need just the guilds intent;
    questions asked by mentioning the bot need guild messages (a message that mentions the bot carries its text
    without the privileged message content intent)."""
    wanted = discord.Intents.none()
    wanted.guilds = True  # channels, threads and our own member object
    wanted.guild_messages = True  # ask: messages that mention the bot
    return wanted


class FilmClubTree(app_commands.CommandTree[ClubBot]):
    async def interaction_check(self, interaction: Interaction) -> bool:
        """Each command (and each autocomplete) runs in a task of its own: its film options and its answer are
        made at one catalogue version, read once (see services.films.cache.one_version_per_task)."""
        one_version_per_task()
        return True

    async def on_error(self, interaction: Interaction, error: app_commands.AppCommandError) -> None:
        await reply_with_error(interaction, error)


class FilmClubBot(ClubBot):
    """Resources (settings, database, services) are built by the caller and injected.

    The database is the bot's own bookkeeping (when commands were last synced); cogs reach only services.
    """

    def __init__(self, settings: Settings, services: Services, db: Database, *, sync_on_start: bool = True) -> None:
        super().__init__(
            command_prefix=(),  # no text commands: slash commands, and cogs listening for mentions
            intents=intents(),
            tree_cls=FilmClubTree,
            help_command=None,
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=settings.shard_count,
            shard_ids=settings.shard_ids,  # type: ignore[arg-type]  # None (all shards) is its documented default
            guild_ready_timeout=settings.guild_ready_timeout,
            chunk_guilds_at_startup=False,
        )
        self.settings = settings
        self.services = services
        self.version = __version__
        self.db = db
        self.sync_on_start = sync_on_start

    async def report_error(self, interaction: Interaction, error: BaseException) -> None:
        await reply_with_error(interaction, error)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(*SHARED_ITEMS)
        await self.load_cogs()
        if self.sync_on_start:
            await self.sync_commands(only_if_changed=True)

    async def load_cogs(self) -> None:
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        log.info("loaded extensions: %s", ", ".join(sorted(self.extensions)))

    def tree_fingerprint(self) -> str:
        schema = [command.to_dict(self.tree) for command in self.tree.get_commands()]
        return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()

    async def sync_commands(
        self, *, only_if_changed: bool = False, guild_ids: Sequence[int] | None = None
    ) -> list[str]:
        """Register the command tree with Discord; returns where it was synced.

        With ``dev_guild_ids`` configured (or ``guild_ids`` given), the global commands are copied to
        those guilds, where changes show instantly. Otherwise they are synced globally, and at
        start-up only when the tree changed since the last sync (global syncs are rate-limited).
        """
        targets = list(guild_ids if guild_ids is not None else self.settings.dev_guild_ids)
        if targets:
            for guild_id in targets:
                guild = discord.Object(guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
            log.info("synced commands to guilds %s", targets)
            return [f"guild {g}" for g in targets]
        fingerprint = self.tree_fingerprint()
        stored = {"sha256": fingerprint}
        if only_if_changed:
            async with self.db.transaction() as session:
                if await checkpoints.get(session, SYNC_CHECKPOINT) == stored:
                    log.info("command tree unchanged since the last global sync; not syncing")
                    return []
        await self.tree.sync()
        async with self.db.transaction() as session:
            await checkpoints.put(session, SYNC_CHECKPOINT, stored)
        log.info("synced commands globally")
        return ["global"]

    async def on_ready(self) -> None:
        assert self.user is not None
        log.info("invite link: %s", invite_url(self.application_id or self.user.id))
        log.info(
            "ready as %s (%s) in %d guilds, %d shards", self.user, self.user.id, len(self.guilds), self.shard_count or 1
        )
