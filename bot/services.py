"""The composition root: builds the domain services once, from the settings, and hands them to the bot."""

from __future__ import annotations

from datetime import timedelta

from bot.config import Settings
from db import Database
from services.ask.service import AskService
from services.clock import Clock
from services.films.catalogue import FilmCatalogue
from services.films.tmdb import TmdbClient, TmdbLookup
from services.language_model import LanguageModel
from services.parties.reminders import ReminderScheduler
from services.parties.service import PartyDefaults, PartyService
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


def language_model(settings: Settings) -> LanguageModel | None:
    """The language model that words /ask answers and review consensus lines, when ``ask_model_url`` and
    ``ask_model`` are set; None: off (nothing is ever sent)."""
    if settings.ask_model_url is None or settings.ask_model is None:
        return None
    key = settings.ask_model_key.get_secret_value() if settings.ask_model_key else None
    return LanguageModel(
        settings.ask_model_url, settings.ask_model, api_key=key, timeout_seconds=settings.ask_model_timeout_seconds
    )


def party_service(settings: Settings, db: Database, clock: Clock) -> PartyService:
    """Watch parties, with their reminder scheduler (started by the cog, so it runs while the bot does)."""
    scheduler = ReminderScheduler(
        db,
        clock=clock,
        grace=timedelta(minutes=settings.party_reminder_grace_minutes),
        lease=timedelta(seconds=settings.party_reminder_lease_seconds),
        poll=timedelta(seconds=settings.party_reminder_poll_seconds),
    )
    defaults = PartyDefaults(
        reminder_minutes=tuple(settings.party_reminder_minutes),
        margin_minutes=settings.party_margin_minutes,
        archive_after=timedelta(days=settings.party_archive_days),
    )
    return PartyService(db, clock=clock, reminders=scheduler, defaults=defaults)


def build_services(settings: Settings, db: Database, clock: Clock) -> Services:
    tmdb = online_source(settings)
    films = FilmCatalogue(db, online=tmdb, clock=clock, online_concurrency=settings.tmdb_concurrent_lookups)
    model = language_model(settings)
    reviews = ReviewService(db, clock=clock, films=films, consensus_min=settings.review_consensus_min, model=model)
    parties = party_service(settings, db, clock)
    ask = AskService(db, films, reviews, clock=clock, channel_film=parties.film_of_thread, model=model)
    return Services(films=films, reviews=reviews, parties=parties, ask=ask, tmdb=tmdb, model=model)
