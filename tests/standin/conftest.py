"""One stand-in and one real bot per test module: on_ready costs a round of GUILD_CREATEs, not per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from standin.server import StandIn
from tests.standin.filmbot import FilmBot, running


@pytest.fixture(scope="module")
async def standin() -> AsyncIterator[StandIn]:
    async with StandIn() as server:
        yield server


@pytest.fixture(scope="module")
async def bot(standin: StandIn) -> AsyncIterator[FilmBot]:
    async with running(standin) as started:
        yield started
