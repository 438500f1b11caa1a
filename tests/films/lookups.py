"""Shorthands for tests: find a film by what a member would type, then ask the catalogue about it by id."""

from __future__ import annotations

from services.films.catalogue import FilmCatalogue
from services.films.values import FilmDetails


async def film_id(catalogue: FilmCatalogue, text: str) -> int:
    return (await catalogue.find(text)).id


async def resolve(catalogue: FilmCatalogue, text: str) -> FilmDetails:
    return await catalogue.details(await film_id(catalogue, text))
