"""The composition root: builds the domain services once and hands them to the bot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import Settings
from db import Database
from services.films.catalogue import FilmCatalogue
from services.films.tmdb import TmdbLookup


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a cog may call. Services open their own unit of work per call."""

    db: Database
    films: FilmCatalogue
    tmdb: TmdbLookup | None = None

    async def close(self) -> None:
        """Release what the services hold open (TMDB's HTTP session)."""
        if self.tmdb is not None:
            await self.tmdb.close()


def online_source(settings: Settings) -> TmdbLookup | None:
    """Where unknown titles are looked up online (TMDB when ``tmdb_token`` is set); None means offline."""
    return TmdbLookup.from_settings(settings) if settings.tmdb_token else None


def build_services(settings: Settings, db: Database) -> Services:
    tmdb = online_source(settings)
    return Services(db=db, films=FilmCatalogue(db, online=tmdb), tmdb=tmdb)
