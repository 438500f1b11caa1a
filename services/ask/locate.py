"""Finding the film a sentence names: "who played Ruth in nevr let me go (2010)?" names Never Let Me Go.

Every run of up to MAX_SPAN words is a candidate title; all their keys go to the title index in one query,
with misspelt words corrected against the title vocabulary first. Runs made only of question words ("who",
"score", "it") never count unless typed as a title (quoted, or capitalised mid-sentence: "It", "The Score").
Of the runs that are titles the longest wins, then one after "in"/"of"/"about", at the end, or capitalised.
A run that is only close to a title is tried last, and only through the precise search (which asks rather
than guesses). Nothing here picks a film the words do not name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA
from sqlalchemy.ext.asyncio import AsyncSession

from db.films import repository as repo
from db.films.keys import title_key
from db.films.repository import TitleHit
from services.ask.language import STOP_WORDS, Word, correct, is_question_word
from services.errors import NotFound
from services.films import search
from services.films.cache import AnswerCache
from services.films.query import FIRST_FILM_YEAR, latest_plausible_year
from services.films.values import Ambiguous, FilmSummary

MAX_SPAN = 12  # words in a title looked for
WORDS_KEPT = 20_000  # title words, misspelling neighbourhoods and title keys kept (each), per process
TITLE_HITS = 200  # titles read for a question's candidate spans at most
TYPO_CUTOFF = 0.8  # how close a misspelt title word must be to a known one: one slip in five letters
CLOSE_TITLE = 80  # how like the title a run of words must be, as a whole, to name it (0-100)
SINGLE_WORD_LENGTH = 6  # a corrected word alone is a title only when this long (one slip in six letters)
_QUOTES = "\"'“”‘’«»*_`"
_INTRODUCERS = frozenset({"in", "of", "for", "about", "from", "on", "watch", "watching", "watched", "seen", "see"})
_JOINERS = frozenset({"in", "of", "for", "from", "about", "on", "with", "by", "at", "to", "and", "or"})


class TitleWords:
    """The catalogue's title words and title keys as `locate` asks for them, kept while the catalogue is
    unchanged (the version is read once per question): members' questions share most of their words ("who",
    "played", a film's title, a character), so most lookups are answered from memory."""

    def __init__(self, size: int = WORDS_KEPT) -> None:
        self.known: AnswerCache[str, bool] = AnswerCache(size)
        self.near: AnswerCache[tuple[str, int], tuple[str, ...]] = AnswerCache(size)
        self.titles: AnswerCache[str, tuple[TitleHit, ...]] = AnswerCache(size)

    def at(self, session: AsyncSession, version: int) -> Lookups:
        """Lookups in ``session``, whose reads are at catalogue ``version`` or later (read the version first)."""
        return Lookups(self, session, version)


@dataclass(frozen=True, slots=True)
class Lookups:
    words: TitleWords
    session: AsyncSession
    version: int

    async def known_words(self, candidates: Sequence[str]) -> set[str]:
        """Those of ``candidates`` that occur in some title."""
        kept = self.words.known
        missing = [word for word in dict.fromkeys(candidates) if kept.get(self.version, word) is None]
        if missing:
            known = await repo.known_words(self.session, missing)
            for word in missing:
                kept.put(self.version, word, word in known)
        return {word for word in candidates if kept.get(self.version, word)}

    async def vocabulary_near(self, prefix: str, length: int) -> tuple[str, ...]:
        """Title words that may be a misspelling of a ``length``-letter word starting with ``prefix``."""
        if (near := self.words.near.get(self.version, (prefix, length))) is None:
            near = tuple(await repo.vocabulary_near(self.session, prefix, length))
            self.words.near.put(self.version, (prefix, length), near)
        return near

    async def titles_by_keys(self, keys: set[str]) -> list[TitleHit]:
        """The titles whose key is any of ``keys``, most popular first."""
        kept = self.words.titles
        hits = {key: kept.get(self.version, key) for key in keys}
        if missing := {key for key, found in hits.items() if found is None}:
            fetched = await repo.titles_by_keys(self.session, missing, limit=TITLE_HITS)
            for key in missing:
                hits[key] = tuple(hit for hit in fetched if hit.folded == key)
            if len(fetched) < TITLE_HITS:  # complete: every key's titles are here
                for key in missing:
                    kept.put(self.version, key, hits[key] or ())
        found = [hit for key_hits in hits.values() for hit in key_hits or ()]
        return sorted(found, key=lambda hit: (-hit.popularity, hit.film_id))[:TITLE_HITS]


