"""The film catalogue service: find the film someone means once, then answer about it by id.

Discord-free: plain text and ids in, frozen values out (services.films.values), domain errors whose text is
shown to users. Each call is one unit of work. Unknown titles may be looked up online (TMDB) and stored.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Sequence
from typing import TypeVar

from rapidfuzz import fuzz
from sqlalchemy.ext.asyncio import AsyncSession

from db import Database
from db.films import repository as repo
from db.films import version
from db.films.keys import fold
from db.films.records import BasedOn, MusicRecord
from services.clock import Clock
from services.errors import NotFound
from services.films import search
from services.films.cache import AnswerCache, snapshot
from services.films.online import CONCURRENCY, FilmLookup, OnlineFilms
from services.films.values import (
    CastAnswer,
    CastMember,
    Choice,
    Composer,
    FilmDetails,
    FilmSummary,
    PersonAnswer,
    Role,
    ScoreAnswer,
    source_name,
)

ANSWERS_KEPT = 1000  # answers of each kind a process keeps (films' details and scores, people, completions)

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


def _summary(film: repo.FilmRow | repo.CreditedFilm) -> FilmSummary:
    return FilmSummary(film.id, film.title, film.year, source_name(film.source))


def _names(credits: Sequence[repo.CreditRow], job: str) -> tuple[str, ...]:
    return tuple(credit.name for credit in credits if credit.job == job)


def _details(rows: repo.FilmDetailRows) -> FilmDetails:
    film, credits = rows.film, rows.credits
    based_on = (
        BasedOn(film.based_on_title, film.based_on_author, film.based_on_kind, film.based_on_year)
        if film.based_on_title
        else None
    )
    return FilmDetails(
        film=_summary(film),
        original_title=film.original_title if film.original_title != film.title else None,
        alternate_titles=tuple(rows.alternate_titles),
        directors=_names(credits, "director"),
        writers=tuple(dict.fromkeys(_names(credits, "screenplay") + _names(credits, "writer"))),
        composers=_names(credits, "composer"),
        cast=tuple(CastMember(c.name, tuple(c.characters), c.billing) for c in credits if c.job == "actor"),
        based_on=based_on,
        genres=tuple(film.genres),
        runtime_minutes=film.runtime_minutes,
        countries=tuple(film.countries),
        languages=tuple(film.languages),
        synopsis=film.synopsis,
        music=tuple(MusicRecord(*music) for music in rows.music),
        poster_path=film.poster_path,
    )


class FilmCatalogue:
    """Films, people and their credits, from the local store and (optionally) an online source.

    Unknown titles and stale films go to the source ``online`` (e.g. TMDB) through ``self.online``
    (services.films.online), at most ``online_concurrency`` calls at once.
    """

    def __init__(
        self, db: Database, *, clock: Clock, online: FilmLookup | None = None, online_concurrency: int = CONCURRENCY
    ) -> None:
        self.db = db
        self.clock = clock
        self.online = None if online is None else OnlineFilms(db, online, clock=clock, concurrency=online_concurrency)
        # Answers already given, kept while the catalogue version they were made at is current (see _answer).
        self._details: AnswerCache[int, FilmDetails] = AnswerCache(ANSWERS_KEPT)
        self._scores: AnswerCache[int, ScoreAnswer] = AnswerCache(ANSWERS_KEPT)
        self._people: AnswerCache[str, PersonAnswer] = AnswerCache(ANSWERS_KEPT)
        self._completions: AnswerCache[tuple[str, int], tuple[Choice, ...]] = AnswerCache(ANSWERS_KEPT)

    async def _answer(self, cache: AnswerCache[K, V], key: K, make: Callable[[AsyncSession], Awaitable[V]]) -> V:
        """``cache``'s answer for ``key`` if the catalogue has not changed since it was made, else ``make`` it.

        One primary-key read (the catalogue version, which other bot processes' writes change too) per call.
        An answer is made in a session opened after that read, so it is never older than its version.
        """
        at = await self.current_version()
        if (kept := cache.get(at, key)) is not None:
            return kept
        async with self.db.transaction() as session:
            answer = await make(session)
        cache.put(at, key, answer)
        return answer

    async def current_version(self) -> int:
        """The catalogue version: this interaction's, if it takes one (see cache.one_version_per_task)."""
        if (taken := snapshot()) is None:
            return await version.read(self.db)
        if taken.version is None:
            taken.version = await version.read(self.db)
        return taken.version

    # Finding a film ------------------------------------------------------------------------------

    async def autocomplete(self, text: str, limit: int = 25) -> list[Choice]:
        """Films for a partly typed title, best first (what many members type, e.g. nothing yet, is cached)."""

        async def make(session: AsyncSession) -> tuple[Choice, ...]:
            return tuple(await search.complete_titles(session, text, limit))

        choices = await self._answer(self._completions, (text, limit), make)
        return list(choices)

    async def find(self, text: str, *, local_only: bool = False) -> FilmSummary:
        """The one film ``text`` names (a title with or without a year, or an autocomplete value).

        With an online source, an unknown title is looked up there and a stale film refreshed before the
        answer, which may take seconds; ``local_only`` skips both, for answers that cannot wait.
        Raises NotFound (with suggestions) or Ambiguous (with the films to choose from).
        """
        online = None if local_only else self.online
        try:
            found = await self._find_locally(text)
        except NotFound:
            if online is None or search.is_film_value(text):
                raise
            await online.look_up(text)
            return await self._find_locally(text)
        if online is not None:
            await online.refresh_if_stale(found.id)
        return found

    async def _find_locally(self, text: str) -> FilmSummary:
        if (film_id := search.film_value_id(text)) is not None:
            return (await self.details(film_id)).film  # a value picked from autocomplete: kept details answer it
        async with self.db.transaction() as session:
            return await search.find_locally(session, text)

    async def films_per_source(self) -> dict[str, int]:
        """How many films each source supplied (raw source names: "starter", "tmdb", "imdb")."""
        async with self.db.transaction() as session:
            return await repo.films_per_source(session)

    # Answers, by film id ---------------------------------------------------------------------------

    async def details(self, film_id: int) -> FilmDetails:
        """Everything the catalogue knows about a film."""

        async def make(session: AsyncSession) -> FilmDetails:
            return _details(await self._detail_rows(session, film_id))

        return await self._answer(self._details, film_id, make)

    @staticmethod
    async def _detail_rows(session: AsyncSession, film_id: int) -> repo.FilmDetailRows:
        if (rows := await repo.film_details(session, film_id)) is None:
            raise NotFound(search.GONE)
        return rows

    async def cast(self, film_id: int, character: str | None = None) -> CastAnswer:
        """The cast in billing order; with ``character``, who played that part (younger versions too)."""
        details = await self.details(film_id)
        if not character or not fold(character):
            return CastAnswer(details.film, None, details.cast)
        wanted = fold(character)
        for fits in (_contains_words, _similar_words):  # whole words first, then typos
            if named := [(m, c) for m in details.cast for c in m.characters if fits(fold(c), wanted)]:
                # The part as the film credits it: the one named just so ("Kathy", not "Young Kathy"), else the first.
                credited = next((c for _, c in named if fold(c) == wanted), named[0][1])
                return CastAnswer(details.film, credited, tuple(dict.fromkeys(m for m, _ in named)))
        known = ", ".join(c for m in details.top_cast for c in m.characters)
        hint = f" Characters include: {known}." if known else " I have no character names for it."
        raise NotFound(f'Nobody plays "{character.strip()}" in {details.film.label}.{hint}')

    async def score(self, film_id: int) -> ScoreAnswer:
        """Who composed the score, the other notable music, and the composers' other films here."""

        async def make(session: AsyncSession) -> ScoreAnswer:
            rows = await self._detail_rows(session, film_id)
            composers = [credit for credit in rows.credits if credit.job == "composer"]
            scored = await repo.credited_films(session, {c.person_id for c in composers}, "composer")
            others: dict[int, list[FilmSummary]] = {c.person_id: [] for c in composers}
            for film in scored:
                if film.id != film_id:
                    others[film.person_id].append(_summary(film))
            return ScoreAnswer(
                _summary(rows.film),
                tuple(Composer(c.name, tuple(others[c.person_id])) for c in composers),
                tuple(MusicRecord(*music) for music in rows.music),
            )

        return await self._answer(self._scores, film_id, make)

    # People --------------------------------------------------------------------------------------

    async def autocomplete_people(self, text: str, limit: int = 25) -> list[Choice]:
        """People whose name starts with ``text``, the most credited first; values are "person:ID"."""
        async with self.db.transaction() as session:
            return await search.complete_people(session, text, limit)

    async def person(self, name: str) -> PersonAnswer:
        """A person's filmography by role: acting (with characters), directing, composing, writing..."""

        async def make(session: AsyncSession) -> PersonAnswer:
            person = await search.find_person(session, name)
            credits = await repo.credited_films(session, [person.id])
            by_job: dict[str, list[Role]] = {}
            for credit in credits:
                by_job.setdefault(credit.job, []).append(Role(_summary(credit), tuple(credit.characters)))
            order = ["actor", "director", "screenplay", "writer", "novel", "composer", "music"]
            jobs = sorted(by_job, key=lambda job: (order.index(job) if job in order else len(order), job))
            sources = tuple(dict.fromkeys(source_name(c.credit_source) for c in credits))
            filmography = tuple((job, tuple(by_job[job])) for job in jobs)
            return PersonAnswer(person.name, filmography, sources or (source_name(person.source),))

        return await self._answer(self._people, name, make)


def _contains_words(text: str, words_: str) -> bool:
    """Whether ``words_`` occurs in ``text`` as whole words ("kathy" in "young kathy", not in "kathyrn")."""
    return f" {words_} " in f" {text} "


def _similar_words(text: str, words_: str) -> bool:
    """A typo-tolerant ``_contains_words``: some run of words in ``text`` is close to ``words_``."""
    tokens, size = text.split(), len(words_.split())
    runs = (" ".join(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 1)))
    return any(fuzz.ratio(run, words_) >= 70 for run in runs)
