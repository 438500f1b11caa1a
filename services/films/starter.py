"""The bundled starter catalogue: loaded into the store on first start, reloaded when its version changes."""

from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from db import Database, checkpoints
from db.films import repository as repo
from db.films.records import BasedOn, CreditRecord, ExternalIds, FilmRecord, MusicRecord, PersonRecord

log = logging.getLogger(__name__)

STARTER_FILE = Path(__file__).parent / "data" / "starter_catalogue.json"
CHECKPOINT = "starter-catalogue"
SOURCE = "starter"


@dataclass(frozen=True, slots=True)
class StarterCatalogue:
    version: int
    films: tuple[FilmRecord, ...]


def _ids(raw: dict[str, Any] | None) -> ExternalIds:
    raw = raw or {}
    tmdb = raw.get("tmdb")
    return ExternalIds(wikidata=raw.get("wikidata"), imdb=raw.get("imdb"), tmdb=int(tmdb) if tmdb else None)


def parse_starter(data: dict[str, Any]) -> StarterCatalogue:
    """Turn the JSON document (see services/films/data) into records."""
    people = {
        slug: PersonRecord(name=person["name"], ids=_ids(person.get("ids")), slug=slug)
        for slug, person in data["people"].items()
    }
    films = []
    for film in data["films"]:
        cast = [
            CreditRecord(people[entry["person"]], "actor", tuple(entry.get("characters") or ()), billing)
            for billing, entry in enumerate(film.get("cast") or ())
        ]
        crew = [CreditRecord(people[entry["person"]], entry["job"]) for entry in film.get("crew") or ()]
        based_on = film.get("based_on")
        films.append(
            FilmRecord(
                title=film["title"],
                source=SOURCE,
                year=film.get("year"),
                original_title=film.get("original_title"),
                alternate_titles=tuple(film.get("alternate_titles") or ()),
                runtime_minutes=film.get("runtime"),
                genres=tuple(film.get("genres") or ()),
                countries=tuple(film.get("countries") or ()),
                languages=tuple(film.get("languages") or ()),
                synopsis=film.get("synopsis"),
                based_on=BasedOn(based_on["title"], based_on.get("author"), based_on.get("kind"), based_on.get("year"))
                if based_on
                else None,
                ids=_ids(film.get("ids")),
                slug=film["key"],
                popularity=float(film.get("popularity") or 0),
                credits=tuple(cast + crew),
                music=tuple(
                    MusicRecord(m["piece"], m.get("performer"), m.get("note")) for m in film.get("music") or ()
                ),
            )
        )
    return StarterCatalogue(version=int(data["version"]), films=tuple(films))


def _read(path: Path) -> StarterCatalogue | None:
    if not path.exists():
        return None
    return parse_starter(json.loads(path.read_text(encoding="utf-8")))


async def load_starter(db: Database, path: Path = STARTER_FILE, *, now: datetime) -> int:
    """Store the starter catalogue unless this version is already loaded; returns how many films were stored.

    A new version replaces the starter films' data; starter films no longer in the file are removed
    (films another source has refreshed since are left alone).
    """
    catalogue = await asyncio.to_thread(_read, path)
    if catalogue is None:
        log.warning("starter catalogue %s not found; starting with an empty catalogue", path)
        return 0
    async with db.transaction() as session:
        loaded = await checkpoints.get(session, CHECKPOINT)
        if loaded is not None and loaded.get("version") == catalogue.version:
            return 0
        for record in catalogue.films:
            await repo.upsert_film(session, record, now=now)
        slugs = [record.slug for record in catalogue.films if record.slug]
        await repo.delete_films_of_source(session, SOURCE, keep_slugs=slugs)
        await checkpoints.put(session, CHECKPOINT, {"version": catalogue.version, "films": len(catalogue.films)})
    log.info(
        "starter catalogue version %d loaded (%d films; was %s)",
        catalogue.version,
        len(catalogue.films),
        loaded.get("version") if loaded else "empty",
    )
    return len(catalogue.films)
