"""The review service on every back end: ratings, history, permissions, server isolation, drafts, standings."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db import Database
from db.reviews import repository as repo
from services.errors import InvalidInput, NotFound
from services.films.catalogue import FilmCatalogue
from services.films.values import FilmSummary
from services.reviews import retrieval
from services.reviews import service as service_module
from services.reviews.service import Content, ReviewService
from services.reviews.values import half_stars, stars
from tests.clock import FakeClock
from tests.reviews.summaries import SEED as SEED_FILE

SEED = SEED_FILE.read_text("utf-8")
GUILD, OTHER_GUILD = 1, 2
ALICE, BOB = 11, 12


@pytest.fixture
async def film(catalogue: FilmCatalogue) -> FilmSummary:
    return await catalogue.find("Never Let Me Go")


@pytest.mark.parametrize(("given_stars", "half"), [(0.5, 1), (3.5, 7), (5, 10), (4.0, 8)])
def test_ratings_are_half_stars(given_stars: float, half: int) -> None:
    assert half_stars(given_stars) == half


@pytest.mark.parametrize("bad", [0, 0.25, 3.3, 5.5, -1, 10])
def test_other_ratings_are_refused_with_what_is_allowed(bad: float) -> None:
    with pytest.raises(InvalidInput, match="half stars"):
        half_stars(bad)


@given(st.integers(1, 10))
def test_stars_draw_every_rating(rating: int) -> None:
    drawn = stars(rating)
    assert drawn.count("★") == rating // 2
    assert drawn.endswith("½") == bool(rating % 2)


async def test_the_seed_review_is_stored_whole(reviews: ReviewService, film: FilmSummary) -> None:
    written = await reviews.write(GUILD, ALICE, "Alice", film, Content(10, SEED, liked=True))
    assert written.created
    assert written.review.text == SEED.strip()
    assert written.review.film_label == "Never Let Me Go (2010)"
    assert written.review.stars == "★★★★★"


async def test_writing_again_keeps_the_earlier_version_in_the_diary(
    db: Database, reviews: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    first = await reviews.write(GUILD, ALICE, "Alice", film, Content(6, "Fine."))
    clock.advance(days=30)
    again = await reviews.write(GUILD, ALICE, "Alice", film, Content(9, "Better the second time.", rewatch=True))
    assert again.review.id == first.review.id
    assert (again.created, again.changed) == (False, True)
    assert again.review.updated_at > first.review.updated_at
    async with db.transaction() as session:
        [entry] = await repo.entries(session, GUILD, ALICE, film.id)
    assert (entry.rating, entry.text, entry.reason) == (6, "Fine.", "rewritten")


async def test_the_same_content_twice_changes_nothing(reviews: ReviewService, film: FilmSummary) -> None:
    await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "Twice."))
    second = await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "Twice."))
    assert not second.changed


@pytest.mark.parametrize("text", ["", "   \n  ", "x" * 4001])
async def test_bad_text_is_refused_and_kept_as_a_draft(reviews: ReviewService, film: FilmSummary, text: str) -> None:
    with pytest.raises(InvalidInput):
        await reviews.write(GUILD, ALICE, "Alice", film, Content(8, text))
    assert await reviews.draft(GUILD, ALICE, film.id) == (text if text.strip() else None)
    assert await reviews.mine(GUILD, ALICE, film.id) is None


async def test_editing_a_deleted_review_keeps_the_text(reviews: ReviewService, film: FilmSummary) -> None:
    written = await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "First."))
    await reviews.delete(GUILD, ALICE, film, by=ALICE, moderator=False)
    with pytest.raises(NotFound, match="deleted meanwhile"):
        await reviews.edit(GUILD, written.review.id, ALICE, film.id, Content(8, "Second thoughts."))
    assert await reviews.draft(GUILD, ALICE, film.id) == "Second thoughts."
    await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "Second thoughts."))
    assert await reviews.draft(GUILD, ALICE, film.id) is None  # posted: the draft is gone


async def test_only_the_author_edits(reviews: ReviewService, film: FilmSummary) -> None:
    written = await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "Mine."))
    with pytest.raises(NotFound):
        await reviews.edit(GUILD, written.review.id, BOB, film.id, Content(2, "Vandalised."))
    assert (await reviews.get(GUILD, written.review.id)).text == "Mine."


async def test_members_delete_their_own_and_moderators_anyones(
    db: Database, reviews: ReviewService, film: FilmSummary
) -> None:
    await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "Mine."))
    with pytest.raises(InvalidInput, match="only your own"):
        await reviews.delete(GUILD, ALICE, film, by=BOB, moderator=False)
    removed = await reviews.delete(GUILD, ALICE, film, by=BOB, moderator=True)
    assert removed.text == "Mine."
    async with db.transaction() as session:
        [entry] = await repo.entries(session, GUILD, ALICE, film.id)
    assert (entry.reason, entry.removed_by) == ("removed", BOB)
    with pytest.raises(NotFound):
        await reviews.delete(GUILD, ALICE, film, by=ALICE, moderator=False)


async def test_nothing_crosses_servers(reviews: ReviewService, film: FilmSummary) -> None:
    written = await reviews.write(GUILD, ALICE, "Alice", film, Content(8, "Here."))
    assert await reviews.mine(OTHER_GUILD, ALICE, film.id) is None
    with pytest.raises(NotFound):
        await reviews.get(OTHER_GUILD, written.review.id)
    assert (await reviews.for_film(OTHER_GUILD, film.id, 0)).total == 0
    assert (await reviews.recent(OTHER_GUILD, 0)).total == 0
    assert await reviews.film_stats(OTHER_GUILD, film.id) is None
    assert await reviews.top(OTHER_GUILD, 1) == []
    await reviews.write(OTHER_GUILD, ALICE, "Alice", film, Content(2, "There."))
    assert await reviews.forget(OTHER_GUILD, ALICE) == 1
    assert (await reviews.get(GUILD, written.review.id)).text == "Here."


async def test_pages_standings_and_stats(reviews: ReviewService, catalogue: FilmCatalogue, film: FilmSummary) -> None:
    solaris = await catalogue.find("Solaris (1972)")
    for member, rating in enumerate((10, 9, 2, 1, 10, 8), start=100):
        await reviews.write(GUILD, member, f"M{member}", film, Content(rating, "Words."))
    for member in (100, 101):
        await reviews.write(GUILD, member, f"M{member}", solaris, Content(6, "Slow."))
    first = await reviews.for_film(GUILD, film.id, 0)
    assert (first.total, first.pages, len(first.reviews)) == (6, 2, 5)
    assert len((await reviews.for_film(GUILD, film.id, 1)).reviews) == 1
    stats = await reviews.film_stats(GUILD, film.id)
    assert stats is not None
    assert (stats.count, stats.mean) == (6, 40 / 6)
    top = await reviews.top(GUILD, min_reviews=2)
    assert [s.film_label for s in top] == ["Never Let Me Go (2010)", "Solaris (1972)"]
    divisive = await reviews.divisive(GUILD, min_reviews=2)
    assert [s.film_label for s in divisive] == ["Never Let Me Go (2010)"]  # Solaris: everyone agrees
    assert await reviews.top(GUILD, min_reviews=7) == []
    with pytest.raises(InvalidInput):
        await reviews.top(GUILD, min_reviews=0)


def test_the_tests_seed_is_the_shared_seed() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "never-let-me-go-review.txt"
    if not shared.exists():
        pytest.skip("no shared/ beside this checkout")
    assert SEED_FILE.read_bytes() == shared.read_bytes()


async def test_opinions_follow_every_change_of_the_reviews(
    db: Database, reviews: ReviewService, film: FilmSummary, clock: FakeClock
) -> None:
    """The indexed reviews are kept between questions, and a write, an edit or a deletion (here or by another
    process sharing the database) is in the next answer."""
    await reviews.write(1, 11, "Alice", film, Content(8, "The score is lovely."))
    assert [e.text for e in (await reviews.opinions(1, film.id, ["score"])).excerpts] == ["The score is lovely."]
    clock.advance(minutes=1)
    await reviews.write(1, 11, "Alice", film, Content(4, "On reflection the score is cloying."))
    found = await reviews.opinions(1, film.id, ["score"])
    assert [(e.text, e.rating) for e in found.excerpts] == [("On reflection the score is cloying.", 4)]
    other_process = ReviewService(db, clock=clock, films=reviews.films)
    clock.advance(minutes=1)
    await other_process.write(1, 12, "Bob", film, Content(10, "A score to cry to."))
    found = await reviews.opinions(1, film.id, ["score"])
    assert {e.author_name for e in found.excerpts} == {"Alice", "Bob"}
    assert (found.count, found.mean) == (2, 7.0)
    await other_process.delete(1, 11, film, by=11, moderator=False)
    assert [e.author_name for e in (await reviews.opinions(1, film.id, ["score"])).excerpts] == ["Bob"]
    assert (await reviews.opinions(2, film.id, ["score"])).excerpts == ()


async def test_members_asking_at_once_share_one_summarising_and_one_index(
    reviews: ReviewService, film: FilmSummary, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten members asking for a film's summary, or about its reviews, right after a review changed start one
    summarising and one indexing between them, not ten."""
    for author, text in enumerate(["The score is lovely.", "Too slow.", "The ending broke me."], start=11):
        await reviews.write(1, author, f"Member {author}", film, Content(8, text))
    calls: Counter[str] = Counter()
    summarise, build = service_module.summarise_film, retrieval.SentenceIndex.build

    def counted_summarise(*args: Any, **kwargs: Any) -> Any:
        calls["summary"] += 1
        return summarise(*args, **kwargs)

    def counted_build(documents: Sequence[str]) -> retrieval.SentenceIndex:
        calls["index"] += 1
        return build(documents)

    monkeypatch.setattr(service_module, "summarise_film", counted_summarise)
    monkeypatch.setattr(retrieval.SentenceIndex, "build", counted_build)
    reports = await asyncio.gather(*(reviews.summary(1, film) for _ in range(10)))
    found = await asyncio.gather(*(reviews.opinions(1, film.id, ["score"]) for _ in range(10)))
    assert calls == {"summary": 1, "index": 1}
    assert all(report == reports[0] for report in reports)
    assert reports[0].count == 3
    assert {opinions.excerpts[0].text for opinions in found} == {"The score is lovely."}
