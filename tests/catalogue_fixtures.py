"""Fixtures shared by the film, review and ask tests: a test clock, the catalogue over the bundled starter data,
and the review service on both."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from db import Database
from services.films.catalogue import FilmCatalogue
from services.films.starter import STARTER_FILE, load_starter
from services.reviews.service import ReviewService
from tests.clock import FakeClock

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)


@pytest.fixture
def starter_file() -> Path:
    """The bundled starter catalogue."""
    return STARTER_FILE


@pytest.fixture
async def catalogue(db: Database, starter_file: Path) -> FilmCatalogue:
    await load_starter(db, starter_file, now=NOW)
    return FilmCatalogue(db, clock=FakeClock())


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def reviews(db: Database, clock: FakeClock, catalogue: FilmCatalogue) -> ReviewService:
    return ReviewService(db, clock=clock, films=catalogue)