@dataclass(frozen=True, slots=True)
class Located:
    """The words ``span`` (word indexes, end excluded) name ``film``, or one of ``choices`` when ambiguous."""

    span: tuple[int, int]
    film: FilmSummary | None = None
    choices: tuple[FilmSummary, ...] = ()


def _year(found: Sequence[Word], index: int) -> int | None:
    """The release year written right after a title ("dune 2021", "Dune (2021)"), if any."""
    if index < len(found) and found[index].folded.isdigit() and len(found[index].folded) == 4:
        year = int(found[index].folded)
        if FIRST_FILM_YEAR <= year <= latest_plausible_year():
            return year
    return None


def _typed_as_title(text: str, found: Sequence[Word], start: int, end: int) -> bool:
    """Quoted, or every word capitalised and not just the sentence's first word."""
    before = text[: found[start].start].rstrip()[-1:]
    after = text[found[end - 1].end :].lstrip()[:1]
    if before and after and before in _QUOTES and after in _QUOTES:
        return True
    return start > 0 and all(
        word.capitalised for word in found[start:end] if len(word.folded) > 3 or word is found[start]
    )


async def _corrections(lookups: Lookups, found: Sequence[Word]) -> tuple[dict[int, str], set[str]]:
    """Misspelt words (by index) read as the known title word they are closest to (edits counted with
    transpositions as one: "pyscho" is one slip from "psycho"), and the words that are title words as typed."""
    unknown = [w.folded for w in found if not is_question_word(w.folded) and not w.folded.isdigit()]
    known = await lookups.known_words(unknown) if unknown else set()
    fixed: dict[int, str] = {}
    for index, word in enumerate(found):
        text = word.folded
        if text in known or text not in unknown or len(text) < 4:
            continue
        for prefix in dict.fromkeys((text[:2], text[0] + text[2])):  # "pyscho" is found among "ps…" words
            vocabulary = await lookups.vocabulary_near(prefix, len(text))  # one slip: one letter more or less
            best = process.extractOne(text, vocabulary, scorer=OSA.normalized_similarity)
            if best is not None and best[1] >= TYPO_CUTOFF - 1e-9:  # (rapidfuzz's cutoff drops exact 0.8)
                fixed[index] = best[0]
                break
    return fixed, known


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    key: str
    corrected: bool

    def score(self, found: Sequence[Word], text: str) -> float:
        value = 10.0 * sum(word.folded not in STOP_WORDS for word in found[self.start : self.end])
        if self.start > 0 and found[self.start - 1].folded in _INTRODUCERS:
            value += 4
        if self.end == len(found) or _year(found, self.end) is not None:
            value += 2
        if _typed_as_title(text, found, self.start, self.end):
            value += 2
        return value - (3 if self.corrected else 0)


def _spans(text: str, found: Sequence[Word], fixed: dict[int, str]) -> list[_Span]:
    spans: list[_Span] = []
    for start in range(len(found)):
        for end in range(start + 1, min(start + MAX_SPAN, len(found)) + 1):
            run = found[start:end]
            if all(is_question_word(w.folded) for w in run) and not _typed_as_title(text, found, start, end):
                continue
            spans.append(_Span(start, end, title_key(text[run[0].start : run[-1].end]), corrected=False))
            if any(i in fixed for i in range(start, end)):
                if end - start == 1 and len(found[start].folded) < SINGLE_WORD_LENGTH:
                    continue
                words_ = [fixed.get(i, found[i].folded) for i in range(start, end)]
                spans.append(_Span(start, end, title_key(" ".join(words_)), corrected=True))
    return [span for span in spans if span.key]


