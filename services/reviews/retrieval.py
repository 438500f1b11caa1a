"""Finding what members said about something: BM25 over the sentences of a film's reviews in one server.

Small and dependency-free: a server has at most a few hundred reviews of a film, so the index is built per
question from the reviews the caller read (never another server's) and thrown away.
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


def rank(documents: Sequence[str], query: Iterable[str], limit: int = 3, per_document: int = 1) -> list[Passage]:
    """The sentences of ``documents`` that best match ``query`` (words, stemmed here), best first; at most
    ``per_document`` from one document so that several voices are heard. Sentences matching nothing are left out.
    """
    wanted = {stem(word) for word in query for word in fold(word).split() if word not in STOP_WORDS}
    units = [
        (index, sentence, Counter(terms(sentence)))
        for index, text in enumerate(documents)
        for sentence in sentences(text)
    ]
    if not wanted or not units:
        return []
    average = sum(sum(counts.values()) for _, _, counts in units) / len(units) or 1.0
    frequency = Counter(term for _, _, counts in units for term in counts.keys() & wanted)
    scored: list[Passage] = []
    for index, sentence, counts in units:
        length = sum(counts.values())
        score = 0.0
        for term in wanted & counts.keys():
            idf = math.log(1 + (len(units) - frequency[term] + 0.5) / (frequency[term] + 0.5))
            tf = counts[term]
            score += idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
        if score > 0:
            scored.append(Passage(index, sentence, score))
    scored.sort(key=lambda p: (-p.score, p.document))
    taken: Counter[int] = Counter()
    best: list[Passage] = []
    for passage in scored:
        if taken[passage.document] < per_document:
            taken[passage.document] += 1
            best.append(passage)
            if len(best) == limit:
                break
    return best


def openings(documents: Sequence[str], limit: int = 3) -> list[Passage]:
    """The first sentence of each document (a review's verdict, usually): what to quote when nothing matches."""
    firsts = [(index, sentences(text)) for index, text in enumerate(documents)]
    return [Passage(index, found[0], 0.0) for index, found in firsts if found][:limit]
