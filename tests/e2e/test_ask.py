"""/ask and mentions end to end: members ask in their own words, in channels and threads, as replies to reviews and
as follow-ups; choices are buttons; the bot pings nobody and ignores other bots and @everyone."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence

import pytest

from standin.driver import Driver
from standin.server import StandIn
from standin.state import Message
from standin.world import GuildSpec
from tests.e2e.parties import create

QUIET = 1.0  # seconds to wait for a reply that must not come


@pytest.fixture(scope="module")
def world() -> Sequence[GuildSpec]:
    return [GuildSpec(members=("alice", "bob", "carol", "robot"))]


def shown(message: Message) -> str:
    return message.content + json.dumps(message.embeds, ensure_ascii=False)


async def mention(standin: StandIn, member: Driver, text: str, **where: object) -> tuple[Message, Message]:
    """Post ``text`` mentioning the bot; the question and the bot's reply to it."""
    question = await member.say(f"{standin.bot.mention} {text}", **where)  # type: ignore[arg-type]
    reply = await member.wait_for_message(
        lambda m: (m.message_reference or {}).get("message_id") == str(question.id), author=standin.bot
    )
    return question, reply


async def test_slash_ask_answers_publicly(alice: Driver) -> None:
    reply = await (await alice.slash("ask", question="who played Ruth in Never Let Me Go?")).message()
    assert not reply.ephemeral
    assert "Keira Knightley" in shown(reply)
    assert "Never Let Me Go (2010)" in shown(reply)


async def test_the_film_option_gives_the_film(alice: Driver) -> None:
    reply = await (await alice.slash("ask", question="who composed it?", film="Vertigo")).message()
    assert "Bernard Herrmann" in shown(reply)


async def test_a_mention_is_answered_as_a_reply_that_pings_nobody(standin: StandIn, film_club: object) -> None:
    bob = standin.driver("bob", "film-talk")
    question, reply = await mention(standin, bob, "who composed the score of Jaws?")
    assert "John Williams" in shown(reply)
    assert reply.pings.nobody  # not even the member asking
    assert reply.channel_id == question.channel_id


async def test_a_follow_up_uses_the_film_of_the_previous_question(standin: StandIn, film_club: object) -> None:
    carol = standin.driver("carol", "general")
    await mention(standin, carol, "who directed Psycho?")
    _, reply = await mention(standin, carol, "and how long is it?")
    assert "109" in shown(reply)
    assert "Psycho (1960)" in shown(reply)


async def test_a_reply_to_a_review_is_about_its_film(standin: StandIn, film_club: object) -> None:
    alice = standin.driver("alice", "general")
    form = await alice.slash("review write", film="Jaws", rating=4.5)
    note = await (await alice.submit_modal(form, {"text": "The music does all the work. Quint is the best."})).message()
    review = await alice.wait_for_message(lambda m: str(m.id) in note.content)
    bob = standin.driver("bob", "general")
    question = await bob.say("was the music any good?", reply_to=review)  # a reply pings the bot: its text arrives
    reply = await bob.wait_for_message(
        lambda m: (m.message_reference or {}).get("message_id") == str(question.id), author=standin.bot
    )
    assert "Jaws (1975)" in shown(reply)
    assert "music does all the work" in shown(reply)
    assert "Alice" in shown(reply)


async def test_a_mention_in_a_thread(standin: StandIn, film_club: object) -> None:
    alice = standin.driver("alice", "general")
    form = await alice.slash("review write", film="Vertigo", rating=4)
    note = await (await alice.submit_modal(form, {"text": "Dizzying."})).message()
    review = await alice.wait_for_message(lambda m: str(m.id) in note.content)
    opened = await (await alice.click(review, "Discuss")).message()
    thread = standin.state.channel(int(opened.content.split("<#")[1].rstrip(">")))  # "Discussion: <#id>"
    assert thread.parent_id == review.channel_id
    _, reply = await mention(standin, alice, "who plays Judy in Vertigo?", channel=thread)
    assert "Kim Novak" in shown(reply)
    assert reply.channel_id == thread.id


async def test_a_mention_in_a_watch_party_thread_is_about_its_film(standin: StandIn, film_club: object) -> None:
    carol = standin.driver("carol", "film-talk")
    _, thread = await create(carol, "Jaws", "friday 8pm")
    _, reply = await mention(standin, carol, "who composed the music?", channel=thread)
    assert "John Williams" in shown(reply)
    assert "Jaws (1975)" in shown(reply)


async def test_a_clarification_offers_buttons_that_answer(standin: StandIn, film_club: object) -> None:
    bob = standin.driver("bob", "general")
    _, choices = await mention(standin, bob, "who directed Dune?")
    labels = sorted(button["label"] for button in choices.buttons())
    assert labels == ["Dune (1984)", "Dune (2021)"]
    await (await bob.click(choices, "Dune (1984)")).response()
    edited = await bob.wait_for_edit(choices)
    assert "David Lynch" in shown(edited)
    assert edited.buttons() == []
    _, follow_up = await mention(standin, bob, "who composed it?")  # the picked film is the one in context
    assert "Toto" in shown(follow_up)


async def test_questions_it_cannot_answer_get_examples(alice: Driver, standin: StandIn) -> None:
    _, reply = await mention(standin, alice, "what's the weather like?")
    assert "who played Ruth in Never Let Me Go?" in shown(reply)


async def test_other_bots_and_everyone_pings_are_ignored(standin: StandIn, film_club: object) -> None:
    standin.state.user_named("robot").bot = True
    robot, carol = standin.driver("robot", "film-talk"), standin.driver("carol", "film-talk")
    from_bot = await robot.say(f"{standin.bot.mention} who directed Jaws?")
    everyone = await carol.say("@everyone who directed Jaws?")
    await asyncio.sleep(QUIET)
    answered = {(m.message_reference or {}).get("message_id") for m in carol.messages() if m.author == standin.bot}
    assert str(from_bot.id) not in answered
    assert str(everyone.id) not in answered
