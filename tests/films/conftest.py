"""Film fixtures: a catalogue service over the starter data (the bundled file once it exists)."""

from __future__ import annotations

from pathlib import Path

import pytest

from db import Database
from services.films.catalogue import FilmCatalogue
from services.films.starter import STARTER_FILE, load_starter

FIXTURE_FILE = Path(__file__).with_name("starter_fixture.json")


@pytest.fixture
def starter_file() -> Path:
    """The bundled starter catalogue, or a small file of the same shape until it lands."""
    return STARTER_FILE if STARTER_FILE.exists() else FIXTURE_FILE


@pytest.fixture
async def catalogue(db: Database, starter_file: Path) -> FilmCatalogue:
    await load_starter(db, starter_file)
    return FilmCatalogue(db)
