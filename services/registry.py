"""What the Discord layer may call: the domain services, built once by the composition root (bot.services)."""

from __future__ import annotations

from dataclasses import dataclass

from services.ask.service import AskService
from services.films.catalogue import FilmCatalogue
from services.films.tmdb import TmdbLookup
from services.language_model import LanguageModel
from services.parties.service import PartyService
from services.reviews.service import ReviewService


@dataclass(frozen=True, slots=True)
class Services:
    """Everything a cog may call. Services open their own unit of work per call; cogs never see the database."""

    films: FilmCatalogue
    reviews: ReviewService
    parties: PartyService
    ask: AskService
    tmdb: TmdbLookup | None = None
    model: LanguageModel | None = None  # words answers and review consensus lines; None: off

    async def close(self) -> None:
        """Release what the services hold open (TMDB's and the language model's HTTP sessions)."""
        if self.tmdb is not None:
            await self.tmdb.close()
        if self.model is not None:
            await self.model.close()
