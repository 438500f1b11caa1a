"""What a server thinks of a film, and its month in film: pure functions over reviews, plain values out.

The caller reads the reviews, caches reports and runs these off the event loop. Text from a review flagged as
spoilers, or inside a member's own ||spoiler tags||, never appears in a report unwrapped: quotes, key points and
theme examples from it are wrapped in spoiler tags (quotes also marked), and the consensus and the names use
spoiler-free text only.
"""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
from numpy.typing import NDArray

from services.reviews.centroid import (
    Floats,
    Indices,
    SentenceVectors,
    centroid_relevance,
    mmr,
    similarities,
    vectorise,
)
from services.reviews.sentiment import polarity
from services.reviews.text import (
    STOP_WORDS,
    WORD_BREAK,
    sentence_spans,
    shown,
    spoiler_tagged,
    without_spoiler_tags,
    word_stream,
    words,
)
from services.reviews.themes import THEME_KEYS, THEMES
from services.reviews.values import MAX_RATING, MIN_RATING, Review

POSITIVE_FROM = 7  # half stars: 3½ stars and up is a positive review whatever the text says
NEGATIVE_TO = 4  # 2 stars and below is negative; in between, the text decides
MIDDLE = (MIN_RATING + MAX_RATING) / 2
CONSENSUS_SENTENCES = 2
CONSENSUS_LIMIT = 420  # characters, both sentences
QUOTES = 3
QUOTE_LIMIT = 280  # an embed field takes 1,024: room for three quotes and their authors
KEY_POINTS = 4
KEY_POINT_LIMIT = 240
EXAMPLE_LIMIT = 160
SHOWN_THEMES = 8
SHOWN_NAMES = 8
THEME_SHARE = 0.1  # a theme recurs when at least this share of the reviews mention it
SENTENCE_CHARS = (30, 320)  # sentences outside this length are quoted only when nothing else is left
MMR_POOL = 48
THEME_WEIGHT = 0.5  # relevance gained per theme a sentence mentions
THEME_SAMPLE = 40  # VADER reads at most this many sentences per theme, evenly spread
MIDDLE_SAMPLE = 100  # and the text of at most this many middle-rated reviews
NEUTRAL = 0.05  # |VADER compound| below this is no opinion
FEELING = 0.1  # a theme's mean sentiment beyond ±this is positive/negative, else mixed
TEXT_POSITIVE = 0.5  # a middle-rated review stays mixed unless its text is clearly one-sided
TEXT_NEGATIVE = -0.5

_FEELINGS = {1: "positive", 0: "mixed", -1: "negative"}
_SIDES = {  # the ratings of the majority, by overall sentiment
    "strongly positive": (POSITIVE_FROM, MAX_RATING),
    "positive": (POSITIVE_FROM, MAX_RATING),
    "negative": (MIN_RATING, NEGATIVE_TO),
    "strongly negative": (MIN_RATING, NEGATIVE_TO),
}
_POSSESSIVE = re.compile(r"'s\b")
_NAME = re.compile(  # starts with [A-Z] so the regex engine can skip ahead to capitals
    r"[A-Z](?<![^\W_][A-Z])(?:\.\s?(?:[A-Z]\.\s?)?[A-Z][\w'’-]+|[\w'’-]*[a-z][\w'’-]*(?:\s+[A-Z][\w'’-]*[a-z][\w'’-]*)+)"
)


@dataclass(frozen=True, slots=True)
class Quote:
    """A member's sentence as a report quotes it; ``text`` is wrapped in ||spoiler tags|| when ``spoiler``."""

    text: str
    author_name: str
    rating: int  # half stars
    spoiler: bool


@dataclass(frozen=True, slots=True)
class ThemeReport:
    """A recurring theme and how members felt about it."""

    key: str  # "music"
    label: str  # "Score & music"
    reviews: int  # reviews mentioning it
    mentions: int  # sentences mentioning it
    sentiment: float  # -1 to 1: VADER over the sentences mentioning it (a neutral one leans with its rating)
    feeling: str  # "positive", "mixed" or "negative"
    example: str  # a central sentence mentioning it, spoiler-tagged when from spoiler text


@dataclass(frozen=True, slots=True)
class NameMention:
    """A name (person, place, title) members write out in full, and in how many spoiler-free reviews."""

    name: str
    reviews: int


