"""The film catalogue service: find the film someone means once, then answer about it by id.

Discord-free: plain text and ids in, frozen values out (services.films.values), domain errors whose text is
shown to users. Each call is one unit of work. Unknown titles may be looked up online (TMDB) and stored.
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz

from db import Database
from db.films import repository as repo
from db.films.keys import fold
from db.films.records import BasedOn, MusicRecord
from db.models import Credit
from services.clock import Clock
from services.errors import NotFound
from services.films import search
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


def _names(credits: Iterable[Credit], job: str) -> tuple[str, ...]:
    return tuple(credit.person.name for credit in credits if credit.job == job)


def _billing_order(credit: Credit) -> tuple[bool, int, int]:
    return credit.billing is None, credit.billing or 0, credit.id


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

    # Finding a film ------------------------------------------------------------------------------

    async def autocomplete(self, text: str, limit: int = 25) -> list[Choice]:
        """Films for a partly typed title, best first."""
        async with self.db.transaction() as session:
            return await search.complete_titles(session, text, limit)

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
        async with self.db.transaction() as session:
            return await search.find_locally(session, text)

    async def films_per_source(self) -> dict[str, int]:
        """How many films each source supplied (raw source names: "starter", "tmdb", "imdb")."""
        async with self.db.transaction() as session:
            return await repo.films_per_source(session)

    # Answers, by film id ---------------------------------------------------------------------------

    async def details(self, film_id: int) -> FilmDetails:
        """Everything the catalogue knows about a film."""
        async with self.db.transaction() as session:
            row = await repo.film_details(session, film_id)
        if row is None:
            raise NotFound(search.GONE)
        credits = sorted(row.credits, key=_billing_order)
        based_on = (
            BasedOn(row.based_on_title, row.based_on_author, row.based_on_kind, row.based_on_year)
            if row.based_on_title
            else None
        )
        return FilmDetails(
            film=search.film_summary(row),
            original_title=row.original_title if row.original_title != row.title else None,
            alternate_titles=tuple(t.title for t in row.titles if t.kind == "alternate"),
            directors=_names(credits, "director"),
            writers=tuple(dict.fromkeys(_names(credits, "screenplay") + _names(credits, "writer"))),
            composers=_names(credits, "composer"),
            cast=tuple(CastMember(c.person.name, tuple(c.characters), c.billing) for c in credits if c.job == "actor"),
            based_on=based_on,
            genres=tuple(row.genres),
            runtime_minutes=row.runtime_minutes,
            countries=tuple(row.countries),
            languages=tuple(row.languages),
            synopsis=row.synopsis,
            music=tuple(MusicRecord(m.piece, m.performer, m.note) for m in sorted(row.music, key=lambda m: m.id)),
            poster_path=row.poster_path,
        )

    async def cast(self, film_id: int, character: str | None = None) -> CastAnswer:
        """The cast in billing order; with ``character``, who played that part (younger versions too)."""
        details = await self.details(film_id)
        if not character or not fold(character):
            return CastAnswer(details.film, None, details.cast)
        wanted = fold(character)
        exact = [m for m in details.cast if any(_contains_words(fold(c), wanted) for c in m.characters)]
        matches = exact or [m for m in details.cast if any(_similar_words(fold(c), wanted) for c in m.characters)]
        if not matches:
            known = ", ".join(c for m in details.top_cast for c in m.characters)
            hint = f" Characters include: {known}." if known else " I have no character names for it."
            raise NotFound(f'Nobody plays "{character.strip()}" in {details.film.label}.{hint}')
        return CastAnswer(details.film, character.strip(), tuple(matches))

    async def score(self, film_id: int) -> ScoreAnswer:
        """Who composed the score, the other notable music, and the composers' other films here."""
        details = await self.details(film_id)
        composers: list[Composer] = []
        async with self.db.transaction() as session:
            row = await repo.film_details(session, film_id)
            if row is None:
                raise NotFound(search.GONE)
            for credit in sorted((c for c in row.credits if c.job == "composer"), key=_billing_order):
                others = await repo.person_credits(session, credit.person_id, "composer")
                composers.append(
                    Composer(
                        credit.person.name,
                        tuple(search.film_summary(c.film) for c in others if c.film_id != film_id),
                    )
                )
        return ScoreAnswer(details.film, tuple(composers), details.music)

    # People --------------------------------------------------------------------------------------

    async def autocomplete_people(self, text: str, limit: int = 25) -> list[Choice]:
        """People whose name starts with ``text``, the most credited first; values are "person:ID"."""
        async with self.db.transaction() as session:
            return await search.complete_people(session, text, limit)

    async def person(self, name: str) -> PersonAnswer:
        """A person's filmography by role: acting (with characters), directing, composing, writing..."""
        async with self.db.transaction() as session:
            person = await search.find_person(session, name)
            credits = await repo.person_credits(session, person.id)
        by_job: dict[str, list[Role]] = {}
        for credit in credits:
            by_job.setdefault(credit.job, []).append(Role(search.film_summary(credit.film), tuple(credit.characters)))
        order = ["actor", "director", "screenplay", "writer", "composer"]
        jobs = sorted(by_job, key=lambda job: (order.index(job) if job in order else len(order), job))
        sources = tuple(dict.fromkeys(source_name(c.source) for c in credits)) or (source_name(person.source),)
        return PersonAnswer(person.name, tuple((job, tuple(by_job[job])) for job in jobs), sources)


def _contains_words(text: str, words_: str) -> bool:
    """Whether ``words_`` occurs in ``text`` as whole words ("kathy" in "young kathy", not in "kathyrn")."""
    return f" {words_} " in f" {text} "


def _similar_words(text: str, words_: str) -> bool:
    """A typo-tolerant ``_contains_words``: some run of words in ``text`` is close to ``words_``."""
    tokens, size = text.split(), len(words_.split())
    runs = (" ".join(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 1)))
    return any(fuzz.ratio(run, words_) >= 70 for run in runs)
