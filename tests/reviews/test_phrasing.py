"""A film's consensus worded by the optional language model, on every back end, against a local stub: used when it
is grounded in the summary's figures and spoiler-free excerpts and cites them; the built-in consensus otherwise
(failure, time-out, no citation, a name in no line). Spoiler text is never sent; the model is asked once per change
of the film's reviews."""

from __future__ import annotations

import pytest

from db import Database
from services.films.catalogue import FilmCatalogue
from services.films.values import FilmSummary
from services.language_model import LanguageModel
from services.reviews.service import Content, ReviewService
from tests.clock import FakeClock
from tests.model_stub import ModelStub

GUILD = 1
REVIEWS = [  # (author, half stars, text, flagged as spoilers)
    ("Alice", 10, "Carey Mulligan is heartbreaking as Kathy, and the score is gorgeous and restrained.", False),
    ("Bob", 8, "A quiet, sad film about memory; the performances carry it beautifully.", False),
    ("Carol", 9, "Beautifully shot and deeply moving, though the middle drags a little.", False),
    ("Dave", 4, "ZEBRA: they learn there are no deferrals at all, and the ending is cruel.", True),
    ("Erin", 8, "A lovely, aching film; superb acting.\n||Ruth dies after the QUAGGA donation.||", False),
]
SPOILER_WORDS = ("ZEBRA", "QUAGGA", "deferrals", "Ruth dies")


@pytest.fixture
async def film(catalogue: FilmCatalogue) -> FilmSummary:
    return await catalogue.find("Never Let Me Go")


@pytest.fixture
async def worded(db: Database, clock: FakeClock, catalogue: FilmCatalogue, model: LanguageModel) -> ReviewService:
    return ReviewService(db, clock=clock, films=catalogue, model=model)


async def review_all(reviews: ReviewService, film: FilmSummary, clock: FakeClock) -> None:
    for number, (author, rating, text, spoilers) in enumerate(REVIEWS, start=1):
        clock.advance(minutes=1)
        await reviews.write(GUILD, number, author, film, Content(rating, text, spoilers=spoilers))


async def test_a_grounded_cited_consensus_is_used(
    stub: ModelStub, worded: ReviewService, reviews: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    await review_all(worded, film, clock)
    report = await worded.summary(GUILD, film)
    figures = "5 reviews here, 3.9 of 5 stars on average, 80% positive, 20% negative."
    assert report.context_lines()[0] == figures
    assert report.phrased == f"In short: {figures} [1]"
    built_in = await reviews.summary(GUILD, film)  # the same reviews, no model
    assert report.consensus == built_in.consensus
    assert report.excerpts == built_in.excerpts
    [request] = stub.requests
    system, prompt = request["messages"][0]["content"], request["messages"][-1]["content"]
    assert "Using only the numbered lines" in system
    assert prompt.endswith("Film: Never Let Me Go (2010)")
    assert "Alice (5/5) wrote: Carey Mulligan is heartbreaking as Kathy" in prompt
    assert all(q.author_name in prompt for q in report.excerpts)


async def test_the_model_may_name_the_authors_and_people_of_its_lines(
    stub: ModelStub, worded: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    await review_all(worded, film, clock)
    stub.mode = "fixed"
    stub.text = "Members loved it (80% positive) [1]; Alice singled out Carey Mulligan [2]."
    report = await worded.summary(GUILD, film)
    assert report.phrased == stub.text


async def test_spoiler_text_is_never_sent(
    stub: ModelStub, worded: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    await review_all(worded, film, clock)
    report = await worded.summary(GUILD, film)
    sent = str(stub.requests)
    assert report.phrased
    for word in SPOILER_WORDS:
        assert word not in sent
        assert word not in report.phrased
    assert not any(q.spoiler for q in report.excerpts)
    assert "Dave" not in sent  # his whole review is flagged: none of it is an excerpt


@pytest.mark.parametrize("mode", ["fail", "slow", "invent", "uncited"])
async def test_otherwise_the_built_in_consensus_stands(
    stub: ModelStub, worded: ReviewService, reviews: ReviewService, film: FilmSummary, clock: FakeClock, mode: str
) -> None:
    await review_all(worded, film, clock)
    stub.mode = mode
    report = await worded.summary(GUILD, film)
    assert report == await reviews.summary(GUILD, film)
    assert report.consensus
    assert not report.phrased


async def test_the_model_is_asked_once_per_change_of_the_reviews(
    stub: ModelStub, worded: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    await review_all(worded, film, clock)
    first = await worded.summary(GUILD, film)
    assert await worded.summary(GUILD, film) == first
    assert len(stub.requests) == 1
    await worded.write(GUILD, 6, "Fay", film, Content(2, "Too slow and far too glum for me, sadly.", spoilers=False))
    changed = await worded.summary(GUILD, film)
    assert len(stub.requests) == 2
    assert changed.phrased.startswith("In short: 6 reviews here")


async def test_a_failure_is_kept_too_so_a_model_that_is_down_does_not_slow_each_summary(
    stub: ModelStub, worded: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    await review_all(worded, film, clock)
    stub.mode = "fail"
    await worded.summary(GUILD, film)
    await worded.summary(GUILD, film)
    assert len(stub.requests) == 1


async def test_without_a_consensus_nothing_is_sent(
    stub: ModelStub, worded: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    for number, (author, rating, text, spoilers) in enumerate(REVIEWS[:2], start=1):
        await worded.write(GUILD, number, author, film, Content(rating, text, spoilers=spoilers))
    report = await worded.summary(GUILD, film)
    assert report.consensus is None
    assert not report.phrased
    assert stub.requests == []