@dataclass(frozen=True, slots=True)
class FilmReport:
    """What the reviews of one film say together."""

    film_label: str  # the newest review's label; "" with no reviews
    count: int
    mean_rating: float | None  # half stars, 1-10; None with no reviews
    distribution: tuple[int, ...]  # distribution[i] is the number of reviews rated i + 1 half stars
    positive_share: float  # 0-1; middle ratings are decided by their text (estimated from a sample when many)
    negative_share: float
    sentiment: str  # "strongly positive", "positive", "mixed", "divided", "negative", "strongly negative", "none"
    consensus: str | None  # a sentence or two from spoiler-free reviews; None below min_for_consensus
    note: str | None  # why there is no consensus
    key_points: tuple[str, ...]  # the most central sentences besides the consensus and the quotes
    quotes: tuple[Quote, ...]  # up to three, from different reviews
    themes: tuple[ThemeReport, ...]  # most mentioned first
    names: tuple[NameMention, ...]  # most mentioned first
    # The spoiler-free sentences the report picked (consensus, quotes, key points), with who wrote them.
    excerpts: tuple[Quote, ...] = ()
    phrased: str = ""  # a language model's consensus, citing context_lines as [n] (member-derived text)

    @property
    def mean_stars(self) -> float | None:
        return None if self.mean_rating is None else self.mean_rating / 2

    def context_lines(self) -> list[str]:
        """The figures and the spoiler-free excerpts, one per line: what a language model may word a consensus
        from and cite."""
        if self.mean_stars is None:
            return []
        figures = (
            f"{self.count} review{'s' * (self.count != 1)} here, {self.mean_stars:.1f} of 5 stars on average, "
            f"{self.positive_share:.0%} positive, {self.negative_share:.0%} negative."
        )
        said = [f"{q.author_name} ({q.rating / 2:g}/5) wrote: {q.text}" for q in self.excerpts if not q.spoiler]
        return [figures, *said]


@dataclass(frozen=True, slots=True)
class _Corpus:
    """The sentences of a film's reviews, in review order, with their vectors and theme mentions."""

    reviews: Sequence[Review]
    texts: list[str]
    review_of: Indices  # the review (its position) each sentence comes from
    spoiler: NDArray[np.bool_]
    vectors: SentenceVectors
    relevance: Floats  # similarity to the centroid of all reviews, each review weighing the same
    themes: list[Indices]  # per theme of THEMES: the sentences mentioning it, in order
    scores: dict[int, float] = field(default_factory=dict)  # VADER's compound per sentence, computed once

    def score(self, sentence: int) -> float:
        """VADER's compound for one sentence (read without spoiler-tag pipes)."""
        if sentence not in self.scores:
            self.scores[sentence] = polarity(self.texts[sentence].replace("|", ""))
        return self.scores[sentence]


def summarise_film(
    reviews: Iterable[Review], *, min_for_consensus: int = 3, credits: Mapping[str, str] | None = None
) -> FilmReport:
    """Summarise one film's reviews: ratings, sentiment, a consensus, key points, quotes, themes and names.

    ``credits`` maps people of the film to the theme naming them stands for ({"Carey Mulligan": "performances",
    "Rachel Portman": "music", "Mark Romanek": "direction"}): a sentence with their surname, capitalised, mentions
    that theme. Deterministic: the same reviews in any order give the same report.
    """
    if min_for_consensus < 1:
        raise ValueError("min_for_consensus must be at least 1")
    credits = credits or {}
    if unknown := set(credits.values()) - set(THEME_KEYS):
        raise ValueError(f"credits name unknown themes: {sorted(unknown)}")
    ordered = sorted(reviews, key=lambda review: (review.created_at, review.id))
    ratings = np.array([review.rating for review in ordered], dtype=np.int64)
    distribution = tuple(int(n) for n in np.bincount(ratings, minlength=MAX_RATING + 1)[MIN_RATING:])
    corpus = _corpus(ordered, credits)
    mean = float(ratings.mean()) if ordered else None
    positive, negative = _review_shares(corpus)
    sentiment = _overall(mean, positive, negative)
    extracts = _extracts(corpus, min_for_consensus, _SIDES.get(sentiment, (MIN_RATING, MAX_RATING)))
    consensus = " ".join(shown(corpus.texts[s], spoiler=False, limit=CONSENSUS_LIMIT) for s in extracts.consensus)
    return FilmReport(
        film_label=ordered[-1].film_label if ordered else "",
        count=len(ordered),
        mean_rating=mean,
        distribution=distribution,
        positive_share=positive,
        negative_share=negative,
        sentiment=sentiment,
        consensus=consensus or None,
        note=_note(extracts, min_for_consensus),
        key_points=tuple(_shown(corpus, s, KEY_POINT_LIMIT) for s in extracts.key_points),
        quotes=tuple(_quote(corpus, s) for s in extracts.quotes),
        themes=_themes(corpus, extracts.used),
        names=_names(ordered),
        excerpts=tuple(_quote(corpus, s) for s in extracts.ordered if not corpus.spoiler[s]),
    )


