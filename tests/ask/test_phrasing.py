"""The optional language model, against a local stub: used when it answers from the facts and cites them; the
built-in answer otherwise (failure, time-out, no citation, a name that is in no fact). Off, nothing is sent."""

from __future__ import annotations

import pytest

from services.ask.phrasing import phrase
from services.ask.values import Answer, Quote
from services.films.values import FilmSummary
from services.language_model import LanguageModel
from tests.model_stub import ModelStub

FILM = FilmSummary(1, "Never Let Me Go", 2010, "starter catalogue")
BUILT_IN = Answer(
    "The score of Never Let Me Go (2010) is by **Rachel Portman**.",
    film=FILM,
    sources=("starter catalogue",),
    quotes=(Quote("Bob", "Her score is gorgeous.", 6, False), Quote("Carol", "Tommy screams.", 8, True)),
)


async def test_a_grounded_cited_answer_is_used(stub: ModelStub, model: LanguageModel) -> None:
    phrased = await phrase(model, "who did the music?", BUILT_IN)
    assert phrased.phrased == "In short: The score of Never Let Me Go (2010) is by Rachel Portman. [1]"
    assert phrased.text == BUILT_IN.text  # the facts it cites stay
    [request] = stub.requests
    prompt = request["messages"][-1]["content"]
    assert "[2] Bob (3/5) wrote: Her score is gorgeous." in prompt
    assert "Tommy screams" not in prompt  # spoilers never reach the model
    assert "only from the numbered lines" in request["messages"][0]["content"]
    assert prompt.endswith("Question: who did the music?")


@pytest.mark.parametrize("mode", ["fail", "slow", "invent", "uncited"])
async def test_otherwise_the_built_in_answer_stands(stub: ModelStub, model: LanguageModel, mode: str) -> None:
    stub.mode = mode
    assert await phrase(model, "who did the music?", BUILT_IN) == BUILT_IN


async def test_choices_and_declines_are_not_sent(stub: ModelStub, model: LanguageModel) -> None:
    declined = Answer("I answer questions about films.", understood=False)
    assert await phrase(model, "what's the weather?", declined) == declined
    assert stub.requests == []
