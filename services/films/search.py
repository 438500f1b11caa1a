"""Finding the film or person someone means from what they typed: titles with or without a year, typos,
articles, accents, alternate titles, autocomplete values ("film:123").

Title search never scans the catalogue in Python: candidates come from index lookups (exact key, key
prefix, title words, corrected words), and only those few are ranked with rapidfuzz. Every function takes
the caller's session (one unit of work).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from itertools import combinations
from typing import NamedTuple

from rapidfuzz import fuzz, process
from sqlalchemy.ext.asyncio import AsyncSession

from db.films import repository as repo
from db.films.keys import ARTICLES, PREFIX_LENGTH, fold, title_key, words
from db.films.repository import TitleHit, WordGroup
from db.models import Film, Person
from services.errors import NotFound
from services.films.query import comparable, is_numbering, parse_query, same_numbers
from services.films.values import (
    CHOICE_NAME_LIMIT,
    PERSON_PREFIX,
    VALUE_PREFIX,
    Ambiguous,
    AmbiguousPerson,
    Choice,
    FilmSummary,
    PersonSummary,
    UnknownFilm,
    UnknownPerson,
    source_name,
)

CANDIDATES = 60  # films fetched per index lookup before ranking
TYPED_SCAN = 500  # word-index entries one keystroke reads at most (find reads repo.DRIVER_SCAN): see films_with_words
CONFIDENT = 88  # closeness (0-100) at which a title answers without asking
CLOSE_ENOUGH = 50  # similarity (0-100) at which a film is worth suggesting
SUGGESTIONS = 5
PEOPLE_CHOICES = 10  # people a name that fits several offers to choose from
COMPLETIONS = 20  # known words tried for a partly typed last word
SHORT_WORD = 3  # letters: a known word this short in a query may still be a typo ("of" for "for")
MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL: "film:99999999999" is text someone typed, not an id
FILM_VALUE = re.compile(rf"^{VALUE_PREFIX}(\d+)$")
PERSON_VALUE = re.compile(rf"^{PERSON_PREFIX}(\d+)$")
GONE = "That film is no longer in the catalogue. Please search for it again."


@dataclass(frozen=True, slots=True)
class Ranked:
    film: FilmSummary
    popularity: float
    similarity: float  # 0-100: how well the best of the film's titles matches the query, shared words counting
    closeness: float  # 0-100: how nearly the query is one whole title of the film (0 when their numbers differ)
    score: float  # similarity plus prefix, year and popularity bonuses: the sort key


def film_summary(film: Film) -> FilmSummary:
    return FilmSummary(film.id, film.title, film.year, source_name(film.source))


def _hit_summary(hit: TitleHit) -> FilmSummary:
    return FilmSummary(hit.film_id, hit.title, hit.year, source_name(hit.source))


def _value_id(pattern: re.Pattern[str], text: str) -> int | None:
    """The id in an autocomplete value ("film:123"); None for other text, and for ids no row can have."""
    match = pattern.match(text.strip())
    if match is None or (found := int(match.group(1))) > MAX_ID:
        return None
    return found


def film_value_id(text: str) -> int | None:
    """The film id in an autocomplete value ("film:123"); None for a title someone typed."""
    return _value_id(FILM_VALUE, text)


def is_film_value(text: str) -> bool:
    """Whether ``text`` is an autocomplete value ("film:123") rather than a title someone typed."""
    return film_value_id(text) is not None


async def complete_titles(session: AsyncSession, text: str, limit: int) -> list[Choice]:
    """Films for a partly typed title, best first: exact, then prefix, word and typo-tolerant matches."""
    title, year = parse_query(text)
    if not fold(title):
        ranked = rank(await repo.popular_titles(session, limit), "", year)
    else:
        ranked = await search(session, title, year, partial=True)
    return [Choice(r.film.label, r.film.value) for r in ranked[:limit]]


async def find_locally(session: AsyncSession, text: str) -> FilmSummary:
    """The one film ``text`` names in the local catalogue. Raises UnknownFilm (with the closest films) or
    Ambiguous.

    A title is answered only when the query is the whole of it, give or take typos, articles, accents and how
    a sequel number is written: words the title lacks ("Mulholland Drive" is not "Drive") or it has and the
    query lacks ("Portrait of a Lady" is not "Portrait of a Lady on Fire"), and different numbers ("Toy Story 2"
    is not "Toy Story"), leave it a suggestion.
    """
    if (film_id := film_value_id(text)) is not None:
        film = await repo.film_by_id(session, film_id)
        if film is None:
            raise NotFound(GONE)
        return film_summary(film)
    query, year = parse_query(text)
    # The whole text first: "Airport 1975" is a title, not a title and a year.
    if year is not None and (whole := await repo.titles_by_key(session, title_key(text))):
        return choose(text.strip(), exact_matches(whole), None)
    if exact := await repo.titles_by_key(session, title_key(query)):
        return choose(query, exact_matches(exact), year)
    ranked = await search(session, query, year, partial=False)
    close = [r for r in ranked if r.closeness >= CONFIDENT and _near(r.film.year, year)]
    if close:
        closest = max(r.closeness for r in close)
        rivals = [Match(r.film, r.popularity, primary=True) for r in close if r.closeness >= closest - 2]
        return choose(query, rivals, year)
    raise await unknown_title(session, text, ranked)


class Match(NamedTuple):
    """A film a query names, with what decides between several: popularity, and whether a primary title matched."""

    film: FilmSummary
    popularity: float
    primary: bool


def exact_matches(hits: list[TitleHit]) -> list[Match]:
    films: dict[int, Match] = {}
    for hit in sorted(hits, key=lambda h: h.kind != "primary"):  # a primary title match speaks for its film
        films.setdefault(hit.film_id, Match(_hit_summary(hit), hit.popularity, hit.kind == "primary"))
    return list(films.values())


def _near(found: int | None, year: int | None) -> bool:
    return year is None or (found is not None and abs(found - year) <= 1)


def choose(query: str, matches: list[Match], year: int | None) -> FilmSummary:
    """Which of the films ``query`` names (equally well) it means: the one from ``year``, else from a year next to
    it (the answer then carries the year asked for), else the clearly more popular one.

    Raises Ambiguous when that leaves several, UnknownFilm when none is from the year or next to it.
    """
    if year is not None:
        fitting = [m for m in matches if m.film.year == year] or [m for m in matches if _near(m.film.year, year)]
        if not fitting:
            known = [m.film for m in matches]
            listed = ", ".join(film.label for film in known)
            raise UnknownFilm(f'I know "{query}" only as {listed}, not from {year}.', known[:SUGGESTIONS])
        matches = fitting
    best = [m for m in matches if m.primary] or matches
    best.sort(key=lambda m: m.popularity, reverse=True)
    if len(best) > 1 and best[0].popularity < 2 * max(best[1].popularity, 1.0):
        raise Ambiguous(query, [m.film for m in best[:SUGGESTIONS]])
    chosen = best[0].film
    return chosen if year in (None, chosen.year) else replace(chosen, asked_year=year)


async def unknown_title(session: AsyncSession, text: str, ranked: list[Ranked]) -> UnknownFilm:
    """The answer to a title no film has: the closest films, or with nothing close the most popular ones."""
    message = f'I don\'t know a film called "{text.strip()}".'
    if close := [r.film for r in ranked[:SUGGESTIONS] if r.similarity >= CLOSE_ENOUGH]:
        return UnknownFilm(f"{message} Did you mean: {', '.join(film.label for film in close)}?", close)
    popular = [r.film for r in rank(await repo.popular_titles(session, SUGGESTIONS), "", None)]
    listed = ", ".join(film.label for film in popular)
    return UnknownFilm(f"{message} Nothing I know is close; popular films here include: {listed}.", popular)


async def search(session: AsyncSession, title: str, year: int | None, *, partial: bool) -> list[Ranked]:
    """Rank the films the indexes propose for ``title``: best first."""
    key = title_key(title)
    query_words = [w for w in fold(title).split() if w not in ARTICLES] or key.split()
    # A film need not have the query's sequel number to be a candidate: "Godfather Part I" is The Godfather.
    query_words = [w for w in query_words if not is_numbering(w)] or query_words
    known = await repo.known_words(session, query_words)
    groups = await word_groups(session, query_words, known, partial=partial)
    # The films whose key is the query's (or, partly typed, begins with it), and those with all its words.
    scan = TYPED_SCAN if partial else repo.DRIVER_SCAN
    hits = await repo.titles_matching(session, key, groups, prefix=partial, limit=CANDIDATES, scan=scan)
    if not hits and groups:
        # Nothing has all the words (a stray word, a wrong correction): try without one, then each alone.
        film_ids: dict[int, None] = {}
        for size in sorted({len(groups) - 1, 1} - {0}, reverse=True):
            for rest in combinations(groups, size) if not film_ids else ():
                film_ids.update(dict.fromkeys(await repo.films_with_words(session, rest, CANDIDATES // 4, scan)))
        hits = await repo.titles_of_films(session, film_ids)
    return rank(hits, key, year, None if partial else frozenset(known))


async def word_groups(
    session: AsyncSession, query_words: list[str], known: set[str], *, partial: bool
) -> list[WordGroup]:
    """For each query word, the indexed terms that may stand for it: itself (if ``known``, a word some title
    has), its corrections if it is misspelt, and (for the last word of a partly typed query) the words it begins.
    """
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


def rank(
    hits: Iterable[TitleHit], key: str, year: int | None, known: frozenset[str] | None = frozenset()
) -> list[Ranked]:
    """Films by how well one of their titles matches ``key``; ``known`` are the query's words some title has, for
    judging closeness (None leaves it 0: autocomplete only sorts, and closeness is the costly part)."""
    wanted = comparable(key)
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
        closeness = 0.0 if known is None else _closeness(wanted, hit, known)
        ranked = Ranked(_hit_summary(hit), hit.popularity, similarity, closeness, score)
        if (earlier := best.get(hit.film_id)) is not None:  # the best-scoring title, and the closest one's closeness
            closeness = max(earlier.closeness, ranked.closeness)
            ranked = replace(max(earlier, ranked, key=lambda r: r.score), closeness=closeness)
        best[hit.film_id] = ranked
    return sorted(best.values(), key=lambda r: (-r.score, -r.popularity, r.film.id))


def _similarity(key: str, folded: str) -> float:
    """0-100: the whole title's likeness, or (a little less) the words shared ("let me go" in "never let me go")."""
    if not key:
        return 100.0
    return max(fuzz.ratio(key, folded), 0.95 * fuzz.token_set_ratio(key, folded))