def _corpus(reviews: Sequence[Review], credits: Mapping[str, str]) -> _Corpus:
    # One pass over all the texts: a line break always ends a sentence, so none runs from one review into the next.
    joined = "\n".join(review.text for review in reviews)
    lengths = np.array([len(review.text) + 1 for review in reviews], dtype=np.int64)
    starts = np.cumsum(lengths) - lengths
    spans = np.array(list(sentence_spans(joined)), dtype=np.int64).reshape(-1, 2)
    texts = [joined[start:end] for start, end in spans.tolist()]
    reviews_array = np.searchsorted(starts, spans[:, 0], side="right") - 1
    spoiler = np.array([review.spoilers for review in reviews], dtype=bool)[reviews_array]
    for index, review in enumerate(reviews):  # a member's own spoiler tags, in a review flagged or not
        for tag_start, tag_end in spoiler_tagged(review.text):
            first = np.searchsorted(spans[:, 1], starts[index] + tag_start, side="right")
            spoiler[first : np.searchsorted(spans[:, 0], starts[index] + tag_end)] = True
    vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    stream = np.fromiter(map(vocabulary.__getitem__, word_stream(texts)), dtype=np.int64)
    breaks = stream == vocabulary[WORD_BREAK]
    sentence_array = np.cumsum(breaks)[~breaks]
    folded = np.array([vocabulary[word.removesuffix("'s")] for word in list(vocabulary)], dtype=np.int64)
    term_array = folded[stream[~breaks]]
    size, known = len(texts), list(vocabulary)
    titles = {word for review in reviews for word in words(review.film_label)}
    ignored = np.array([w in STOP_WORDS or w in titles or len(w) < 2 or w.isdigit() for w in known], dtype=bool)
    content = ~ignored[term_array] if size else np.zeros(0, dtype=bool)
    vectors = vectorise(term_array[content], sentence_array[content], size, max(len(known), 1))
    per_review = np.bincount(reviews_array, minlength=len(reviews)).astype(np.float64)
    relevance = centroid_relevance(vectors, 1.0 / per_review[reviews_array]) if size else np.zeros(0)
    return _Corpus(
        reviews=reviews,
        texts=texts,
        review_of=reviews_array,
        spoiler=spoiler,
        vectors=vectors,
        relevance=relevance,
        themes=_theme_sentences(vocabulary, term_array, sentence_array, texts, credits),
    )


def _theme_sentences(
    vocabulary: dict[str, int], terms: Indices, sentences: Indices, texts: Sequence[str], credits: Mapping[str, str]
) -> list[Indices]:
    """Per theme, the sentences mentioning one of its words or word pairs, or the surname of a person it is
    credited with."""
    size = max(len(vocabulary), 1)
    theme_of = np.full(size, -1, dtype=np.int64)
    pairs: dict[int, int] = {}
    for number, theme in enumerate(THEMES):
        for word in theme.words:
            if word in vocabulary:
                theme_of[vocabulary[word]] = number
        for first, second in theme.phrases:
            if first in vocabulary and second in vocabulary:
                pairs[vocabulary[first] * size + vocabulary[second]] = number
    single = theme_of[terms]
    hit_sentences, hit_themes = [sentences[single >= 0]], [single[single >= 0]]
    if pairs and len(terms) > 1:
        keys = np.array(sorted(pairs), dtype=np.int64)
        bigrams = terms[:-1] * size + terms[1:]
        found = np.isin(bigrams, keys) & (sentences[:-1] == sentences[1:])
        hit_sentences.append(sentences[:-1][found])
        hit_themes.append(np.array([pairs[int(key)] for key in bigrams[found]], dtype=np.int64))
    for name, key in credits.items():
        surname = name.split()[-1] if name.split() else ""
        term = vocabulary.get(words(surname)[-1]) if words(surname) else None
        if term is None:
            continue
        proper = re.compile(rf"\b{re.escape(surname)}\b")
        named = [s for s in np.unique(sentences[terms == term]).tolist() if proper.search(texts[s])]
        hit_sentences.append(np.array(named, dtype=np.int64))
        hit_themes.append(np.full(len(named), THEME_KEYS.index(key), dtype=np.int64))
    hits = np.unique(np.concatenate(hit_themes) * (int(sentences.max(initial=0)) + 1) + np.concatenate(hit_sentences))
    theme_hits, sentence_hits = np.divmod(hits, int(sentences.max(initial=0)) + 1)
    return [sentence_hits[theme_hits == number] for number in range(len(THEMES))]


