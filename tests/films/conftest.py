"""Film fixtures: a catalogue service over the bundled starter data."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import Database
from services.films.catalogue import FilmCatalogue
from services.films.starter import STARTER_FILE, load_starter


@pytest.fixture
def starter_file() -> Path:
    """The bundled starter catalogue."""
    return STARTER_FILE


@pytest.fixture
async def catalogue(db: Database, starter_file: Path) -> FilmCatalogue:
    await load_starter(db, starter_file)
    return FilmCatalogue(db)
