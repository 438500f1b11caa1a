"""The real Film Club bot, started as `filmclub run` starts it, against the local Discord stand-in.

One stand-in and one bot per test module (on_ready costs a round of GUILD_CREATEs), each with its
own fresh database: a SQLite file, and PostgreSQL too when FILMCLUB_TEST_DATABASE_URL is set.
Tests drive it as members of the server would, through `standin.driver()`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

import pytest

from bot.app import App
from bot.config import Settings
from services.clock import Clock
from standin.driver import Driver
from standin.server import StandIn
from standin.world import GuildSpec
from tests.conftest import BACKENDS, empty_database

READY_TIMEOUT = 15.0


@asynccontextmanager
async def running_bot(
    standin: StandIn,
    database_url: str,
    *,
    extensions: Sequence[str] = (),
    clock: Clock | None = None,
    **settings: object,
) -> AsyncIterator[App]:
    """Open the app as `filmclub run` does, connect it to ``standin`` and wait until it is ready (on ``clock``,
    e.g. a test's FakeClock, instead of the real time when given)."""
    config = Settings(
        token=standin.token,
        api_base_url=standin.api_base,
        gateway_url=standin.gateway_url,
        database_url=database_url,
        guild_ready_timeout=0.05,
        **settings,  # type: ignore[arg-type]
    )
    app = await App.open(config, clock=clock)
    for extension in extensions:
        await app.bot.load_extension(extension)
    runner = asyncio.create_task(app.run(), name="filmclub-under-test")
    try:
        await app.until_ready(runner, READY_TIMEOUT)  # raises why the bot died while starting
        yield app
    finally:
        await app.close()
        await asyncio.wait_for(runner, timeout=READY_TIMEOUT)
    assert standin.unknown_routes == [], "the bot called routes the stand-in lacks"


@pytest.fixture(scope="module", params=BACKENDS)
def module_database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An empty database at the newest schema for this module's bot."""
    return empty_database(request.param, tmp_path_factory.mktemp("e2e"), request)


@pytest.fixture(scope="module")
def world() -> Sequence[GuildSpec]:
    """The guilds of this module's stand-in; a module overrides it for other guilds or permissions."""
    return [GuildSpec()]


@pytest.fixture(scope="module")
async def standin(world: Sequence[GuildSpec]) -> AsyncIterator[StandIn]:
    async with StandIn(world) as server:
        yield server


@pytest.fixture(scope="module")
async def film_club(standin: StandIn, module_database_url: str) -> AsyncIterator[App]:
    async with running_bot(standin, module_database_url, extensions=["tests.e2e.faulty"]) as app:
        yield app


@pytest.fixture
def alice(standin: StandIn, film_club: App) -> Driver:
    """Alice, a moderator, in #general of the first guild."""
    return standin.driver("alice", "general")


@pytest.fixture
def member(standin: StandIn, film_club: App) -> Callable[..., Driver]:
    """Any member in any channel: ``member("bob", "film-talk")``."""
    return standin.driver
