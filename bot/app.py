"""Start-up and shutdown, shared by `filmclub run`, the offline console and the end-to-end tests."""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.client import FilmClubBot, configure_endpoints, permission_names
from bot.config import Settings
from bot.services import build_services
from db import Database, migrate
from services.clock import Clock, SystemClock
from services.films.starter import load_starter
from services.registry import Services

log = logging.getLogger(__name__)

MISSING_TOKEN = f"""\
No Discord bot token is configured, so Film Club cannot connect to Discord.
Create an application at https://discord.com/developers/applications, open its "Bot" page and press
"Reset Token", then put the token in the DISCORD_TOKEN environment variable (or `token` in your config
file, see config.example.toml). Invite the bot with the OAuth2 scopes `bot` and `applications.commands`
and the permissions {permission_names()}.
To try the bot without Discord at all, run `filmclub console`."""


class MissingToken(Exception):
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
            async with migrate.exclusive_startup(db.engine):  # shard processes may start together
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
        await self.bot.login(self._token())

    async def run(self) -> None:
        """Connect and serve until `close()` is called (or the connection fails for good)."""
        token = self._token()
        self._started = True
        async with self.bot:
            await self.bot.start(token)

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

    def _token(self) -> str:
        if not self.settings.discord_token:
            raise MissingToken
        return self.settings.discord_token

    async def close(self) -> None:
        """Close the gateway (if the bot ever started), then the services and the database, whatever fails."""
        try:
            if self._started and not self.bot.is_closed():
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
