"""The question set (tests/ask/question_set.py) against the starter catalogue and seeded reviews, on every back
end: at least 95% right, and never an answer about the wrong film."""

from __future__ import annotations

from db import Database
from services.films.catalogue import FilmCatalogue
from services.reviews.service import ReviewService
from tests.ask.question_set import conversations, run
from tests.clock import FakeClock

REQUIRED_ACCURACY = 0.95


def test_the_set_is_large_and_varied() -> None:
    turns = [turn for conversation in conversations() for turn in conversation.turns]
    films = {turn.film for turn in turns if turn.film}
    assert len(turns) >= 200
    assert len(films) >= 20
    assert len({turn.ask for turn in turns}) >= 200  # distinct questions (follow-ups like "how long is it?" recur)
    assert sum(turn.declined for turn in turns) >= 5
    assert sum(len(c.turns) > 1 for c in conversations()) >= 20  # follow-ups


async def test_accuracy_and_no_wrong_film(db: Database, catalogue: FilmCatalogue) -> None:
    clock = FakeClock()
    score = await run(db, catalogue, ReviewService(db, clock=clock, films=catalogue), clock)
    assert score.wrong_film == []
    assert score.accuracy >= REQUIRED_ACCURACY, "\n".join(score.misses)
