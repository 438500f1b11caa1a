"""Start-up, command registration, /about, the error handler and surviving a dropped connection."""

from __future__ import annotations

import logging
import re

import pytest

from bot import __version__
from bot.app import App
from standin.driver import Driver
from standin.server import StandIn


async def test_start_up_registers_the_command_tree_globally(standin: StandIn, film_club: App) -> None:
    registered = {command.name for command in standin.state.global_commands.values()}
    assert {"about", "film"} <= registered
    assert film_club.bot.is_ready()
    assert standin.unknown_routes == []


async def test_about_says_what_the_bot_does_and_its_version(alice: Driver) -> None:
    reply = await (await alice.slash("about")).message()
    assert reply.ephemeral
    [embed] = reply.embeds
    assert embed["title"] == "Film Club"
    assert __version__ in embed["footer"]["text"]
    assert any(field["name"] == "Films" for field in embed["fields"])


async def test_a_bug_gets_a_friendly_ephemeral_reply_and_a_logged_error_id(
    alice: Driver, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        reply = await (await alice.slash("boom")).message()
    assert reply.ephemeral
    assert "Traceback" not in reply.content
    match = re.search(r"error id `([0-9a-f]{8})`", reply.content)
    assert match, reply.content
    [record] = [r for r in caplog.records if getattr(r, "error_id", None) == match.group(1)]
    assert record.exc_info is not None
    assert record.exc_info[0] is ZeroDivisionError


async def test_a_domain_error_after_deferring_replaces_the_thinking_message(alice: Driver) -> None:
    interaction = await alice.slash("picky")
    assert (await interaction.response()).deferred
    reply = await interaction.message()
    assert reply.ephemeral
    assert reply.content == "Ratings go from 0.5 to 5 stars, in half stars."


async def test_an_error_after_a_public_defer_reaches_only_the_asker_and_fits_discord(
    standin: StandIn, alice: Driver
) -> None:
    interaction = await alice.slash("public-picky")
    response = await interaction.response()
    assert response.deferred
    placeholder = response.message
    assert placeholder is not None
    assert not placeholder.ephemeral
    reply = await alice.wait_for_message(lambda m: m.ephemeral and m.interaction_id == interaction.id)
    assert len(reply.content) == 2000
    assert reply.content.endswith("…")
    assert standin.state.messages[placeholder.id].deleted, "the public 'thinking' message must go"


async def test_nothing_the_bot_posts_pings_anyone(standin: StandIn, alice: Driver) -> None:
    bob = alice.user("bob")
    moderators = alice.role("Moderators")
    reply = await (await alice.slash("film person", name=f"@everyone <@{bob.id}> <@&{moderators.id}>")).message()
    assert "@everyone" in reply.content  # the bot repeats what was typed, as text
    checked = [m for m in standin.state.messages.values() if m.author.id == standin.bot.id]
    assert checked
    for message in checked:
        assert message.pings.nobody, message


async def test_the_bot_survives_a_dropped_gateway_connection(standin: StandIn, film_club: App, alice: Driver) -> None:
    await standin.drop_connection(0)  # waits for discord.py to RESUME
    reply = await (await alice.slash("about")).message()
    assert reply.embeds[0]["title"] == "Film Club"
    assert film_club.bot.is_ready()
