"""The plain values the film services answer with: films, choices, casts, scores, filmographies."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from db.films.records import BasedOn, MusicRecord
from services.errors import FilmClubError

SOURCE_NAMES = {"starter": "starter catalogue", "tmdb": "TMDB", "imdb": "IMDb"}
CHOICE_NAME_LIMIT = 100  # Discord's limit for an autocomplete choice's name
VALUE_PREFIX = "film:"
PERSON_PREFIX = "person:"
TOP_CAST = 10


def source_name(source: str) -> str:
    """A source as people read it: "starter" is the "starter catalogue"."""
    return SOURCE_NAMES.get(source, source)


@dataclass(frozen=True, slots=True)
class Choice:
    """An autocomplete choice: ``name`` is shown, ``value`` ("film:123") comes back as the option's value."""

    name: str
    value: str


@dataclass(frozen=True, slots=True)
class FilmSummary:
    id: int
    title: str
    year: int | None
    source: str  # display name, e.g. "starter catalogue"

    @property
    def label(self) -> str:
        """ "Title (Year)", at most 100 characters."""
        suffix = f" ({self.year})" if self.year else ""
        title = self.title
        if len(title) + len(suffix) > CHOICE_NAME_LIMIT:
            title = title[: CHOICE_NAME_LIMIT - len(suffix) - 1].rstrip() + "…"
        return title + suffix

    @property
    def value(self) -> str:
        return f"{VALUE_PREFIX}{self.id}"


class Ambiguous(FilmClubError):
    """Several films answer to the same title equally well; the user should pick one."""

    def __init__(self, query: str, choices: Sequence[FilmSummary]) -> None:
        self.query = query
        self.choices = tuple(choices)
        example = choices[0].label
        listed = ", ".join(choice.label for choice in choices)
        super().__init__(f'Several films are called "{query}": {listed}. Add the year, e.g. "{example}".')


@dataclass(frozen=True, slots=True)
class CastMember:
    name: str
    characters: tuple[str, ...]
    billing: int | None


@dataclass(frozen=True, slots=True)
class FilmDetails:
    film: FilmSummary
    original_title: str | None
    alternate_titles: tuple[str, ...]
    directors: tuple[str, ...]
    writers: tuple[str, ...]
    composers: tuple[str, ...]
    cast: tuple[CastMember, ...]  # billing order
    based_on: BasedOn | None
    genres: tuple[str, ...]
    runtime_minutes: int | None
    countries: tuple[str, ...]
    languages: tuple[str, ...]
    synopsis: str | None
    music: tuple[MusicRecord, ...]
    poster_path: str | None = None  # TMDB's, when a TMDB lookup supplied one

    @property
    def source(self) -> str:
        return self.film.source

    @property
    def top_cast(self) -> tuple[CastMember, ...]:
        return self.cast[:TOP_CAST]


@dataclass(frozen=True, slots=True)
class CastAnswer:
    """The whole cast, or (with ``character``) who played that part, younger versions included."""

    film: FilmSummary
    character: str | None
    cast: tuple[CastMember, ...]

    @property
    def source(self) -> str:
        return self.film.source


@dataclass(frozen=True, slots=True)
class Composer:
    name: str
    other_films: tuple[FilmSummary, ...]  # other films in the catalogue they scored


@dataclass(frozen=True, slots=True)
class ScoreAnswer:
    film: FilmSummary
    composers: tuple[Composer, ...]
    music: tuple[MusicRecord, ...]

    @property
    def source(self) -> str:
        return self.film.source


@dataclass(frozen=True, slots=True)
class Role:
    film: FilmSummary
    characters: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PersonAnswer:
    name: str
    filmography: tuple[tuple[str, tuple[Role, ...]], ...]  # (job, roles), acting first; films oldest first
    sources: tuple[str, ...]