def _even_sample(items: Indices, limit: int) -> Indices:
    """At most ``limit`` of ``items``, evenly spread (deterministic)."""
    if len(items) <= limit:
        return items
    return items[np.unique(np.linspace(0, len(items) - 1, limit).round().astype(np.int64))]


def _review_shares(corpus: _Corpus) -> tuple[float, float]:
    """Shares of positive and negative reviews: by rating, and for middle ratings by the mean sentiment of the text
    (read for an even sample when there are many, the rest counted in the same proportions)."""
    count = len(corpus.reviews)
    if not count:
        return 0.0, 0.0
    ratings = np.array([review.rating for review in corpus.reviews])
    positive, negative = int((ratings >= POSITIVE_FROM).sum()), int((ratings <= NEGATIVE_TO).sum())
    middle = np.flatnonzero((ratings > NEGATIVE_TO) & (ratings < POSITIVE_FROM))
    sample = _even_sample(middle, MIDDLE_SAMPLE)
    if len(sample):
        starts = np.searchsorted(corpus.review_of, sample)
        ends = np.searchsorted(corpus.review_of, sample, side="right")
        texts = [
            statistics.fmean(corpus.score(s) for s in range(start, end)) if end > start else 0.0
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
        ]
        scale = len(middle) / len(sample)
        positive += round(sum(score >= TEXT_POSITIVE for score in texts) * scale)
        negative += round(sum(score <= TEXT_NEGATIVE for score in texts) * scale)
    return positive / count, negative / count


def _overall(mean: float | None, positive: float, negative: float) -> str:
    if mean is None:
        return "none"
    if positive >= 0.8 and mean >= 8:
        return "strongly positive"
    if negative >= 0.8 and mean <= 3:
        return "strongly negative"
    if positive >= 0.6:
        return "positive"
    if negative >= 0.6:
        return "negative"
    return "divided" if positive >= 0.3 and negative >= 0.3 else "mixed"


@dataclass(frozen=True, slots=True)
class _Extracts:
    """The sentences a report quotes, by position in the corpus."""

    consensus: list[int]
    quotes: list[int]
    key_points: list[int]
    voices: int  # spoiler-free reviews with something to say

    @property
    def ordered(self) -> list[int]:
        return [*self.consensus, *self.quotes, *self.key_points]

    @property
    def used(self) -> set[int]:
        return set(self.ordered)


def _extracts(corpus: _Corpus, minimum: int, side: tuple[int, int]) -> _Extracts:
    """The consensus, quotes and key points: one centroid + MMR ranking, read three ways.

    The consensus takes spoiler-free sentences from reviews rated within ``side`` (the majority's ratings), and from
    any spoiler-free review when the majority side has none; quotes come from different reviews.
    """
    ranked = _ranked(corpus)
    voices = len(np.unique(corpus.review_of[~corpus.spoiler & (corpus.relevance > 0)]))
    consensus: list[int] = []
    if voices >= minimum:
        spoiler_free = [s for s in ranked if not corpus.spoiler[s]]
        sided = [s for s in spoiler_free if side[0] <= corpus.reviews[int(corpus.review_of[s])].rating <= side[1]]
        for sentence in sided or spoiler_free:
            length = sum(len(corpus.texts[s]) for s in consensus) + len(corpus.texts[sentence])
            if not consensus or (
                length <= CONSENSUS_LIMIT and corpus.review_of[sentence] != corpus.review_of[consensus[0]]
            ):
                consensus.append(sentence)
            if len(consensus) == CONSENSUS_SENTENCES:
                break
    quotes: list[int] = []
    for sentence in ranked:
        if sentence not in consensus and corpus.review_of[sentence] not in corpus.review_of[quotes]:
            quotes.append(sentence)
        if len(quotes) == QUOTES:
            break
    points = [s for s in ranked if s not in consensus and s not in quotes][:KEY_POINTS]
    return _Extracts(consensus, quotes, points, voices)