def _closeness(wanted: str, hit: TitleHit, known: frozenset[str]) -> float:
    """0-100: how nearly ``wanted`` (a ``comparable`` query) is the whole title. Words either side lacks count
    against it, unlike ``_similarity``.

    0 when their numbers differ, or when the title lacks a query word that some title has: a word the catalogue
    knows is taken as meant, not as a typo ("Driver" is not "Drive": Taxi Driver has the word), unless it is short
    ("in the mood of love"). A one-word title is not taken for a longer or shorter word either.
    """
    title = comparable(hit.folded)
    if not same_numbers(wanted, title):
        return 0.0
    if (meant := {w for w in known if len(w) > SHORT_WORD}) and not meant <= words(hit.matched):
        return 0.0
    if " " not in title + wanted and wanted != title and (title.startswith(wanted) or wanted.startswith(title)):
        return 0.0  # a one-word title and a word it begins or that begins it: "Chocolate", "Aliens" are other films
    return fuzz.ratio(wanted, title)


# People ------------------------------------------------------------------------------------------


async def complete_people(session: AsyncSession, text: str, limit: int) -> list[Choice]:
    """People whose name starts with ``text``, the most credited first; values are "person:ID"."""
    wanted = fold(text)
    if len(wanted) < 2:
        return []
    people = await repo.people_completing(session, wanted, limit)
    return [Choice(person.name[:CHOICE_NAME_LIMIT], f"{PERSON_PREFIX}{person.id}") for person in people]