async def locate(lookups: Lookups, text: str, found: Sequence[Word]) -> Located | None:
    """The film ``text`` names somewhere in it, or None. Raises NotFound when a named title exists only with
    another year than the one written ("Dune 1999")."""
    if not found:
        return None
    fixed, known = await _corrections(lookups, found)
    spans = _spans(text, found, fixed)
    hits = await lookups.titles_by_keys({span.key for span in spans})
    by_key: dict[str, list[TitleHit]] = {}
    for hit in hits:
        by_key.setdefault(hit.folded, []).append(hit)
    whole = _phrases(found, known)
    named = [span for span in spans if span.key in by_key and _covers(span, found, whole)]
    if named:
        best = max(named, key=lambda span: (span.score(found, text), -span.start))
        return _pick(best.start, best.end, by_key[best.key], _year(found, best.end))
    return await _close_title(lookups.session, text, found, known | {found[i].folded for i in fixed})


def _phrases(found: Sequence[Word], known: set[str]) -> list[int]:
    """For each word, the number of the phrase it belongs to (-1 for question and joining words): phrases are
    the runs of other words between them ("ruth" | "never let me go", "the cider house ruels")."""
    phrase, numbers, previous = 0, [], False
    for word in found:
        read = word.folded if word.folded in known else correct(word.folded)  # "dirceted" is a question word
        inside = not _breaks(read) and word.folded not in _JOINERS
        if inside and not previous:
            phrase += 1
        numbers.append(phrase if inside else -1)
        previous = inside
    return numbers


def _covers(span: _Span, found: Sequence[Word], phrases: list[int]) -> bool:
    """Whether the span takes whole phrases (leaving out only function words and a year): "house" alone in
    "the cider house ruels" names no film, nor does "go" in "nevr let me go"."""
    touched = {phrases[i] for i in range(span.start, span.end)} - {-1}
    return all(
        span.start <= i < span.end or found[i].folded in STOP_WORDS or _year(found, i) is not None
        for i, number in enumerate(phrases)
        if number in touched
    )


def _pick(start: int, end: int, hits: list[TitleHit], year: int | None) -> Located:
    span = (start, end + (1 if year is not None else 0))
    try:
        return Located(span, film=search.choose(hits[0].matched, search.exact_matches(hits), year))
    except Ambiguous as ambiguous:
        return Located(span, choices=ambiguous.choices)


async def _close_title(session: AsyncSession, text: str, found: Sequence[Word], titled: set[str]) -> Located | None:
    """A run of non-question words close to a title ("nevr let me goo"), through the precise search; only runs
    mostly of title words (``titled``: known or corrected), so that a name ("carey mulligan") costs no search."""
    for start, end in _runs(found):
        content = [w.folded for w in found[start:end] if w.folded not in STOP_WORDS]
        if 2 * sum(word in titled for word in content) < len(content):
            continue
        year = _year(found, end)
        query = text[found[start].start : found[end - 1].end] + (f" {year}" if year else "")
        try:
            film = await search.find_locally(session, query)
        except NotFound:
            continue
        except Ambiguous as ambiguous:
            return Located((start, end + (1 if year else 0)), choices=ambiguous.choices)
        if fuzz.ratio(title_key(query), title_key(film.title)) >= CLOSE_TITLE:  # the whole run, not a word of it
            return Located((start, end + (1 if year else 0)), film=film)
    return None


def _runs(found: Sequence[Word]) -> list[tuple[int, int]]:
    """The two longest runs of words between question words ("in", "me", "the" may be inside a run), trimmed of
    function words at either end; only runs long enough to be a title rather than a stray word."""
    runs: list[tuple[int, int]] = []
    start = 0
    for index in range(len(found) + 1):
        if index < len(found) and not _breaks(found[index].folded):
            continue
        first, end = start, index
        while first < end and is_question_word(found[first].folded):
            first += 1
        while end > first and is_question_word(found[end - 1].folded):
            end -= 1
        if end - first >= 2 or sum(len(w.folded) for w in found[first:end]) >= 6:
            runs.append((first, end))
        start = index + 1
    return sorted(runs, key=lambda run: run[0] - run[1])[:2]


def _breaks(word: str) -> bool:
    return is_question_word(word) and word not in STOP_WORDS
