"""summarise_film and summarise_server: what a report says, spoiler safety, determinism."""

from __future__ import annotations

import random
import re
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.reviews.summary import FilmReport, summarise_film, summarise_server
from services.reviews.values import Review
from tests.reviews.summaries import SEED, START, labelled, labelled_review, review, texts

MARKER = "Zorblax"
SPOILER_TAGGED = re.compile(r"\|\|.*?\|\|", re.DOTALL)


def report_text(report: FilmReport) -> str:
    return "\n".join(texts(report))


def test_the_seed_review_alone_surfaces_its_points() -> None:
    report = summarise_film([review(SEED.read_text(encoding="utf-8"), rating=10)])
    text = report_text(report)
    themes = {theme.key: theme for theme in report.themes}
    names = {mention.name for mention in report.names}

    assert report.count == 1
    assert report.sentiment == "strongly positive"
    assert report.positive_share == 1.0
    assert report.consensus is None
    assert report.note == "A consensus needs 3 spoiler-free reviews with text; there is 1 spoiler-free review so far."
    assert len(report.quotes) == 1
    assert report.quotes[0].author_name == "member1"
    assert report.key_points
    # Melancholic and haunting.
    assert "melancholic" in text
    assert "haunting" in text
    assert themes["tone"].feeling == "positive"
    # Moving performances by Mulligan, Garfield and Knightley.
    assert {"Carey Mulligan", "Andrew Garfield", "Keira Knightley"} <= names
    assert themes["performances"].feeling == "positive"
    assert "great performances" in text
    # Rachel Portman's score.
    assert "Rachel Portman" in names
    assert themes["music"].feeling == "positive"
    assert "Portman’s haunting score" in text
    # The heartbreaking ending.
    assert themes["ending"].feeling == "positive"
    assert "is truly heartbreaking" in text
    # What it means to be human.
    assert themes["ideas"].feeling == "positive"
    assert re.search(r"\bhuman(ity)?\b", text)
    # Everything fits Discord's embed field (1,024 characters).
    assert all(len(value) <= 1024 for value in texts(report))


def test_no_reviews() -> None:
    report = summarise_film([])
    assert (report.count, report.mean_rating, report.sentiment, report.consensus) == (0, None, "none", None)
    assert report.distribution == (0,) * 10
    assert report.quotes == report.key_points == report.themes == report.names == ()
    assert report.note is not None


def test_ratings_distribution_and_shares() -> None:
    reviews = [review("Loved it.", 10, number=1), review("Fine.", 6, number=2), review("Awful, hated it.", 2, number=3)]
    report = summarise_film(reviews)
    assert report.mean_rating == 6.0
    assert report.mean_stars == 3.0
    assert report.distribution == (0, 1, 0, 0, 0, 1, 0, 0, 0, 1)
    assert (report.positive_share, report.negative_share) == (1 / 3, 1 / 3)  # "Fine." is neither


def test_a_middle_rating_is_decided_by_the_text() -> None:
    warm = summarise_film([review("I loved every minute, a wonderful and moving film.", 6)])
    cold = summarise_film([review("Boring and ugly, a terrible waste of time.", 5)])
    assert (warm.positive_share, warm.negative_share) == (1.0, 0.0)
    assert (cold.positive_share, cold.negative_share) == (0.0, 1.0)


def test_consensus_from_min_for_consensus_spoiler_free_reviews() -> None:
    rows = [row for row in labelled() if row["film"] == "Never Let Me Go (2010)"]
    reviews = [labelled_review(number, row) for number, row in enumerate(rows, 1)]
    report = summarise_film(reviews)
    assert report.consensus
    assert report.note is None
    assert len(report.quotes) == 3
    assert len({quote.author_name for quote in report.quotes}) == 3
    assert report.sentiment == "positive"
    assert {"performances", "music", "story"} <= {theme.key for theme in report.themes}

    few = summarise_film(reviews[:2])
    assert few.consensus is None
    assert few.note == "A consensus needs 3 spoiler-free reviews with text; there are 2 spoiler-free reviews so far."
    assert summarise_film(reviews[:2], min_for_consensus=2).consensus


def test_the_consensus_sides_with_the_majority() -> None:
    praise = [
        review(f"The acting is wonderful and the score is {word}.", 9, number=n)
        for n, word in enumerate(["gorgeous", "beautiful", "superb", "lovely"], 1)
    ]
    report = summarise_film([*praise, review("The acting is dreadful and the score is grating.", 2, number=9)])
    assert report.consensus is not None
    assert "dreadful" not in report.consensus


