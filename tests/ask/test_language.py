"""Reading questions without a database: meanings, slots, misspellings, tokens for choices, and BM25."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.ask.language import FILM, Reading, correct, readings, words
from services.ask.values import Intent, Question
from services.reviews import retrieval


def first(text: str, film: tuple[int, int] | None = None) -> Reading:
    return readings(words(text), film)[0]


@pytest.mark.parametrize(
    ("text", "intent", "slot"),
    [
        ("who did Andrew Garfield play in it?", Intent.ROLE, ("andrew garfield",)),
        ("is Sally Hawkins in it?", Intent.ROLE, ("sally hawkins",)),
        ("what has Carey Mulligan been in?", Intent.FILMOGRAPHY, ("carey mulligan",)),
        ("which films did Garfield and Mulligan make together?", Intent.TOGETHER, ("garfield", "mulligan")),
        ("what else did Rachel Portman score?", Intent.FILMOGRAPHY, ("rachel portman",)),
    ],
)
def test_people_are_read_from_their_slot(text: str, intent: Intent, slot: tuple[str, ...]) -> None:
    reading = first(text)
    assert reading.intent is intent
    assert reading.people == slot


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("who composd the scroe?", Intent.MUSIC),
        ("who dirceted it", Intent.DIRECTOR),
        ("whats the runtme", Intent.RUNTIME),
        ("is it based on a book?", Intent.SOURCE),
        ("who wrote the book", Intent.SOURCE),
        ("when did it come out", Intent.YEAR),
        ("whos in it", Intent.CAST),
        ("what did people think of the ending?", Intent.OPINION),
        ("was the score any good?", Intent.OPINION),
    ],
)
def test_what_is_asked_despite_typos_and_casual_phrasing(text: str, intent: Intent) -> None:
    assert first(text).intent is intent


def test_a_part_and_the_film_named_in_the_sentence() -> None:
    found = words("who played young Kathy in Never Let Me Go?")
    reading = readings(found, (5, 9))[0]
    assert (reading.intent, reading.character, reading.film) == (Intent.CHARACTER, "young kathy", FILM)


def test_an_opinion_keeps_its_topic_and_weather_is_not_an_opinion() -> None:
    assert first("what did people think of the ending?").topic == "ending"
    assert first("is it worth watching?").topic == ""
    assert readings(words("what's the weather like?")) == []


def test_names_and_titles_are_not_corrected_into_question_words() -> None:
    assert correct("composd") == "composed"
    assert correct("garfield") == "garfield"
    assert correct("like") == "like"


def test_mentions_are_not_words() -> None:
    assert [w.folded for w in words("<@123> who directed it? @everyone")] == ["who", "directed", "it"]


@given(
    st.sampled_from(list(Intent)),
    st.one_of(st.none(), st.integers(1, 10**9)),
    st.text(alphabet="abcdefghij klm", max_size=30).map(str.strip),
    st.booleans(),
)
def test_a_choice_token_carries_its_question(intent: Intent, film_id: int | None, words_: str, yes_no: bool) -> None:
    question = Question(
        intent,
        film_id=film_id,
        character=words_ if intent is Intent.CHARACTER else "",
        topic=words_ if intent is Intent.OPINION else "",
        people=(words_,) if intent in (Intent.ROLE, Intent.FILMOGRAPHY) and words_ else (),
        yes_no=yes_no,
    )
    token = question.token()
    assert len(token) <= 90
    assert Question.from_token(token) == question


def test_an_unreadable_token_is_refused() -> None:
    with pytest.raises(ValueError, match="token"):
        Question.from_token("nonsense")


def test_bm25_ranks_the_sentence_about_the_topic_first_one_per_review() -> None:
    reviews = [
        "Lovely film. The ending broke me, I cried at the end.",
        "The score is gorgeous. The ending is inevitable.",
        "Nothing about that here at all.",
    ]
    found = retrieval.rank(reviews, ["ending", "end", "finale"], limit=3)
    assert [p.document for p in found] == [0, 1]
    assert found[0].text == "The ending broke me, I cried at the end."
    assert retrieval.rank(reviews, ["weather"]) == []
