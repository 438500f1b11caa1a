"""/ask with a language model configured, end to end against a local stub endpoint: the model's cited wording is
shown with the facts it cites; when it fails or names someone absent from the facts, the bot's own answer."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from standin.server import StandIn
from tests.e2e.conftest import running_bot
from tests.model_stub import ModelStub, model_stub


@pytest.fixture(scope="module")
async def stub() -> AsyncIterator[ModelStub]:
    async with model_stub() as server:
        yield server


@pytest.fixture(scope="module")
async def film_club(standin: StandIn, module_database_url: str, stub: ModelStub) -> AsyncIterator[App]:
    settings = {"ask_model_url": stub.url, "ask_model": "stub", "ask_model_timeout_seconds": 1.0}
    async with running_bot(standin, module_database_url, **settings) as app:
        yield app


async def ask(standin: StandIn, question: str) -> str:
    reply = await (await standin.driver("alice", "general").slash("ask", question=question)).message()
    return json.dumps(reply.embeds, ensure_ascii=False)


async def test_the_model_phrases_with_citations(standin: StandIn, film_club: App, stub: ModelStub) -> None:
    stub.mode = "echo"
    shown = await ask(standin, "who directed Jaws?")
    assert "In short: Jaws (1975) was directed by Steven Spielberg. [1]" in shown
    assert "[1] Jaws (1975) was directed by Steven Spielberg." in shown


@pytest.mark.parametrize("mode", ["invent", "fail"])
async def test_a_made_up_name_or_a_failure_gets_the_built_in_answer(
    standin: StandIn, film_club: App, stub: ModelStub, mode: str
) -> None:
    stub.mode = mode
    shown = await ask(standin, "who directed Psycho?")
    assert "Alfred Hitchcock" in shown
    assert "Meryl Streep" not in shown
    assert "[1]" not in shown