def _note(extracts: _Extracts, minimum: int) -> str | None:
    """Why there is no consensus."""
    if extracts.consensus:
        return None
    voices = extracts.voices
    spoken = f"{voices} spoiler-free review{'s' * (voices != 1)}" if voices else "no spoiler-free reviews"
    return f"A consensus needs {minimum} spoiler-free reviews with text; there {_are(voices)} {spoken} so far."


def _are(count: int) -> str:
    return "is" if count == 1 else "are"


def _ranked(corpus: _Corpus) -> list[int]:
    """Sentences by relevance made diverse by MMR, from those of a quotable length when there are any.

    Relevance is closeness to the centroid, times 1 + |sentiment| and 1 + THEME_WEIGHT per theme it mentions (up to
    three) among the closest: a sentence saying what the member thought of the film's parts beats one retelling the
    plot.
    """
    lengths = np.array([len(text) for text in corpus.texts], dtype=np.int64)
    usable = np.flatnonzero(corpus.relevance > 0)
    quotable = usable[(lengths[usable] >= SENTENCE_CHARS[0]) & (lengths[usable] <= SENTENCE_CHARS[1])]
    pool = quotable if len(quotable) else usable
    pool = pool[np.argsort(-corpus.relevance[pool], kind="stable")][:MMR_POOL]
    opinion = np.array([1.0 + abs(corpus.score(int(s))) for s in pool])
    themes = np.bincount(np.concatenate(corpus.themes), minlength=len(corpus.texts))[pool]
    relevance = corpus.relevance[pool] * opinion * (1.0 + THEME_WEIGHT * np.minimum(themes, 3))
    order = mmr(relevance, similarities(corpus.vectors, pool), len(pool))
    return [int(pool[i]) for i in order]


def _shown(corpus: _Corpus, sentence: int, limit: int) -> str:
    return shown(corpus.texts[sentence], spoiler=bool(corpus.spoiler[sentence]), limit=limit)


def _quote(corpus: _Corpus, sentence: int) -> Quote:
    review = corpus.reviews[int(corpus.review_of[sentence])]
    spoiler = bool(corpus.spoiler[sentence])
    return Quote(_shown(corpus, sentence, QUOTE_LIMIT), review.author_name, review.rating, spoiler)


def _themes(corpus: _Corpus, quoted: set[int]) -> tuple[ThemeReport, ...]:
    """Themes mentioned by at least THEME_SHARE of the reviews (one at least), most mentioned first. A theme's
    example is its most central spoiler-free sentence that leans the way the theme's feeling does, one not
    ``quoted`` elsewhere in the report when there is one."""
    least = max(1, round(THEME_SHARE * len(corpus.reviews)))
    found = []
    for theme, sentences in zip(THEMES, corpus.themes, strict=True):
        reviews = len(np.unique(corpus.review_of[sentences]))
        if reviews < least:
            continue
        sample = _even_sample(sentences, THEME_SAMPLE)
        leanings = np.array([_theme_score(corpus, int(s)) for s in sample])
        sentiment = float(leanings.mean())
        sign = 1 if sentiment > FEELING else -1 if sentiment < -FEELING else 0
        disagrees = np.sign(leanings) != sign if sign else np.zeros(len(sample), dtype=bool)
        repeated = np.isin(sample, list(quoted))
        best = np.lexsort((sample, -corpus.relevance[sample], repeated, disagrees, corpus.spoiler[sample]))[0]
        found.append(
            ThemeReport(
                key=theme.key,
                label=theme.label,
                reviews=reviews,
                mentions=len(sentences),
                sentiment=round(sentiment, 3),
                feeling=_FEELINGS[sign],
                example=_shown(corpus, int(sample[best]), EXAMPLE_LIMIT),
            )
        )
    found.sort(key=lambda report: (-report.reviews, -report.mentions))
    return tuple(found[:SHOWN_THEMES])


def _theme_score(corpus: _Corpus, sentence: int) -> float:
    """A sentence's sentiment about its theme: VADER's, or when VADER finds it neutral, a third of its rating's lean."""
    score = corpus.score(sentence)
    if abs(score) >= NEUTRAL:
        return score
    return (corpus.reviews[int(corpus.review_of[sentence])].rating - MIDDLE) / (MAX_RATING - MIDDLE) / 3


