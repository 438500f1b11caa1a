"""The composition root: builds the domain services once, from the settings, and hands them to the bot."""

from __future__ import annotations

from bot.config import Settings
from db import Database
from services.ask.phrasing import ModelPhrasing
from services.ask.service import AskService
from services.clock import Clock
from services.films.catalogue import FilmCatalogue
from services.films.tmdb import TmdbClient, TmdbLookup
from services.registry import Services
from services.reviews.service import ReviewService


def online_source(settings: Settings) -> TmdbLookup | None:
    """Where unknown titles are looked up online (TMDB when ``tmdb_token`` is set); None means offline."""
    if settings.tmdb_token is None:
        return None
    client = TmdbClient(
        settings.tmdb_token.get_secret_value(),
        base_url=settings.tmdb_base_url,
        timeout_seconds=settings.tmdb_timeout_seconds,
    )
    return TmdbLookup(client, refresh_days=settings.tmdb_refresh_days)


def model_phrasing(settings: Settings) -> ModelPhrasing | None:
    """The language model that phrases answers, when ``ask_model_url`` and ``ask_model`` are set; None: off."""
    if settings.ask_model_url is None or settings.ask_model is None:
        return None
    key = settings.ask_model_key.get_secret_value() if settings.ask_model_key else None
    return ModelPhrasing(
        settings.ask_model_url, settings.ask_model, api_key=key, timeout_seconds=settings.ask_model_timeout_seconds
    )


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    tmdb = online_source(settings)
    films = FilmCatalogue(db, online=tmdb, clock=clock)
    reviews = ReviewService(db, clock=clock)
    ask = AskService(db, films, reviews, clock=clock, phrasing=model_phrasing(settings))
    return Services(films=films, reviews=reviews, ask=ask, tmdb=tmdb)