async def find_person(session: AsyncSession, name: str) -> Person:
    """The person ``name`` (or a "person:ID" value) means: whose whole name it is, else whose name begins with it or
    has a word that does ("Mulligan"), preferring whole words, else whose name it nearly spells.

    Raises AmbiguousPerson when that fits several, UnknownPerson (with the closest names) when it fits nobody.
    """
    if (person_id := _value_id(PERSON_VALUE, name)) is not None:
        if person := await repo.person_by_id(session, person_id):
            return person
        raise NotFound("That person is no longer in the catalogue. Please search again.")
    wanted = fold(name)
    if not wanted:
        raise NotFound("Tell me whose films you are looking for.")
    if exact := await repo.people_by_folded(session, wanted, PEOPLE_CHOICES):
        return await _the_one(session, name, exact)
    if named := await repo.people_named(session, wanted, PEOPLE_CHOICES):
        whole = [person for person in named if f" {wanted} " in f" {person.folded} "]  # "Lee" is Spike Lee, not Leelee
        return await _the_one(session, name, whole or named)
    candidates = await repo.people_by_prefix(session, wanted[:2], 2000)
    for word in wanted.split():
        candidates += await repo.people_by_word(session, word[:3], 200)
    by_name = {p.folded: p for p in reversed(candidates)}
    # Nearly spelt, by the whole name's likeness: WRatio would take a name for any longer one it is part of.
    if close := process.extract(wanted, list(by_name), scorer=fuzz.ratio, score_cutoff=CONFIDENT, limit=PEOPLE_CHOICES):
        return await _the_one(session, name, [by_name[found] for found, _, _ in close])
    similar = process.extract(wanted, list(by_name), scorer=fuzz.WRatio, score_cutoff=60, limit=SUGGESTIONS)
    suggestions = await _people_summaries(session, [by_name[found] for found, _, _ in similar])
    hint = f" Did you mean: {', '.join(p.name for p in suggestions)}?" if suggestions else ""
    raise UnknownPerson(f'I don\'t know anyone called "{name.strip()}".{hint}', suggestions)


async def _the_one(session: AsyncSession, name: str, people: list[Person]) -> Person:
    if len(people) > 1:
        raise AmbiguousPerson(name.strip(), await _people_summaries(session, people))
    return people[0]


async def _people_summaries(session: AsyncSession, people: list[Person]) -> list[PersonSummary]:
    known_for = await repo.best_known_films(session, (person.id for person in people))
    return [PersonSummary(p.id, p.name, film_summary(known_for[p.id]) if p.id in known_for else None) for p in people]
