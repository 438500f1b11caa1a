"""The optional language model, against a local stub: used when it answers from the facts and cites them; the
built-in answer otherwise (failure, time-out, no citation, a name that is in no fact). Off, nothing is sent."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.ask.phrasing import ModelPhrasing, grounded
from services.ask.values import Answer, Quote
from services.films.values import FilmSummary
from tests.model_stub import ModelStub, model_stub

FILM = FilmSummary(1, "Never Let Me Go", 2010, "starter catalogue")
BUILT_IN = Answer(
    "The score of Never Let Me Go (2010) is by **Rachel Portman**.",
    film=FILM,
    sources=("starter catalogue",),
    quotes=(Quote("Bob", "Her score is gorgeous.", 6, False), Quote("Carol", "Tommy screams.", 8, True)),
)


@pytest.fixture
async def stub() -> AsyncIterator[ModelStub]:
    async with model_stub() as server:
        yield server


@pytest.fixture
async def phrasing(stub: ModelStub) -> AsyncIterator[ModelPhrasing]:
    model = ModelPhrasing(stub.url, "stub", api_key="k", timeout_seconds=0.5)
    yield model
    await model.close()


async def test_a_grounded_cited_answer_is_used(stub: ModelStub, phrasing: ModelPhrasing) -> None:
    phrased = await phrasing.phrase("who did the music?", BUILT_IN)
    assert phrased.phrased == "In short: The score of Never Let Me Go (2010) is by Rachel Portman. [1]"
    assert phrased.text == BUILT_IN.text  # the facts it cites stay
    [request] = stub.requests
    prompt = request["messages"][-1]["content"]
    assert "[2] Bob (3/5) wrote: Her score is gorgeous." in prompt
    assert "Tommy screams" not in prompt  # spoilers never reach the model
    assert "only from the numbered lines" in request["messages"][0]["content"]


@pytest.mark.parametrize("mode", ["fail", "slow", "invent", "uncited"])
async def test_otherwise_the_built_in_answer_stands(stub: ModelStub, phrasing: ModelPhrasing, mode: str) -> None:
    stub.mode = mode
    assert await phrasing.phrase("who did the music?", BUILT_IN) == BUILT_IN


async def test_choices_and_declines_are_not_sent(stub: ModelStub, phrasing: ModelPhrasing) -> None:
    declined = Answer("I answer questions about films.", understood=False)
    assert await phrasing.phrase("what's the weather?", declined) == declined
    assert stub.requests == []


def test_grounding_checks_names_and_citations() -> None:
    lines = ["The score is by Rachel Portman.", "Bob wrote: gorgeous."]
    assert grounded("Rachel Portman wrote it [1]; Bob loved it [2].", lines, "who scored Never Let Me Go?")
    assert grounded("Never Let Me Go was scored by Rachel Portman [1].", lines, "who scored Never Let Me Go?")
    assert not grounded("Hans Zimmer wrote it [1].", lines, "q")
    assert not grounded("Rachel Portman wrote it [3].", lines, "q")
    assert not grounded("Rachel Portman wrote it.", lines, "q")
