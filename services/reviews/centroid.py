"""Centroid extractive summarising in numpy: sparse TF-IDF sentence vectors, relevance to the centroid, MMR.

Vectors are kept as (sentence, term, weight) triples, so the cost grows with the number of words, not with
sentences × vocabulary; only the few candidates MMR compares become a dense matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Indices = NDArray[np.int64]
Floats = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class SentenceVectors:
    """L2-normalised TF-IDF vectors of ``size`` sentences over ``vocabulary`` terms, as sparse triples."""

    rows: Indices
    terms: Indices
    weights: Floats
    size: int
    vocabulary: int


def vectorise(terms: Indices, sentences: Indices, size: int, vocabulary: int) -> SentenceVectors:
    """Vectors from parallel arrays: the ``terms`` of a text and the sentence each occurrence is in.

    Each sentence is a document: sublinear term frequency times smoothed inverse sentence frequency.
    """
    keys, counts = np.unique(sentences * vocabulary + terms, return_counts=True)
    rows, columns = np.divmod(keys, vocabulary)
    frequency = np.bincount(columns, minlength=vocabulary)
    idf = np.log((1.0 + size) / (1.0 + frequency)) + 1.0
    weights = (1.0 + np.log(counts)) * idf[columns]
    norms = np.sqrt(np.bincount(rows, weights=weights * weights, minlength=size))
    return SentenceVectors(rows, columns, weights / norms[rows], size, vocabulary)


def centroid_relevance(vectors: SentenceVectors, sentence_weights: Floats) -> Floats:
    """Each sentence's cosine similarity to the centroid (the ``sentence_weights``-weighted sum of all vectors)."""
    centroid = np.bincount(
        vectors.terms, weights=vectors.weights * sentence_weights[vectors.rows], minlength=vectors.vocabulary
    )
    norm = float(np.linalg.norm(centroid))
    if norm == 0.0:
        return np.zeros(vectors.size)
    return np.bincount(vectors.rows, weights=vectors.weights * centroid[vectors.terms], minlength=vectors.size) / norm


def similarities(vectors: SentenceVectors, chosen: Indices) -> Floats:
    """Cosine similarities between the ``chosen`` sentences (a dense square matrix in their order)."""
    position = np.full(vectors.size, -1, dtype=np.int64)
    position[chosen] = np.arange(len(chosen))
    inside = position[vectors.rows] >= 0
    columns, local = np.unique(vectors.terms[inside], return_inverse=True)
    dense = np.zeros((len(chosen), len(columns)))
    dense[position[vectors.rows[inside]], local] = vectors.weights[inside]
    result: Floats = dense @ dense.T
    return result


def mmr(relevance: Floats, similarity: Floats, count: int, trade_off: float = 0.7) -> list[int]:
    """Maximal marginal relevance: up to ``count`` positions, each the most relevant less its closeness to those
    already picked (``trade_off`` weighs relevance against diversity); ties go to the earlier position."""
    picked: list[int] = []
    closest = np.zeros(len(relevance))
    available = np.ones(len(relevance), dtype=bool)
    for _ in range(min(count, len(relevance))):
        score = np.where(available, trade_off * relevance - (1.0 - trade_off) * closest, -np.inf)
        best = int(np.argmax(score))
        picked.append(best)
        available[best] = False
        closest = np.maximum(closest, similarity[best])
    return picked