def _names(reviews: Sequence[Review]) -> tuple[NameMention, ...]:
    """Names written out in full (two or more capitalised words) in spoiler-free text, by how many reviews use them;
    leading sentence words ("The", "When") are dropped and the film's own title is left out."""
    counts: Counter[str] = Counter()
    cleaned: dict[tuple[str, str], str | None] = {}
    for review in reviews:
        if review.spoilers:
            continue
        found = set()
        for match in set(_NAME.findall(without_spoiler_tags(review.text))):
            key = (match, review.film_label)
            if key not in cleaned:
                cleaned[key] = _name(match, review.film_label)
            if name := cleaned[key]:
                found.add(name)
        counts.update(found)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(NameMention(name, count) for name, count in ranked[:SHOWN_NAMES])


def _name(match: str, film_label: str) -> str | None:
    """A matched run of capitalised words as a name: cut at a possessive, leading common words dropped; None when
    fewer than two words are left or they are all words of the film's title."""
    parts = _POSSESSIVE.split(match.replace("’", "'"))[0].split()
    while parts and parts[0].lower() in STOP_WORDS:
        parts.pop(0)
    if len(parts) < 2 or {part.lower() for part in parts} <= set(words(film_label)):
        return None
    return " ".join(parts)


@dataclass(frozen=True, slots=True)
class FilmCount:
    """A film in a server report."""

    film_id: int | None
    film_label: str
    reviews: int
    mean_rating: float  # half stars
    spread: float  # standard deviation of the ratings, in half stars


@dataclass(frozen=True, slots=True)
class ReviewerCount:
    """A member in a server report."""

    author_id: int
    author_name: str  # as on their newest review
    reviews: int
    mean_rating: float  # half stars


@dataclass(frozen=True, slots=True)
class ServerReport:
    """A server's month (or any period) in film."""

    since: datetime
    reviews: int
    films: int
    reviewers: int
    mean_rating: float | None  # half stars
    most_reviewed: tuple[FilmCount, ...]
    best_rated: tuple[FilmCount, ...]  # among films with at least min_reviews
    most_divisive: tuple[FilmCount, ...]  # widest spread of ratings, among films with at least min_reviews
    most_active: tuple[ReviewerCount, ...]


def summarise_server(reviews: Iterable[Review], *, since: datetime, min_reviews: int = 2, top: int = 5) -> ServerReport:
    """The reviews written since ``since`` (aware): most reviewed films, best rated and most divisive (films with at
    least ``min_reviews``), and the most active reviewers; ``top`` of each, ties broken by name."""
    recent = sorted((r for r in reviews if r.created_at >= since), key=lambda review: (review.created_at, review.id))
    by_film: defaultdict[int | str, list[Review]] = defaultdict(list)
    by_author: defaultdict[int, list[Review]] = defaultdict(list)
    for review in recent:
        by_film[review.film_id if review.film_id is not None else review.film_label].append(review)
        by_author[review.author_id].append(review)
    films = [_film_count(group) for group in by_film.values()]
    rated = [film for film in films if film.reviews >= max(min_reviews, 1)]
    divided = [film for film in rated if film.reviews >= 2 and film.spread > 0]
    reviewers = [
        ReviewerCount(group[0].author_id, group[-1].author_name, len(group), statistics.fmean(r.rating for r in group))
        for group in by_author.values()
    ]
    return ServerReport(
        since=since,
        reviews=len(recent),
        films=len(films),
        reviewers=len(reviewers),
        mean_rating=statistics.fmean(r.rating for r in recent) if recent else None,
        most_reviewed=tuple(sorted(films, key=lambda f: (-f.reviews, -f.mean_rating, f.film_label))[:top]),
        best_rated=tuple(sorted(rated, key=lambda f: (-f.mean_rating, -f.reviews, f.film_label))[:top]),
        most_divisive=tuple(sorted(divided, key=lambda f: (-f.spread, -f.reviews, f.film_label))[:top]),
        most_active=tuple(sorted(reviewers, key=lambda r: (-r.reviews, r.author_name, r.author_id))[:top]),
    )


def _film_count(reviews: Sequence[Review]) -> FilmCount:
    ratings = [review.rating for review in reviews]
    newest = reviews[-1]
    return FilmCount(
        newest.film_id, newest.film_label, len(ratings), statistics.fmean(ratings), statistics.pstdev(ratings)
    )
