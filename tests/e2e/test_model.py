"""A language model configured, end to end against a local stub endpoint: /ask answers and /review summary's
consensus show the model's cited wording with the lines it cites; when it fails or names someone absent from those
lines, the bot's own wording. Spoiler text never reaches the model."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest

from bot.app import App
from cogs.ui import replies
from standin.server import StandIn
from standin.state import Message
from tests.e2e.conftest import running_bot
from tests.e2e.test_reviews import write
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


def shown(reply: Message) -> str:
    return json.dumps(reply.embeds, ensure_ascii=False)


async def ask(standin: StandIn, question: str) -> str:
    return shown(await (await standin.driver("alice", "general").slash("ask", question=question)).message())


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


async def summarise(standin: StandIn, film: str, stub: ModelStub) -> dict[str, str]:
    """Three members review ``film`` (one hides a twist in spoiler tags) and one asks for its summary."""
    texts = {
        "alice": "Heartbreaking and beautifully acted, with a gorgeous, restrained score.",
        "bob": "A quiet, sad film about memory; the performances carry it beautifully.",
        "carol": "Moving and sad throughout, with lovely acting.\n||The ZEBRA twist at the end wrecked me.||",
    }
    for member, text in texts.items():
        await write(standin.driver(member, "general"), film, 4.5, text)
    reply = await (await standin.driver("bob", "general").slash("review summary", film=film)).message()
    [embed] = reply.embeds
    assert "ZEBRA" not in str(stub.requests)
    for part in shown(reply).split("||")[::2]:  # outside spoiler tags
        assert "ZEBRA" not in part
    return embed


async def test_the_model_words_the_review_consensus_with_citations(
    standin: StandIn, film_club: App, stub: ModelStub
) -> None:
    stub.mode = "echo"
    embed = await summarise(standin, "Vertigo", stub)
    figures = "3 reviews here, 4.5 of 5 stars on average, 100% positive, 0% negative."
    assert embed["description"] == f"In short: {figures} [1]\n[1] {figures}"


async def test_a_made_up_name_gets_the_built_in_consensus(standin: StandIn, film_club: App, stub: ModelStub) -> None:
    stub.mode = "invent"
    embed = await summarise(standin, "Psycho", stub)
    assert "Meryl Streep" not in embed["description"]
    assert "[1]" not in embed["description"]
    assert "beautifully" in embed["description"]  # the members' own sentences


async def test_a_slow_answer_shows_thinking_first_and_a_quick_one_does_not(
    standin: StandIn, film_club: App, stub: ModelStub, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Answers ready at once go out as the response; one that takes longer than SLOW_AFTER (here the model
    times out after 1 s) is deferred first, then arrives as the follow-up."""
    monkeypatch.setattr(replies, "SLOW_AFTER", 0.3)
    member = standin.driver("alice", "general")
    stub.mode = "fail"
    quick = await member.slash("ask", question="who directed Jaws?")
    assert not (await quick.response()).deferred
    stub.mode = "slow"
    slow = await member.slash("ask", question="who directed Vertigo?")
    assert (await slow.response()).deferred
    assert "Alfred Hitchcock" in shown(await slow.message())