def test_same_reviews_in_any_order_give_the_same_report() -> None:
    reviews = [labelled_review(number, row) for number, row in enumerate(labelled(), 1)]
    shuffled = reviews[:]
    random.Random(7).shuffle(shuffled)
    assert summarise_film(reviews) == summarise_film(shuffled) == summarise_film(reviews)


def test_a_members_own_spoiler_tags_are_kept_in_a_review_not_flagged() -> None:
    text = f"Great film, wonderful cast. ||Then {MARKER} dies. And {MARKER} Smith returns.|| The score is lovely too."
    report = summarise_film([review(text, 9, number=n) for n in range(1, 4)])
    for value in texts(report):
        assert MARKER not in SPOILER_TAGGED.sub("", value)


_WORDS = (
    "the film score music acting ending pacing slow story plot beautiful awful great boring moving cast "
    "camera twist dies Kathy Tommy loved hated superb human haunting dialogue funny"
)
WORDS = _WORDS.split()
PIECES = st.sampled_from([*WORDS, MARKER, f"{MARKER} Quux", "|", "||", ".", "!", "?", "\n", "Mr.", "J."])


@st.composite
def reviews_with_spoilers(draw: st.DrawFn) -> list[Review]:
    """Reviews whose spoiler-flagged texts carry MARKER (also as a name and next to pipes); others never do."""
    made = []
    for number in range(1, draw(st.integers(1, 7)) + 1):
        spoilers = draw(st.booleans())
        pieces = draw(st.lists(PIECES if spoilers else st.sampled_from([*WORDS, ".", "\n"]), min_size=0, max_size=60))
        if spoilers:
            pieces.insert(draw(st.integers(0, len(pieces))), MARKER)
        text = " ".join(pieces)
        made.append(review(text, draw(st.integers(1, 10)), number=number, spoilers=spoilers))
    return made


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reviews=reviews_with_spoilers(), minimum=st.integers(1, 4))
def test_spoiler_text_never_appears_outside_spoiler_tags(reviews: list[Review], minimum: int) -> None:
    report = summarise_film(reviews, min_for_consensus=minimum)
    for value in texts(report):
        assert value.count("||") % 2 == 0, value
        assert MARKER.lower() not in SPOILER_TAGGED.sub("", value).lower(), value
    assert all(quote.spoiler == quote.text.startswith("||") for quote in report.quotes)
    if report.consensus:
        assert "||" not in report.consensus


def test_server_month() -> None:
    since = START
    old = review("Old.", 10, number=50, film="Old Film (1990)", film_id=9, at=since - timedelta(days=1))
    reviews = [
        old,
        review("a", 10, number=1, author="ann", author_id=1, film="Arrival (2016)", film_id=2),
        review("b", 8, number=2, author="bob", author_id=2, film="Arrival (2016)", film_id=2),
        review("c", 10, number=3, author="ann", author_id=1, film="Tenet (2020)", film_id=3),
        review("d", 2, number=4, author="cat", author_id=3, film="Tenet (2020)", film_id=3),
        review("e", 6, number=5, author="ann", author_id=1, film="Tenet (2020)", film_id=3),
        review("f", 9, number=6, author="bob", author_id=2, film="Cats (2019)", film_id=4),
    ]
    report = summarise_server(reviews, since=since)
    assert (report.reviews, report.films, report.reviewers) == (6, 3, 3)
    assert [film.film_label for film in report.most_reviewed] == ["Tenet (2020)", "Arrival (2016)", "Cats (2019)"]
    assert [film.film_label for film in report.best_rated] == ["Arrival (2016)", "Tenet (2020)"]  # Cats: 1 review
    assert [film.film_label for film in report.most_divisive] == ["Tenet (2020)", "Arrival (2016)"]
    assert report.most_divisive[0].spread == pytest.approx(3.266, abs=1e-3)
    assert [(r.author_name, r.reviews) for r in report.most_active] == [("ann", 3), ("bob", 2), ("cat", 1)]
    assert report.most_reviewed[0].mean_rating == 6.0
    assert summarise_server(reviews, since=since, min_reviews=1).best_rated[0].film_label == "Arrival (2016)"
    empty = summarise_server([old], since=since)
    assert (empty.reviews, empty.mean_rating, empty.most_reviewed) == (0, None, ())


def test_credits_turn_a_capitalised_surname_into_its_theme() -> None:
    people = {"Tom Hardy": "performances", "Bradford Young": "visuals"}
    named = summarise_film([review("Hardy mumbles through it. The young crowd shouts.", 6)], credits=people)
    assert [theme.key for theme in named.themes] == ["performances"]
    assert summarise_film([review("Hardy mumbles through it.", 6)]).themes == ()
    with pytest.raises(ValueError, match="unknown themes"):
        summarise_film([], credits={"Someone": "catering"})
