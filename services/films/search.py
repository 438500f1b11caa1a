"""Finding the film or person someone means from what they typed: titles with or without a year, typos,
articles, accents, alternate titles, autocomplete values ("film:123").

Title search never scans the catalogue in Python: candidates come from index lookups (exact key, key
prefix, title words, corrected words), and only those few are ranked with rapidfuzz. Every function takes
the caller's session (one unit of work).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncSession

from db.films import repository as repo
from db.films.keys import ARTICLES, PREFIX_LENGTH, fold, title_key
from db.films.repository import TitleHit, WordGroup
from db.models import Film, Person
from services.errors import NotFound
from services.films.query import parse_query
from services.films.values import (
    CHOICE_NAME_LIMIT,
    PERSON_PREFIX,
    VALUE_PREFIX,
    Ambiguous,
    Choice,
    FilmSummary,
    source_name,
)

CANDIDATES = 60  # films fetched per index lookup before ranking
CONFIDENT = 88  # similarity (0-100) at which a fuzzy match answers without asking
SUGGESTIONS = 5
COMPLETIONS = 20  # known words tried for a partly typed last word
FILM_VALUE = re.compile(rf"^{VALUE_PREFIX}(\d+)$")
PERSON_VALUE = re.compile(rf"^{PERSON_PREFIX}(\d+)$")
GONE = "That film is no longer in the catalogue. Please search for it again."


@dataclass(frozen=True, slots=True)
class Ranked:
    film: FilmSummary
    popularity: float
    similarity: float  # 0-100: how well the best of the film's titles matches the query
    score: float  # similarity plus prefix, year and popularity bonuses: the sort key


def film_summary(film: Film) -> FilmSummary:
    return FilmSummary(film.id, film.title, film.year, source_name(film.source))


def _hit_summary(hit: TitleHit) -> FilmSummary:
    return FilmSummary(hit.film_id, hit.title, hit.year, source_name(hit.source))


def is_film_value(text: str) -> bool:
    """Whether ``text`` is an autocomplete value ("film:123") rather than a title someone typed."""
    return FILM_VALUE.match(text.strip()) is not None


async def complete_titles(session: AsyncSession, text: str, limit: int) -> list[Choice]:
    """Films for a partly typed title, best first: exact, then prefix, word and typo-tolerant matches."""
    title, year = parse_query(text)
    if not fold(title):
        ranked = rank(await repo.popular_titles(session, limit), "", year)
    else:
        ranked = await search(session, title, year, partial=True)
    return [Choice(r.film.label, r.film.value) for r in ranked[:limit]]


async def find_locally(session: AsyncSession, text: str) -> FilmSummary:
    """The one film ``text`` names in the local catalogue. Raises NotFound (with suggestions) or Ambiguous."""
    if match := FILM_VALUE.match(text.strip()):
        film = await repo.film_by_id(session, int(match.group(1)))
        if film is None:
            raise NotFound(GONE)
        return film_summary(film)
    query, year = parse_query(text)
    # The whole text first: "Airport 1975" is a title, not a title and a year.
    if year is not None and (whole := await repo.titles_by_key(session, title_key(text))):
        return pick_exact(text.strip(), whole, None)
    if exact := await repo.titles_by_key(session, title_key(query)):
        return pick_exact(query, exact, year)
    ranked = await search(session, query, year, partial=False)
    if ranked and ranked[0].similarity >= CONFIDENT and (year is None or ranked[0].film.year == year):
        close = [r for r in ranked[1:] if r.similarity >= ranked[0].similarity - 2 and r.film.year == year]
        if not close:
            return ranked[0].film
    raise NotFound(unknown_title(text, ranked))


def pick_exact(query: str, hits: list[TitleHit], year: int | None) -> FilmSummary:
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


def unknown_title(text: str, ranked: list[Ranked]) -> str:
    message = f'I don\'t know a film called "{text.strip()}".'
    suggestions = [r.film.label for r in ranked[:SUGGESTIONS] if r.similarity >= 50]
    if suggestions:
        return f"{message} Did you mean: {', '.join(suggestions)}?"
    return f"{message} Check the spelling, or pick one of the suggestions while typing."


async def search(session: AsyncSession, title: str, year: int | None, *, partial: bool) -> list[Ranked]:
    """Rank the films the indexes propose for ``title``: best first."""
    key = title_key(title)
    film_ids: dict[int, None] = {}
    exact = await repo.titles_by_key(session, key, CANDIDATES)
    prefixed = await repo.titles_by_key_prefix(session, key, CANDIDATES) if partial else []
    film_ids.update(dict.fromkeys(h.film_id for h in exact + prefixed))
    query_words = [w for w in fold(title).split() if w not in ARTICLES] or key.split()
    groups = await word_groups(session, query_words, partial=partial)
    if groups:
        film_ids.update(dict.fromkeys(await repo.films_with_words(session, groups, CANDIDATES)))
        # Nothing has all the words (a stray word, a wrong correction): try without each in turn.
        for skipped in range(len(groups)) if not film_ids and len(groups) > 1 else ():
            rest = groups[:skipped] + groups[skipped + 1 :]
            film_ids.update(dict.fromkeys(await repo.films_with_words(session, rest, CANDIDATES // 4)))
    hits = await repo.titles_of_films(session, film_ids)
    return rank(hits, key, year)


async def word_groups(session: AsyncSession, query_words: list[str], *, partial: bool) -> list[WordGroup]:
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


def rank(hits: Iterable[TitleHit], key: str, year: int | None) -> list[Ranked]:
    best: dict[int, Ranked] = {}
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
        ranked = Ranked(_hit_summary(hit), hit.popularity, similarity, score)
        if hit.film_id not in best or ranked.score > best[hit.film_id].score:
            best[hit.film_id] = ranked
    return sorted(best.values(), key=lambda r: (-r.score, -r.popularity, r.film.id))


def _similarity(key: str, folded: str) -> float:
    """0-100: the whole title's likeness, or (a little less) the words shared ("let me go" in "never let me go")."""
    if not key:
        return 100.0
    return max(fuzz.ratio(key, folded), 0.95 * fuzz.token_set_ratio(key, folded))


# People ------------------------------------------------------------------------------------------


async def complete_people(session: AsyncSession, text: str, limit: int) -> list[Choice]:
    """People whose name starts with ``text``, the most credited first; values are "person:ID"."""
    wanted = fold(text)
    if len(wanted) < 2:
        return []
    people = await repo.people_completing(session, wanted, limit)
    return [Choice(person.name[:CHOICE_NAME_LIMIT], f"{PERSON_PREFIX}{person.id}") for person in people]


async def find_person(session: AsyncSession, name: str) -> Person:
    """The person ``name`` (or a "person:ID" value) means. Raises NotFound, with suggestions."""
    if match := PERSON_VALUE.match(name.strip()):
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
