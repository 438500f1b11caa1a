"""The summaries against hand-labelled reviews (labelled_reviews.toml): theme recall and sentiment agreement.

Run with -s to see the figures. The set and the theme lexicon were written by the same hand, so these figures are
an upper bound for real reviews, not a benchmark.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from typing import Any

import pytest

from services.reviews.sentiment import polarity
from services.reviews.summary import FilmReport, summarise_film
from services.reviews.text import sentence_spans
from tests.reviews.summaries import credits, labelled, labelled_review

FEELINGS = {"+": "positive", "-": "negative", "~": "mixed"}
Row = dict[str, Any]


@pytest.fixture(scope="module")
def rows() -> list[tuple[Row, FilmReport]]:
    people = credits()
    return [
        (row, summarise_film([labelled_review(n, row)], credits=people[row["film"]]))
        for n, row in enumerate(labelled(), 1)
    ]


def share(pairs: list[tuple[Row, FilmReport]], hit: Callable[[Row, FilmReport], bool]) -> float:
    return sum(hit(row, report) for row, report in pairs) / len(pairs)


def test_the_set_is_large_and_varied(rows: list[tuple[Row, FilmReport]]) -> None:
    assert len(rows) >= 60
    assert len({row["film"] for row, _ in rows}) >= 8
    assert sum(row["spoilers"] for row, _ in rows) >= 5
    assert max(len(row["text"]) for row, _ in rows) > 1000
    assert {row["sentiment"] for row, _ in rows} == {"positive", "mixed", "negative"}


def recall_and_precision(rows: list[tuple[Row, FilmReport]]) -> tuple[float, float]:
    pairs = [(set(row["themes"]), {theme.key for theme in report.themes}) for row, report in rows]
    found = sum(len(wanted & got) for wanted, got in pairs)
    return found / sum(len(wanted) for wanted, _ in pairs), found / sum(len(got) for _, got in pairs)


def test_theme_recall(rows: list[tuple[Row, FilmReport]]) -> None:
    """With the film's credits, as the service passes them; without, naming an actor is no mention of acting."""
    recall, precision = recall_and_precision(rows)
    bare = [(row, summarise_film([labelled_review(n, row)])) for n, (row, _) in enumerate(rows, 1)]
    bare_recall, bare_precision = recall_and_precision(bare)
    print(
        f"\ntheme recall {recall:.3f}, precision {precision:.3f} over {len(rows)} reviews "
        f"(without credits: recall {bare_recall:.3f}, precision {bare_precision:.3f})"
    )
    assert recall >= 0.8
    assert bare_recall >= 0.7


def test_review_sentiment_agrees_with_the_members(rows: list[tuple[Row, FilmReport]]) -> None:
    def label(report: FilmReport) -> str:
        return "positive" if report.positive_share else "negative" if report.negative_share else "mixed"

    agreement = share(rows, lambda row, report: label(report) == row["sentiment"])
    middle = [(row, report) for row, report in rows if 5 <= row["rating"] <= 6]
    middle_agreement = share(middle, lambda row, report: label(report) == row["sentiment"])
    print(f"\nreview sentiment agreement {agreement:.3f} ({middle_agreement:.3f} on {len(middle)} middle ratings)")
    assert agreement >= 0.85


def test_text_sentiment_alone_agrees_with_the_ratings(rows: list[tuple[Row, FilmReport]]) -> None:
    """VADER on the text, without the rating, against the side the rating puts a review on (middle ratings left
    out): the weaker signal the reports lean on only for middle ratings."""

    def text_positive(row: Row) -> bool:
        text = row["text"]
        return statistics.fmean(polarity(text[a:b]) for a, b in sentence_spans(text)) >= 0.05

    sided = [(row, report) for row, report in rows if not 5 <= row["rating"] <= 6]
    agreement = share(sided, lambda row, _: text_positive(row) == (row["rating"] >= 7))
    print(f"\ntext-only sentiment agreement with the ratings {agreement:.3f} over {len(sided)} reviews")
    assert agreement >= 0.7


def test_theme_feelings_agree_with_the_labels(rows: list[tuple[Row, FilmReport]]) -> None:
    judged = [
        (FEELINGS[wanted], theme.feeling)
        for row, report in rows
        for theme in report.themes
        if (wanted := row["themes"].get(theme.key)) in ("+", "-")
    ]
    agreement = sum(wanted == got for wanted, got in judged) / len(judged)
    print(f"\ntheme feeling agreement {agreement:.3f} over {len(judged)} labelled +/- themes found")
    assert agreement >= 0.7
