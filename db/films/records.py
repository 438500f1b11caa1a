"""Plain records a catalogue source produces (starter file, TMDB, IMDb) before they are stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class ExternalIds:
    wikidata: str | None = None
    imdb: str | None = None
    tmdb: int | None = None


@dataclass(frozen=True, slots=True)
class PersonRecord:
    name: str
    ids: ExternalIds = ExternalIds()
    slug: str | None = None


@dataclass(frozen=True, slots=True)
class CreditRecord:
    """``job`` is "actor" for cast (with characters and billing), else the crew job, e.g. "composer"."""

    person: PersonRecord
    job: str
    characters: tuple[str, ...] = ()
    billing: int | None = None
    external_ref: str | None = None

    @property
    def department(self) -> str:
        return "cast" if self.job == "actor" else "crew"


@dataclass(frozen=True, slots=True)
class MusicRecord:
    piece: str
    performer: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class BasedOn:
    title: str
    author: str | None = None
    kind: str | None = None  # "novel", "play", "short story", ...
    year: int | None = None


@dataclass(frozen=True, slots=True)
class FilmRecord:
    title: str
    source: str  # "starter", "tmdb", "imdb"
    year: int | None = None
    original_title: str | None = None
    alternate_titles: tuple[str, ...] = ()
    runtime_minutes: int | None = None
    genres: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    synopsis: str | None = None
    based_on: BasedOn | None = None
    ids: ExternalIds = ExternalIds()
    slug: str | None = None
    popularity: float = 0.0
    poster_path: str | None = None
    credits: tuple[CreditRecord, ...] = ()
    music: tuple[MusicRecord, ...] = field(default=())


def merged_credits(credits: Iterable[CreditRecord]) -> list[CreditRecord]:
    """One credit per (person, job), in first-listed order: sources sometimes list an actor once per
    character. The merged credit has every character, the best billing and the first external ref.
    """
    merged: dict[tuple[PersonRecord, str], CreditRecord] = {}
    for credit in credits:
        key = (credit.person, credit.job)
        if (earlier := merged.get(key)) is None:
            merged[key] = credit
            continue
        billings = [b for b in (earlier.billing, credit.billing) if b is not None]
        merged[key] = CreditRecord(
            person=earlier.person,
            job=earlier.job,
            characters=tuple(dict.fromkeys(earlier.characters + credit.characters)),
            billing=min(billings, default=None),
            external_ref=earlier.external_ref or credit.external_ref,
        )
    return list(merged.values())
