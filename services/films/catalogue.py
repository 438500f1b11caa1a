"""The film catalogue service: resolve what people type to a film, and answer cast, score and people questions.

Discord-free: takes plain text, returns frozen records, raises domain errors whose text is shown to users.
Title search never scans the catalogue in Python: candidates come from index lookups (exact key, key
prefix, title words, corrected words), and only those few are ranked with rapidfuzz.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rapidfuzz import fuzz, process
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from db import Database
from db import films as repo
from db.films import TitleHit, WordGroup
from db.models import Credit, Film, Person
from services.errors import FilmClubError, NotFound
from services.films.records import BasedOn, FilmRecord, MusicRecord
from services.films.text import ARTICLES, PREFIX_LENGTH, fold, parse_query, title_key

log = logging.getLogger(__name__)

SOURCE_NAMES = {"starter": "starter catalogue", "tmdb": "TMDB", "imdb": "IMDb"}
CHOICE_NAME_LIMIT = 100  # Discord's limit for an autocomplete choice's name
VALUE_PREFIX = "film:"
PERSON_PREFIX = "person:"
CANDIDATES = 60  # films fetched per index lookup before ranking
CONFIDENT = 88  # similarity (0-100) at which a fuzzy match answers without asking
SUGGESTIONS = 5
COMPLETIONS = 20  # known words tried for a partly typed last word
TOP_CAST = 10
_FILM_VALUE = re.compile(rf"^{VALUE_PREFIX}(\d+)$")
_PERSON_VALUE = re.compile(rf"^{PERSON_PREFIX}(\d+)$")


class FilmLookup(Protocol):
    """An online source (e.g. TMDB): asked when a title is not in the local catalogue, and for fresh
    copies of the films it supplied once they are older than it allows."""

    async def search(self, title: str, year: int | None) -> list[FilmRecord]: ...

    def is_stale(self, source: str, fetched_at: datetime) -> bool: ...

    async def refresh(self, tmdb_id: int) -> FilmRecord | None: ...


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


@dataclass(frozen=True, slots=True)
class _Ranked:
    film: FilmSummary
    popularity: float
    similarity: float  # 0-100: how well the best of the film's titles matches the query
    score: float  # similarity plus prefix, year and popularity bonuses: the sort key


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source)


def _summary(film: Film) -> FilmSummary:
    return FilmSummary(film.id, film.title, film.year, source_name(film.source))


def _hit_summary(hit: TitleHit) -> FilmSummary:
    return FilmSummary(hit.film_id, hit.title, hit.year, source_name(hit.source))


def _names(credits: Iterable[Credit], job: str) -> tuple[str, ...]:
    return tuple(credit.person.name for credit in credits if credit.job == job)


def _billing_order(credit: Credit) -> tuple[bool, int, int]:
    return credit.billing is None, credit.billing or 0, credit.id


class FilmCatalogue:
    """Films, people and their credits, from the local store and (optionally) an online source."""

    def __init__(self, db: Database, online: FilmLookup | None = None) -> None:
        self.db = db
        self.online = online
        # Online lookups and the stores they lead to, one at a time in this process: two members asking
        # for the same unknown film at once would otherwise both insert it. (Other processes sharing the
        # database are handled in _store.)
        self._online_lock = asyncio.Lock()

    # Title search -------------------------------------------------------------------------------

    async def autocomplete(self, text: str, limit: int = 25) -> list[Choice]:
        """Films for a partly typed title, best first: exact, then prefix, word and typo-tolerant matches."""
        title, year = parse_query(text)
        async with self.db.transaction() as session:
            if not fold(title):
                ranked = self._rank(await repo.popular_titles(session, limit), "", year)
            else:
                ranked = await self._search(session, title, year, partial=True)
        return [Choice(r.film.label, r.film.value) for r in ranked[:limit]]

    async def find(self, text: str) -> FilmSummary:
        """Resolve ``text`` (a title with or without a year, or an autocomplete value) to one film."""
        try:
            found = await self._resolve_locally(text)
        except NotFound:
            if self.online is None or _FILM_VALUE.match(text.strip()):
                raise
            online = self.online
        else:
            if self.online is not None:
                await self._refresh_if_stale(self.online, found.id)
            return found
        async with self._online_lock:
            with contextlib.suppress(NotFound):  # stored while this call waited for the lock
                return await self._resolve_locally(text)
            title, year = parse_query(text)
            try:
                records = await online.search(title, year)
            except Exception:
                log.warning("online film lookup failed for %r", text, exc_info=True)
                records = []
            await self._store(records)
        return await self._resolve_locally(text)

    async def _stale_tmdb_id(self, online: FilmLookup, film_id: int) -> int | None:
        async with self.db.transaction() as session:
            film = await repo.film_by_id(session, film_id)
        if film is None or film.tmdb_id is None or not online.is_stale(film.source, film.fetched_at):
            return None
        return film.tmdb_id

    async def _refresh_if_stale(self, online: FilmLookup, film_id: int) -> None:
        """Replace a film the online source supplied with its current copy once it is too old."""
        if await self._stale_tmdb_id(online, film_id) is None:
            return
        async with self._online_lock:
            if (tmdb_id := await self._stale_tmdb_id(online, film_id)) is None:
                return  # refreshed while this call waited for the lock
            try:
                record = await online.refresh(tmdb_id)
            except Exception:
                log.warning("online refresh of film %d failed; keeping the stored copy", film_id, exc_info=True)
                return
            await self._store([record] if record is not None else [])

    async def _store(self, records: Sequence[FilmRecord], attempts: int = 2) -> None:
        """Store what the online source answered, in one transaction.

        Another bot process sharing the database may store the same film at the same moment; whichever
        commits second hits a unique constraint. Its rows are then committed and visible, so the store
        is tried again (it now updates them); if that fails too the stored copy is what there is.
        """
        for attempt in range(1, attempts + 1):
            if not records:
                return
            try:
                async with self.db.transaction() as session:
                    for record in records:
                        await repo.upsert_film(session, record)
                return
            except IntegrityError:
                if attempt == attempts:
                    log.warning("another process kept storing %s; using its copy", records[0].title, exc_info=True)
                else:
                    log.info("another process stored %s at the same time; storing again", records[0].title)

    async def resolve(self, text: str) -> FilmDetails:
        """The film ``text`` names, in detail. Raises NotFound (with suggestions) or Ambiguous."""
        return await self.info(await self.find(text))

    async def _resolve_locally(self, text: str) -> FilmSummary:
        if match := _FILM_VALUE.match(text.strip()):
            async with self.db.transaction() as session:
                film = await repo.film_by_id(session, int(match.group(1)))
            if film is None:
                raise NotFound("That film is no longer in the catalogue. Please search for it again.")
            return _summary(film)
        query, year = parse_query(text)
        async with self.db.transaction() as session:
            # The whole text first: "Airport 1975" is a title, not a title and a year.
            if year is not None and (whole := await repo.titles_by_key(session, title_key(text))):
                return self._pick_exact(text.strip(), whole, None)
            if exact := await repo.titles_by_key(session, title_key(query)):
                return self._pick_exact(query, exact, year)
            ranked = await self._search(session, query, year, partial=False)
        if ranked and ranked[0].similarity >= CONFIDENT and (year is None or ranked[0].film.year == year):
            close = [r for r in ranked[1:] if r.similarity >= ranked[0].similarity - 2 and r.film.year == year]
            if not close:
                return ranked[0].film
        raise NotFound(self._unknown_title(text, ranked))

    def _pick_exact(self, query: str, hits: list[TitleHit], year: int | None) -> FilmSummary:
        films: dict[int, TitleHit] = {}
        for hit in sorted(hits, key=lambda h: h.kind != "primary"):  # a primary title match speaks for its film
            films.setdefault(hit.film_id, hit)
        candidates = list(films.values())
        if year is not None:
            same_year = [h for h in candidates if h.year == year]
            near_year = [h for h in candidates if h.year is not None and abs(h.year - year) <= 1]
            candidates = same_year or near_year
            if not candidates:
                years = ", ".join(_hit_summary(h).label for h in films.values())
                raise NotFound(f'I know "{query}" only as {years}, not from {year}.')
        if len(candidates) == 1:
            return _hit_summary(candidates[0])
        primary = [h for h in candidates if h.kind == "primary"] or candidates
        primary.sort(key=lambda h: h.popularity, reverse=True)
        if len(primary) == 1 or primary[0].popularity >= 2 * max(primary[1].popularity, 1.0):
            return _hit_summary(primary[0])
        raise Ambiguous(query, [_hit_summary(h) for h in primary[:SUGGESTIONS]])

    @staticmethod
    def _unknown_title(text: str, ranked: list[_Ranked]) -> str:
        message = f'I don\'t know a film called "{text.strip()}".'
        suggestions = [r.film.label for r in ranked[:SUGGESTIONS] if r.similarity >= 50]
        if suggestions:
            return f"{message} Did you mean: {', '.join(suggestions)}?"
        return f"{message} Check the spelling, or pick one of the suggestions while typing."

    async def _search(self, session: AsyncSession, title: str, year: int | None, *, partial: bool) -> list[_Ranked]:
        """Rank the films the indexes propose for ``title``: best first."""
        key = title_key(title)
        film_ids: dict[int, None] = {}
        exact = await repo.titles_by_key(session, key, CANDIDATES)
        prefixed = await repo.titles_by_key_prefix(session, key, CANDIDATES) if partial else []
        film_ids.update(dict.fromkeys(h.film_id for h in exact + prefixed))
        query_words = [w for w in fold(title).split() if w not in ARTICLES] or key.split()
        groups = await self._word_groups(session, query_words, partial=partial)
        if groups:
            film_ids.update(dict.fromkeys(await repo.films_with_words(session, groups, CANDIDATES)))
            # Nothing has all the words (a stray word, a wrong correction): try without each in turn.
            for skipped in range(len(groups)) if not film_ids and len(groups) > 1 else ():
                rest = groups[:skipped] + groups[skipped + 1 :]
                film_ids.update(dict.fromkeys(await repo.films_with_words(session, rest, CANDIDATES // 4)))
        hits = await repo.titles_of_films(session, film_ids)
        return self._rank(hits, key, year)

    @staticmethod
    async def _word_groups(session: AsyncSession, query_words: list[str], *, partial: bool) -> list[WordGroup]:
        """For each query word, the indexed terms that may stand for it: itself, its corrections if it is
        misspelt, and (for the last word of a partly typed query) the words it begins.
        """
        known = await repo.known_words(session, query_words)
        groups: list[WordGroup] = []
        for index, word in enumerate(query_words):
            if partial and index == len(query_words) - 1:
                if len(word) <= PREFIX_LENGTH:
                    groups.append(WordGroup(prefixes=frozenset({word})))
                    continue
                completions = await repo.vocabulary_with_prefix(session, word, COMPLETIONS)
                if completions:
                    groups.append(WordGroup(words=frozenset(completions)))
                    continue
            if word in known:
                groups.append(WordGroup(words=frozenset({word})))
            elif len(word) >= 3:
                vocabulary = await repo.vocabulary_with_prefix(session, word[:2])
                corrections = process.extract(word, vocabulary, scorer=fuzz.ratio, score_cutoff=70, limit=4)
                if corrections:
                    groups.append(WordGroup(words=frozenset(found for found, _, _ in corrections)))
            # else a word no title has: leave it to the ranking
        return groups

    @staticmethod
    def _rank(hits: Iterable[TitleHit], key: str, year: int | None) -> list[_Ranked]:
        best: dict[int, _Ranked] = {}
        for hit in hits:
            similarity = _similarity(key, hit.folded)
            score = similarity + min(hit.popularity, 100.0) / 10
            if key and hit.folded == key:
                score += 20
            elif key and hit.folded.startswith(key):
                score += 10
            if year is not None and hit.year is not None:
                score += 15 if hit.year == year else -5 * min(abs(hit.year - year), 3)
            if hit.kind == "primary":
                score += 1
            ranked = _Ranked(_hit_summary(hit), hit.popularity, similarity, score)
            if hit.film_id not in best or ranked.score > best[hit.film_id].score:
                best[hit.film_id] = ranked
        return sorted(best.values(), key=lambda r: (-r.score, -r.popularity, r.film.id))

    async def films_per_source(self) -> dict[str, int]:
        """How many films each source supplied (raw source names: "starter", "tmdb", "imdb")."""
        async with self.db.transaction() as session:
            return await repo.films_per_source(session)

    # Answers ------------------------------------------------------------------------------------

    async def info(self, film: FilmSummary | str) -> FilmDetails:
        """Everything the catalogue knows about a film (a summary, or text to resolve)."""
        summary = film if isinstance(film, FilmSummary) else await self.find(film)
        async with self.db.transaction() as session:
            row = await repo.film_details(session, summary.id)
        if row is None:
            raise NotFound("That film is no longer in the catalogue. Please search for it again.")
        credits = sorted(row.credits, key=_billing_order)
        based_on = (
            BasedOn(row.based_on_title, row.based_on_author, row.based_on_kind, row.based_on_year)
            if row.based_on_title
            else None
        )
        return FilmDetails(
            film=_summary(row),
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

    async def cast(self, film: FilmSummary | str, character: str | None = None) -> CastAnswer:
        """The cast in billing order; with ``character``, who played that part (younger versions too)."""
        details = await self.info(film)
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

    async def score(self, film: FilmSummary | str) -> ScoreAnswer:
        """Who composed the score, the other notable music, and the composers' other films here."""
        details = await self.info(film)
        composers: list[Composer] = []
        async with self.db.transaction() as session:
            row = await repo.film_details(session, details.film.id)
            assert row is not None
            for credit in sorted((c for c in row.credits if c.job == "composer"), key=_billing_order):
                others = await repo.person_credits(session, credit.person_id, "composer")
                composers.append(
                    Composer(
                        credit.person.name,
                        tuple(_summary(c.film) for c in others if c.film_id != details.film.id),
                    )
                )
        return ScoreAnswer(details.film, tuple(composers), details.music)

    async def autocomplete_people(self, text: str, limit: int = 25) -> list[Choice]:
        """People whose name starts with ``text``, the most credited first; values are "person:ID"."""
        wanted = fold(text)
        if len(wanted) < 2:
            return []
        async with self.db.transaction() as session:
            people = await repo.people_completing(session, wanted, limit)
        return [Choice(person.name[:CHOICE_NAME_LIMIT], f"{PERSON_PREFIX}{person.id}") for person in people]

    async def person(self, name: str) -> PersonAnswer:
        """A person's filmography by role: acting (with characters), directing, composing, writing..."""
        async with self.db.transaction() as session:
            person = await self._find_person(session, name)
            credits = await repo.person_credits(session, person.id)
        by_job: dict[str, list[Role]] = {}
        for credit in credits:
            by_job.setdefault(credit.job, []).append(Role(_summary(credit.film), tuple(credit.characters)))
        order = ["actor", "director", "screenplay", "writer", "composer"]
        jobs = sorted(by_job, key=lambda job: (order.index(job) if job in order else len(order), job))
        sources = tuple(dict.fromkeys(source_name(c.source) for c in credits)) or (source_name(person.source),)
        return PersonAnswer(person.name, tuple((job, tuple(by_job[job])) for job in jobs), sources)

    @staticmethod
    async def _find_person(session: AsyncSession, name: str) -> Person:
        if match := _PERSON_VALUE.match(name.strip()):
            if person := await repo.person_by_id(session, int(match.group(1))):
                return person
            raise NotFound("That person is no longer in the catalogue. Please search again.")
        wanted = fold(name)
        if not wanted:
            raise NotFound("Tell me whose films you are looking for.")
        for lookup in (repo.people_by_folded, repo.people_by_prefix, repo.people_by_word):
            if found := await lookup(session, wanted):
                return found[0]
        candidates = await repo.people_by_prefix(session, wanted[:2], 2000)
        for word in wanted.split()[1:]:
            candidates += await repo.people_by_word(session, word[:3], 200)
        by_name = {p.folded: p for p in reversed(candidates)}
        close = process.extract(wanted, list(by_name), scorer=fuzz.WRatio, score_cutoff=60, limit=SUGGESTIONS)
        if close and close[0][1] >= CONFIDENT:
            return by_name[close[0][0]]
        suggestions = ", ".join(by_name[found].name for found, _, _ in close)
        hint = f" Did you mean: {suggestions}?" if suggestions else ""
        raise NotFound(f'I don\'t know anyone called "{name.strip()}".{hint}')


def _similarity(key: str, folded: str) -> float:
    """0-100: the whole title's likeness, or (a little less) the words shared ("let me go" in "never let me go")."""
    if not key:
        return 100.0
    return max(fuzz.ratio(key, folded), 0.95 * fuzz.token_set_ratio(key, folded))


def _contains_words(text: str, words_: str) -> bool:
    """Whether ``words_`` occurs in ``text`` as whole words ("kathy" in "young kathy", not in "kathyrn")."""
    return f" {words_} " in f" {text} "


def _similar_words(text: str, words_: str) -> bool:
    """A typo-tolerant ``_contains_words``: some run of words in ``text`` is close to ``words_``."""
    tokens, size = text.split(), len(words_.split())
    runs = (" ".join(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 1)))
    return any(fuzz.ratio(run, words_) >= 70 for run in runs)
