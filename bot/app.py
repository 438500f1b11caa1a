"""Start-up and shutdown, shared by `filmclub run`, the offline console and the end-to-end tests."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager

import aiohttp
import discord

from bot.client import FilmClubBot, configure_endpoints, permission_names
from bot.config import DISCORD_API_BASE, Settings
from bot.logging import hide_url_passwords
from bot.services import build_services
from db import Database, migrate
from db.engine import explained
from services.clock import Clock, SystemClock
from services.films.starter import load_starter
from services.registry import Services

log = logging.getLogger(__name__)

# discord.py's names for the tasks that run slash commands, buttons, menus, modals and dynamic items.
INTERACTION_TASKS = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
)
FINISH_SECONDS = 10.0

MISSING_TOKEN = f"""\
No Discord bot token is configured, so Film Club cannot connect to Discord.
Create an application at https://discord.com/developers/applications, open its "Bot" page and press
"Reset Token", then put the token in the DISCORD_TOKEN environment variable (or `token` in your config
file, see config.example.toml). Invite the bot with the OAuth2 scopes `bot` and `applications.commands`
and the permissions {permission_names()}.
To try the bot without Discord at all, run `filmclub console`."""


class CannotStart(Exception):
    """Film Club cannot start; the message says what failed and what to check (shown without a traceback)."""

    exit_code = 1


class MissingToken(CannotStart):
    exit_code = 2  # a configuration mistake

    def __str__(self) -> str:
        return MISSING_TOKEN


class App:
    """Owns the database, the services and the bot; built once, closed once."""

    def __init__(self, settings: Settings, db: Database, services: Services, bot: FilmClubBot) -> None:
        self.settings = settings
        self.db = db
        self.services = services
        self.bot = bot
        self._started = False

    @classmethod
    async def open(cls, settings: Settings, *, sync_on_start: bool = True, clock: Clock | None = None) -> App:
        """Migrate the database, load the starter catalogue if it is new, and build everything the bot needs
        (on the real clock unless given another, e.g. a test's)."""
        configure_endpoints(settings)
        clock = clock or SystemClock()
        db = Database(settings.resolved_database_url, echo=settings.database_echo)
        try:
            with explained(db.url):
                async with migrate.exclusive(db.engine):  # shard processes may start together
                    await migrate.upgrade(db.engine)
                    await load_starter(db, now=clock.now())
            services = build_services(settings, db, clock)
        except BaseException:
            await db.dispose()
            raise
        log.info("database ready (%s)", db.backend)
        return cls(settings, db, services, FilmClubBot(settings, services, db, sync_on_start=sync_on_start))

    async def login(self) -> None:
        """Log in over HTTP only (loads the cogs; opens no gateway), e.g. to sync commands."""
        self._started = True
        with self._explained():
            await self.bot.login(self._token())

    async def run(self) -> None:
        """Connect and serve until `close()` is called (or the connection fails for good)."""
        token = self._token()
        self._started = True
        async with self.bot:
            with self._explained():
                await self.bot.start(token)

    @contextmanager
    def _explained(self) -> Iterator[None]:
        """Discord unreachable or refusing the token: CannotStart, in a sentence."""
        api = self.settings.api_base_url
        try:
            yield
        except discord.LoginFailure as error:
            raise CannotStart(
                f'Discord refused the bot token ({error}). Press "Reset Token" on the application\'s Bot page at '
                "https://discord.com/developers/applications and put the new token in DISCORD_TOKEN."
            ) from error
        except (aiohttp.ClientConnectionError, TimeoutError) as error:
            cause = getattr(error, "os_error", None) or error  # aiohttp's own message repeats host and port
            reason = getattr(cause, "strerror", None) or str(cause) or type(cause).__name__
            check = "the network connection" + (", and api_base_url" if api != DISCORD_API_BASE else "")
            where = hide_url_passwords(api)
            raise CannotStart(f"Cannot reach Discord at {where} ({reason}): check {check}.") from error

    async def until_ready(self, runner: asyncio.Task[None], seconds: float) -> None:
        """Return once the bot is ready; if ``runner`` (this app's `run()`) ends first, raise why it did.

        Raises TimeoutError when neither happens within ``seconds``.
        """
        ready = asyncio.create_task(self.bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, runner}, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        if ready in done:
            return
        ready.cancel()
        if runner in done:
            runner.result()  # re-raises the error that stopped the bot while starting
        raise TimeoutError(f"the bot was not ready after {seconds:.0f} s")

    async def _finish_interactions(self) -> None:
        """Wait for the handlers still running: a follow-up sent after the HTTP session closed would be lost."""
        running = [t for t in asyncio.all_tasks() if t.get_name().startswith(INTERACTION_TASKS) and not t.done()]
        if running:
            log.info("waiting for %d interaction(s) to finish", len(running))
            _, late = await asyncio.wait(running, timeout=FINISH_SECONDS)
            if late:
                log.warning("closing with %d interaction(s) still running", len(late))

    def _token(self) -> str:
        if not self.settings.discord_token:
            raise MissingToken
        return self.settings.discord_token

    async def close(self) -> None:
        """Let interactions in flight answer (for up to FINISH_SECONDS), then close the gateway (if the bot ever
        started), the services and the database, whatever fails."""
        try:
            if self._started and not self.bot.is_closed():
                await self._finish_interactions()
                await self.bot.close()
        finally:
            try:
                await self.services.close()
            finally:
                await self.db.dispose()


async def serve(settings: Settings) -> None:
    """`filmclub run`: start, and shut down cleanly on SIGINT or SIGTERM."""
    if not settings.discord_token:
        raise MissingToken
    loop = asyncio.get_running_loop()
    stopping = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stopping.set)  # from the start: a signal during migrations counts too
    app = await App.open(settings)
    if stopping.is_set():
        await app.close()
        return
    runner = asyncio.create_task(app.run(), name="filmclub-bot")
    stopper = asyncio.create_task(stopping.wait(), name="filmclub-signal")
    try:
        await asyncio.wait({runner, stopper}, return_when=asyncio.FIRST_COMPLETED)
        if stopping.is_set():
            log.info("shutting down: closing the gateway and the database")
    finally:
        stopper.cancel()
        await app.close()
        await runner  # re-raises a fatal connection error, e.g. an invalid token
    log.info("stopped")
