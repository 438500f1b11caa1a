"""The shared language model client's grounding check: a reply counts only if it cites the numbered lines and
names no person or film, and states no number, that the lines and the request do not."""

from __future__ import annotations

from services.language_model import citations, grounded

LINES = ["The score is by Rachel Portman.", "Bob (3/5) wrote: gorgeous.", "4 reviews here, 67% positive."]


def test_cited_names_from_the_lines_or_the_request_are_grounded() -> None:
    assert grounded("Rachel Portman wrote it [1]; Bob loved it [2].", LINES, "Question: who scored it?")
    assert grounded("Never Let Me Go was scored by Rachel Portman [1].", LINES, "Film: Never Let Me Go (2010)")


def test_a_name_absent_from_the_lines_or_a_bad_citation_is_not() -> None:
    assert not grounded("Hans Zimmer wrote it [1].", LINES, "q")
    assert not grounded("Rachel Portman wrote it [4].", LINES, "q")
    assert not grounded("Rachel Portman wrote it.", LINES, "q")


def test_numbers_must_come_from_the_lines() -> None:
    assert grounded("Of 4 reviews, 67% are positive [3]; Bob gave it 3/5 [2].", LINES, "q")
    assert grounded("Released in 2010, scored by Rachel Portman [1].", LINES, "Film: Never Let Me Go (2010)")
    assert not grounded("Of 9 reviews, 67% are positive [3].", LINES, "q")
    assert not grounded("Of 4 reviews, 6% are positive [3].", LINES, "q")


def test_citations_are_the_bracketed_numbers() -> None:
    assert citations("Loved [1], [3]; hated [12].") == {1, 3, 12}
    assert citations("no sources") == set()
