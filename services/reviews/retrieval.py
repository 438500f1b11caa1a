"""Finding what members said about something: BM25 over the sentences of a film's reviews in one server.

Small and dependency-free: a server has at most a few hundred reviews of a film, so an index of their
sentences is built from the reviews the caller read (never another server's) and kept by the caller until
they change.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from db.films.keys import fold

K1 = 1.2
B = 0.75
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_SUFFIXES = ("ings", "ing", "ed", "es", "s", "ly")  # crude stemming: "endings", "ended", "ending" → "end"
_STOP = (
    "a an the and or but of in on at to for from with by about as is are was were be been being it its this that "
    "these those i me my we our you your he she they them his her their what which who whom how when where why do "
    "does did done has have had not no so than then too very can could would should will just any some there here "
    "if into over out up down all also more most much many such only own same other film movie"
)
STOP_WORDS = frozenset(_STOP.split())


def stem(word: str) -> str:
    """A word reduced to a rough stem so that forms of it match ("scores", "scored", "score" → "scor")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("e") if len(word) > 3 else word


def terms(text: str) -> list[str]:
    """The stemmed content words of ``text``."""
    return [stem(word) for word in fold(text).split() if word not in STOP_WORDS]


def sentences(text: str) -> list[str]:
    """The sentences of a review, trimmed (blank ones dropped)."""
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


@dataclass(frozen=True, slots=True)
class Passage:
    """A sentence of one document (a review) and its BM25 score for the query."""

    document: int  # index of the document among those given
    text: str
    score: float


@dataclass(frozen=True, slots=True)
class SentenceIndex:
    """The sentences of some documents (a film's reviews in one server) with their terms, ready for many
    questions: built once per change of the reviews, in a worker thread, then each question reads only the
    sentences that have its words."""

    units: tuple[tuple[int, str], ...]  # (document, sentence), in the documents' order
    lengths: tuple[int, ...]  # terms per unit
    postings: dict[str, tuple[tuple[int, int], ...]]  # term -> (unit, how often the term occurs in it)
    firsts: tuple[Passage, ...]  # each document's first sentence

    @classmethod
    def build(cls, documents: Sequence[str]) -> SentenceIndex:
        units: list[tuple[int, str]] = []
        lengths: list[int] = []
        postings: dict[str, list[tuple[int, int]]] = {}
        firsts: list[Passage] = []
        for document, text in enumerate(documents):
            found = sentences(text)
            if found:
                firsts.append(Passage(document, found[0], 0.0))
            for sentence in found:
                counts = Counter(terms(sentence))
                for term, count in counts.items():
                    postings.setdefault(term, []).append((len(units), count))
                units.append((document, sentence))
                lengths.append(sum(counts.values()))
        return cls(tuple(units), tuple(lengths), {t: tuple(p) for t, p in postings.items()}, tuple(firsts))

    def rank(self, query: Iterable[str], limit: int = 3, per_document: int = 1) -> list[Passage]:
        """The sentences that best match ``query`` (words, stemmed here) by BM25, best first; at most
        ``per_document`` from one document so that several voices are heard. Sentences matching nothing are
        left out."""
        wanted = {stem(word) for word in query for word in fold(word).split() if word not in STOP_WORDS}
        if not wanted or not self.units:
            return []
        average = sum(self.lengths) / len(self.units) or 1.0
        scores: dict[int, float] = {}
        for term in wanted:
            found = self.postings.get(term, ())
            idf = math.log(1 + (len(self.units) - len(found) + 0.5) / (len(found) + 0.5))
            for unit, tf in found:
                norm = K1 * (1 - B + B * self.lengths[unit] / average)
                scores[unit] = scores.get(unit, 0.0) + idf * tf * (K1 + 1) / (tf + norm)
        ranked = sorted(
            (unit for unit, score in scores.items() if score > 0),
            key=lambda unit: (-scores[unit], self.units[unit][0], unit),
        )
        taken: Counter[int] = Counter()
        best: list[Passage] = []
        for unit in ranked:
            document, sentence = self.units[unit]
            if taken[document] < per_document:
                taken[document] += 1
                best.append(Passage(document, sentence, scores[unit]))
                if len(best) == limit:
                    break
        return best

    def openings(self, limit: int = 3) -> list[Passage]:
        """The first sentence of each document (a review's verdict, usually): what to quote when nothing matches."""
        return list(self.firsts[:limit])


def rank(documents: Sequence[str], query: Iterable[str], limit: int = 3, per_document: int = 1) -> list[Passage]:
    """`SentenceIndex.rank` over ``documents``, for one question."""
    return SentenceIndex.build(documents).rank(query, limit, per_document)


def openings(documents: Sequence[str], limit: int = 3) -> list[Passage]:
    """`SentenceIndex.openings` of ``documents``."""
    return SentenceIndex.build(documents).openings(limit)
