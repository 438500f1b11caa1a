"""Sparse TF-IDF vectors, centroid relevance and MMR."""

from __future__ import annotations

import numpy as np

from services.reviews.centroid import centroid_relevance, mmr, similarities, vectorise


def test_vectors_are_unit_length_and_similar_sentences_are_close() -> None:
    # Sentences over terms 0..3: [0 1], [0 1], [2 3], [] (no terms).
    terms = np.array([0, 1, 0, 1, 2, 3])
    sentences = np.array([0, 0, 1, 1, 2, 2])
    vectors = vectorise(terms, sentences, size=4, vocabulary=4)
    norms = np.bincount(vectors.rows, weights=vectors.weights**2, minlength=4)
    assert np.allclose(norms, [1, 1, 1, 0])
    pairwise = similarities(vectors, np.array([0, 1, 2]))
    assert np.allclose(np.diag(pairwise), 1)
    assert np.isclose(pairwise[0, 1], 1)
    assert pairwise[0, 2] == 0
    relevance = centroid_relevance(vectors, np.ones(4))
    assert np.isclose(relevance[0], relevance[1])
    assert relevance[1] > relevance[2] > relevance[3] == 0


def test_mmr_trades_relevance_for_diversity() -> None:
    relevance = np.array([1.0, 0.99, 0.6])
    similarity = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # 0 and 1 say the same
    assert mmr(relevance, similarity, 2) == [0, 2]
    assert mmr(relevance, similarity, 2, trade_off=1.0) == [0, 1]
    assert mmr(relevance, similarity, 5) == [0, 2, 1]
    assert mmr(np.array([0.5, 0.5]), np.eye(2), 2) == [0, 1]  # ties go to the earlier
